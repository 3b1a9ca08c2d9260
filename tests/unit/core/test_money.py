from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.money import Money, money_str, parse_decimal, quantize


def test_money_refuses_to_mix_currencies():
    with pytest.raises(ValueError, match="currency mismatch"):
        Money.of("1.00", "EUR") + Money.of("1.00", "USD")


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", True, 1.5])
def test_parse_decimal_refuses_what_is_not_a_finite_decimal(bad):
    with pytest.raises(ValueError, match=r"amount|decimal|finite"):
        parse_decimal(bad)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False))
def test_quantize_rounds_to_at_most_half_a_cent_away(value):
    rounded = quantize(value, "EUR")
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded.as_tuple().exponent == -2


def _money_str_in_full(amount: Decimal, places: int) -> str:
    """What money_str shows, by its definition alone: the minor units, more digits only
    if stored."""
    rounded = amount.quantize(Decimal(1).scaleb(-places))
    return f"{rounded:f}" if rounded == amount else f"{amount.normalize():f}"


def _amounts(places: int | None = None) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=-(10**12), max_value=10**12, places=places, allow_nan=False, allow_infinity=False
    )


@given(
    st.one_of(_amounts(), _amounts(places=2), _amounts(places=3)),  # mostly kept in 2 or 3
    st.sampled_from([None, "EUR", "JPY", "KWD"]),
)
def test_money_str_shows_any_amount_as_its_definition_does(amount, currency):
    # given any finite amount, of any exponent (12.50, 5, 1E+2, 1.5E-7, -0.00)
    places = {None: 2, "EUR": 2, "JPY": 0, "KWD": 3}[currency]
    # when it is shown
    shown = money_str(amount, currency)
    # then it reads as the full definition says, whatever shortcut was taken
    assert shown == _money_str_in_full(amount, places)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("12.50", "12.50"),
        ("0.2000", "0.20"),
        ("1E+2", "100.00"),
        ("-0.00", "-0.00"),
        ("5", "5.00"),
        ("1.5E-7", "0.00000015"),
        ("0.125", "0.125"),
    ],
)
def test_money_str_shows_minor_units_and_more_digits_only_if_stored(amount, shown):
    assert money_str(Decimal(amount)) == shown
