from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.money import Money, parse_decimal, quantize


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
