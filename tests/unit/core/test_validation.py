"""Pure shared input rules: amounts and tax rates (ordersmith.validation)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from ordersmith.db import Fixed
from ordersmith.validation import MAX_AMOUNT, parse_amount, tax_rate

storable = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=4, allow_nan=False)


@given(storable)
def test_an_amount_with_at_most_four_decimals_is_accepted_unchanged(amount: Decimal) -> None:
    # given
    text = str(amount)
    # when
    parsed = parse_amount(text)
    # then
    assert parsed == amount


@given(st.decimals(min_value=0, max_value=1000, places=8, allow_nan=False))
def test_an_amount_with_more_than_four_decimals_is_refused_never_rounded(amount: Decimal) -> None:
    # given
    has_more = amount.scaleb(4) != amount.scaleb(4).to_integral_value()
    # when / then
    if has_more:
        with pytest.raises(ValueError, match="more than 4 decimals"):
            parse_amount(str(amount))
    else:
        assert parse_amount(str(amount)) == amount


@given(storable)
def test_every_accepted_amount_fits_the_fixed_column_on_both_databases(amount: Decimal) -> None:
    # given
    column = Fixed(4)
    parsed = parse_amount(amount)
    # when
    on_sqlite = column.process_bind_param(parsed, sqlite.dialect())
    on_postgres = column.process_bind_param(parsed, postgresql.dialect())
    # then
    assert -(2**63) <= on_sqlite < 2**63
    assert column.process_result_value(on_sqlite, sqlite.dialect()) == amount
    assert on_postgres == amount


@pytest.mark.parametrize("value", ["-0.01", "-1"])
def test_a_negative_amount_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        parse_amount(value)


def test_a_float_amount_is_refused_with_a_hint_to_send_a_string() -> None:
    with pytest.raises(ValueError, match="decimal strings"):
        parse_amount(12.5)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "twelve", "", "1,50", True, None])
def test_things_that_are_not_decimal_numbers_are_not_amounts(value: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  (the message varies with the input)
        parse_amount(value)


def test_an_amount_above_the_storable_maximum_is_refused() -> None:
    with pytest.raises(ValueError, match="at most"):
        parse_amount(MAX_AMOUNT + 1)


@pytest.mark.parametrize(
    ("value", "accepted"), [("0", True), ("0.2", True), ("0.9999", True), ("1", False)]
)
def test_a_tax_rate_is_a_fraction_below_one(value: str, accepted: bool) -> None:
    if accepted:
        assert tax_rate(value) == Decimal(value)
    else:
        with pytest.raises(ValueError, match="fraction"):
            tax_rate(value)
