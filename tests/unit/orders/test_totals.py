from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.orders.totals import line_amounts, order_totals

prices = st.decimals(min_value=0, max_value=10_000, places=4, allow_nan=False, allow_infinity=False)
rates = st.sampled_from(
    [Decimal("0"), Decimal("0.05"), Decimal("0.07"), Decimal("0.2"), Decimal("0.21")]
)
quantities = st.integers(min_value=1, max_value=10_000)


def test_a_line_rounds_half_up_to_cents():
    # given 3 x 0.335 = 1.005 and 20 % tax
    # when
    amounts = line_amounts(3, Decimal("0.335"), Decimal("0"), Decimal("0.2"), "EUR")
    # then
    assert amounts.net == Decimal("1.01")
    assert amounts.tax == Decimal("0.20")


def test_yen_amounts_have_no_decimals():
    amounts = line_amounts(1, Decimal("100.5"), Decimal("0"), Decimal("0.1"), "JPY")
    assert amounts.net == Decimal("101")
    assert amounts.tax == Decimal("10")


def test_a_discount_larger_than_the_line_is_refused():
    with pytest.raises(ValueError, match="discount"):
        line_amounts(1, Decimal("5"), Decimal("6"), Decimal("0"), "EUR")


@given(
    st.lists(st.tuples(quantities, prices, rates), min_size=1, max_size=20),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_an_order_total_always_equals_the_sum_of_its_rounded_lines(lines, shipping):
    # given
    amounts = [line_amounts(q, p, Decimal("0"), r, "EUR") for q, p, r in lines]
    # when
    totals = order_totals(amounts, shipping, "EUR")
    # then
    assert totals.total == sum(a.net + a.tax for a in amounts) + shipping
    assert totals.subtotal - totals.discount_total == sum(a.net for a in amounts)
    assert totals.total.as_tuple().exponent >= -2


@given(quantities, prices, rates, st.decimals(min_value=0, max_value=1, places=2))
def test_net_is_gross_minus_discount_and_never_negative(quantity, price, rate, share):
    # given a discount that is a share of the line
    discount = (quantity * price * share).quantize(Decimal("0.01"))
    if discount > quantity * price:
        discount = Decimal("0")
    # when
    amounts = line_amounts(quantity, price, discount, rate, "EUR")
    # then
    assert amounts.net == amounts.gross - amounts.discount
    assert amounts.net >= 0
    assert amounts.tax >= 0
