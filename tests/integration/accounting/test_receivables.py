"""Aging, DSO and payment history, with numbers worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from ordersmith.billing.receivables import aging, days_sales_outstanding, payment_history
from ordersmith.billing.views import InvoiceView
from ordersmith.errors import ValidationFailed
from tests.factories.billing import bill_order, credit, pay
from tests.factories.orders import order_request, place
from tests.integration.accounting.conftest import SetClock
from tests.integration.conftest import Shop

D = Decimal


@dataclass
class Book:
    invoices: dict[str, InvoiceView]


def _invoice_on(shop: Shop, clock: SetClock, day: date, services: int) -> InvoiceView:
    """Bob (30 days' terms) is invoiced ``services`` x 30.00 (no tax) on ``day``."""
    clock.day(day)
    order = place(shop.db, order_request(shop.trade.id, ("SVC", services)))
    return bill_order(shop.db, order.id)


@pytest.fixture
def book(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> Book:
    """Bob's invoices (issued -> due, amount):

    D  15 Feb -> 17 Mar   90.00   paid on 5 July
    F  20 Mar -> 19 Apr   30.00
    C   1 Apr ->  1 May   30.00
    B  10 May ->  9 Jun   60.00   25.00 paid on 1 June
    A  20 Jun -> 20 Jul   30.00
    """
    clock = SetClock(monkeypatch, date(2026, 2, 15))
    found = {
        "D": _invoice_on(shop, clock, date(2026, 2, 15), 3),
        "F": _invoice_on(shop, clock, date(2026, 3, 20), 1),
        "C": _invoice_on(shop, clock, date(2026, 4, 1), 1),
        "B": _invoice_on(shop, clock, date(2026, 5, 10), 2),
    }
    clock.day(date(2026, 6, 1))
    pay(shop.db, shop.trade.id, "25.00", allocate_to=[(found["B"].id, D("25.00"))])
    found["A"] = _invoice_on(shop, clock, date(2026, 6, 20), 1)
    clock.day(date(2026, 7, 5))
    pay(shop.db, shop.trade.id, "90.00", allocate_to=[(found["D"].id, D("90.00"))])
    return Book(found)


def _buckets(row) -> tuple[Decimal, ...]:
    return (row.current, row.days_1_30, row.days_31_60, row.days_61_90, row.over_90)


def test_aging_puts_each_open_balance_in_its_bucket_of_days_past_due(shop: Shop, book: Book):
    # given the book (the payment of D on 5 July came after the day looked at)
    # when
    with shop.db.reader() as session:
        report = aging(session, as_of=date(2026, 6, 30))
    # then: A current, B 21 days (60 - 25), C 60 days, F 72 days, D 105 days
    [bob] = report.customers
    assert (bob.customer_number, bob.currency, bob.invoices) == (shop.trade.number, "EUR", 5)
    assert _buckets(bob) == (D("30.00"), D("35.00"), D("30.00"), D("30.00"), D("90.00"))
    assert bob.total == D("215.00")
    [eur] = report.totals
    assert (eur.customer_id, _buckets(eur), eur.total) == (None, _buckets(bob), D("215.00"))


def test_aging_of_an_earlier_day_shows_the_book_as_it_stood_with_the_bucket_edges(
    shop: Shop, book: Book
):
    # given the book
    # when looked at on 31 May and on 1 June (C is due 1 May), and after D was paid
    with shop.db.reader() as session:
        may = aging(session, as_of=date(2026, 5, 31)).customers[0]
        june = aging(session, as_of=date(2026, 6, 1)).customers[0]
        july = aging(session, as_of=date(2026, 7, 5)).customers[0]
    # then on 31 May: B not due yet, C 30 days, F 42 days, D 75 days
    assert _buckets(may) == (D("60.00"), D("30.00"), D("30.00"), D("90.00"), D("0"))
    # on 1 June C is 31 days past due, and 25.00 of B was paid that day
    assert _buckets(june) == (D("35.00"), D("0"), D("60.00"), D("90.00"), D("0"))
    # on 5 July D is paid: A current, B 26 days, C 65, F 77
    assert _buckets(july) == (D("30.00"), D("35.00"), D("0"), D("60.00"), D("0"))


def test_dso_is_receivables_over_credit_sales_of_the_window_times_its_days(shop: Shop, book: Book):
    # given the book
    # when
    with shop.db.reader() as session:
        [ninety] = days_sales_outstanding(session, as_of=date(2026, 6, 30), days=90)
        [hundred] = days_sales_outstanding(session, as_of=date(2026, 6, 30), days=100)
    # then 90 days (2 Apr - 30 Jun): sales A + B = 90.00; AR 215.00 -> 215.00 / 90 x 90
    assert (ninety.receivables, ninety.credit_sales, ninety.dso) == (
        D("215.00"),
        D("90.00"),
        D("215.0"),
    )
    # 100 days (23 Mar - 30 Jun) takes C too: 215 / 120 x 100 = 179.1666... -> 179.2
    assert (hundred.credit_sales, hundred.dso) == (D("120.00"), D("179.2"))


def test_dso_without_credit_sales_is_none_and_a_bad_window_is_refused(shop: Shop, book: Book):
    # given the book; when / then
    with shop.db.reader() as session:
        [quiet] = days_sales_outstanding(session, as_of=date(2026, 7, 1), days=5)
        with pytest.raises(ValidationFailed) as refused:
            days_sales_outstanding(session, as_of=date(2026, 6, 30), days=0)
    assert (quiet.receivables, quiet.credit_sales, quiet.dso) == (D("215.00"), D("0"), None)
    assert refused.value.fields[0].field == "days"


def test_payment_history_gives_days_to_pay_per_invoice_and_weighted_averages(
    shop: Shop, book: Book
):
    # given the book
    # when
    with shop.db.reader() as session:
        history = payment_history(session, shop.trade.number)
    # then newest first: 90.00 for D (issued 15 Feb, due 17 Mar, paid 5 July) and 25.00
    # for B (issued 10 May, due 9 June, paid 1 June)
    assert [(p.amount, p.received_on) for p in history.payments] == [
        (D("90.00"), date(2026, 7, 5)),
        (D("25.00"), date(2026, 6, 1)),
    ]
    [d_paid] = history.payments[0].invoices
    [b_paid] = history.payments[1].invoices
    assert (d_paid.invoice_number, d_paid.days_to_pay, d_paid.days_late) == (
        book.invoices["D"].number,
        140,
        110,
    )
    assert (b_paid.invoice_number, b_paid.days_to_pay, b_paid.days_late) == (
        book.invoices["B"].number,
        22,
        0,
    )
    # (25 x 22 + 90 x 140) / 115 = 114.347... ; 90 of 115 paid late = 0.7826
    assert (history.payment_count, history.invoices_settled) == (2, 2)
    assert history.average_days_to_pay == D("114.3")
    assert history.paid_late_share == D("0.7826")


def test_a_credit_note_freeing_a_payment_leaves_the_past_aging_and_nets_the_history(
    shop: Shop, book: Book, monkeypatch: pytest.MonkeyPatch
):
    # given the book, and on 10 July 30.00 of the paid invoice D credited: it frees
    # 30.00 of the 90.00 paid on 5 July
    SetClock(monkeypatch, date(2026, 7, 10))
    note = credit(shop.db, book.invoices["D"].id, amount=D("30.00"))
    assert note.freed == D("30.00")
    # when
    with shop.db.reader() as session:
        before = aging(session, as_of=date(2026, 7, 6))
        after = aging(session, as_of=date(2026, 7, 10))
        history = payment_history(session, shop.trade.number)
    # then on 6 July D was paid, and it still is (60.00 paid, 30.00 credited): the same
    # open balances before and after the credit note
    assert before.totals[0].total == after.totals[0].total == D("125.00")
    # and the payment settled 60.00 of D, net; its other 30.00 is credit again
    [d_paid] = history.payments[0].invoices
    assert (d_paid.invoice_number, d_paid.amount) == (book.invoices["D"].number, D("60.00"))
    assert history.payments[0].unallocated == D("30.00")
    assert history.invoices_settled == 2
