"""Billing arithmetic: per-line half-up rounding, part quantities, amount credit notes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.billing.rounding import credit_part, invoice_part, prorated, split_amount
from ordersmith.money import quantize

D = Decimal
cents = st.integers(0, 10**7).map(lambda n: D(n).scaleb(-2))
prices = st.integers(1, 10**6).map(lambda n: D(n).scaleb(-4))  # up to 4 decimals
rates = st.sampled_from([D("0"), D("0.07"), D("0.19"), D("0.2"), D("0.0550")])


def test_a_whole_line_is_rounded_once_half_up_to_the_minor_unit() -> None:
    # given 3 x 0.125 = 0.375 with 20 % tax; when invoiced in one go
    part = invoice_part(
        ordered=3,
        unit_price=D("0.125"),
        order_discount=D("0"),
        tax_rate=D("0.2"),
        invoiced_before=0,
        gross_before=D("0"),
        discount_before=D("0"),
        quantity=3,
        currency="EUR",
    )
    # then gross round(0.375) = 0.38 and tax round(0.076) = 0.08
    assert (part.gross, part.net, part.tax) == (D("0.38"), D("0.38"), D("0.08"))


def test_a_part_quantity_pro_rates_the_discount_per_unit_and_the_last_part_takes_the_rest() -> None:
    # given 3 units at 12.50 with a 10.00 discount, invoiced one unit at a time
    taken: list[tuple[Decimal, Decimal]] = []
    gross_before = discount_before = D("0")
    for done in range(3):
        part = invoice_part(
            ordered=3,
            unit_price=D("12.50"),
            order_discount=D("10.00"),
            tax_rate=D("0.2"),
            invoiced_before=done,
            gross_before=gross_before,
            discount_before=discount_before,
            quantity=1,
            currency="EUR",
        )
        taken.append((part.discount, part.net))
        gross_before += part.gross
        discount_before += part.discount
    # then
    assert taken == [(D("3.33"), D("9.17")), (D("3.33"), D("9.17")), (D("3.34"), D("9.16"))]


def test_a_zero_decimal_currency_rounds_to_whole_units() -> None:
    # given / when
    net, tax = credit_part(
        invoiced=3,
        net=D("1000"),
        tax=D("100"),
        credited_units_before=0,
        net_before=D("0"),
        tax_before=D("0"),
        quantity=1,
        currency="JPY",
    )
    # then round(333.33) and round(33.33)
    assert (net, tax) == (D("333"), D("33"))


def test_an_amount_is_split_over_lines_by_what_each_has_left_with_tax_pro_rata() -> None:
    # given lines with 45.00 (37.50 + 7.50) and 2.94 (2.45 + 0.49) left
    left = [(D("37.50"), D("7.50")), (D("2.45"), D("0.49"))]
    # when 10.00 is credited
    parts = split_amount(D("10.00"), left, "EUR")
    # then 9.39 (tax round(1.565) = 1.57) and the rest 0.61 (tax 0.10)
    assert parts == [(D("7.82"), D("1.57")), (D("0.51"), D("0.10"))]


def test_more_than_is_left_cannot_be_split() -> None:
    with pytest.raises(ValueError, match="at most what is left"):
        split_amount(D("3.01"), [(D("2.50"), D("0.50"))], "EUR")


@given(
    ordered=st.integers(1, 40),
    price=prices,
    discount_share=st.integers(0, 100),
    rate=rates,
    splits=st.lists(st.integers(1, 40), min_size=1, max_size=8),
)
def test_invoicing_a_line_in_any_parts_adds_up_to_the_order_line_exactly(
    ordered: int, price: Decimal, discount_share: int, rate: Decimal, splits: list[int]
) -> None:
    # given an order line and any way of splitting its units over invoices
    gross = quantize(ordered * price, "EUR")
    discount = quantize(gross * discount_share / 100, "EUR")
    done, gross_sum, discount_sum, net_sum = 0, D("0"), D("0"), D("0")
    # when each part is invoiced until the line is complete
    for size in [*splits, ordered]:
        quantity = min(size, ordered - done)
        if quantity == 0:
            break
        part = invoice_part(
            ordered=ordered,
            unit_price=price,
            order_discount=discount,
            tax_rate=rate,
            invoiced_before=done,
            gross_before=gross_sum,
            discount_before=discount_sum,
            quantity=quantity,
            currency="EUR",
        )
        # then no part is negative and none goes past the order line
        assert min(part.gross, part.discount, part.net, part.tax) >= 0
        assert part.tax == quantize(part.net * rate, "EUR")
        done += quantity
        gross_sum += part.gross
        discount_sum += part.discount
        net_sum += part.net
        assert gross_sum <= gross
        assert discount_sum <= discount
    # and the complete line equals the order line
    assert (gross_sum, discount_sum, net_sum) == (gross, discount, gross - discount)


@given(
    left=st.lists(st.tuples(cents, cents), min_size=1, max_size=6),
    share=st.integers(1, 100),
)
def test_an_amount_credit_splits_into_parts_that_add_up_and_fit_each_line(
    left: list[tuple[Decimal, Decimal]], share: int
) -> None:
    whole = sum((n + t for n, t in left), D("0"))
    amount = quantize(whole * share / 100, "EUR")
    if amount == 0:
        return
    # when
    parts = split_amount(amount, left, "EUR")
    # then
    assert sum((n + t for n, t in parts), D("0")) == amount
    for (net, tax), (net_left, tax_left) in zip(parts, left, strict=True):
        assert 0 <= net <= net_left
        assert 0 <= tax <= tax_left


@given(whole=cents, of=st.integers(1, 50), data=st.data())
def test_pro_rated_parts_never_exceed_the_whole_and_end_on_it(
    whole: Decimal, of: int, data: st.DataObject
) -> None:
    done, taken = 0, D("0")
    while done < of:
        units = data.draw(st.integers(1, of - done))
        taken += prorated(whole, units, of, done, taken, "EUR")
        done += units
        assert taken <= whole
    assert taken == whole


def test_a_discount_that_rounds_to_nothing_on_early_parts_is_not_lost_on_the_last():
    # given 10 units at 0.0015 (0.02 gross) with 0.01 off, invoiced 3 + 3 + 4
    gross, discount, taken = D("0.02"), D("0.01"), []
    done, gross_sum, discount_sum = 0, D("0"), D("0")
    # when
    for quantity in (3, 3, 4):
        part = invoice_part(
            ordered=10,
            unit_price=D("0.0015"),
            order_discount=discount,
            tax_rate=D("0"),
            invoiced_before=done,
            gross_before=gross_sum,
            discount_before=discount_sum,
            quantity=quantity,
            currency="EUR",
        )
        taken.append(part)
        done, gross_sum, discount_sum = (
            done + quantity,
            gross_sum + part.gross,
            discount_sum + part.discount,
        )
    # then (found by hypothesis in CI: the last part's discount was clipped to its gross)
    assert (gross_sum, discount_sum) == (gross, discount)
    assert sum(p.net for p in taken) == gross - discount
