"""Invoices, credit notes and statements as PDF, read back with pypdf."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ordersmith.billing.documents import (
    credit_note_document,
    credit_note_pdf_bytes,
    invoice_document,
    invoice_pdf_bytes,
    statement_document,
    statement_pdf_bytes,
)
from ordersmith.billing.payments import refund_payment
from ordersmith.billing.queries import customer_balance
from ordersmith.customers.services import AddressInput, add_address, update_customer
from ordersmith.errors import ValidationFailed
from tests.factories.billing import DELIVERY, bill_order, credit, pay
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.accounting.conftest import SetClock, pdf_text
from tests.integration.conftest import Shop

D = Decimal
DASH = "\u2013"  # what the invoice prints for no discount
BILLING = {
    "name": "Bob Trade",
    "line1": "9 Ledger Lane",
    "city": "Bremen",
    "postcode": "28195",
    "country": "DE",
}


def _mixed_order_invoice(shop: Shop):
    """Bob (30 days) is invoiced 3 anvils and 7 bolts (20% tax), an assembly service
    (no tax) and 4.90 shipping (no tax)."""
    with shop.db.unit_of_work(actor="test") as uow:
        update_customer(uow, customer=shop.trade.id, payment_terms_days=30)
    stock_up(shop.db, {("MAIN", "A-1"): 5, ("MAIN", "B-2"): 10})
    order = place(
        shop.db,
        order_request(
            shop.trade.id,
            ("A-1", 3),
            ("B-2", 7),
            ("SVC", 1),
            shipping_address=DELIVERY,
            billing_address=BILLING,
            shipping_amount=D("4.90"),
        ),
    )
    return order, bill_order(shop.db, order.id)


def test_an_invoice_pdf_shows_its_lines_a_tax_summary_per_rate_totals_and_the_balance_due(
    shop: Shop,
) -> None:
    # given an invoice of 82.84 EUR (74.85 net, 7.99 tax at 20%) with 50.00 paid
    order, invoice = _mixed_order_invoice(shop)
    pay(shop.db, shop.trade.id, "50.00")
    # when
    with shop.db.reader() as session:
        doc = invoice_document(session, shop.db.settings, invoice.id)
        pdf = invoice_pdf_bytes(session, shop.db.settings, invoice.number)
    # then the document adds up: per rate, and in total
    assert [(t.rate, t.net_amount, t.tax_amount) for t in doc.tax_summary] == [
        (D("0.2"), D("39.95"), D("7.99")),
        (D("0"), D("34.90"), D("0")),
    ]
    assert (doc.subtotal, doc.tax_total, doc.total) == (D("74.85"), D("7.99"), D("82.84"))
    assert (doc.amount_paid, doc.balance_due) == (D("50.00"), D("32.84"))
    # and the PDF says so
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF")
    for expected in [
        "Ordersmith Demo Ltd",
        "BILL TO Bob Trade 9 Ledger Lane 28195 Bremen DE bob@example.com",
        f"Invoice {invoice.number}",
        f"Customer {shop.trade.number}",
        f"Due date {invoice.due_date.isoformat()}",
        "30 days net",
        order.number,
        f"A-1 Anvil 3 12.50 {DASH} 37.50 20% 7.50",
        f"B-2 Bolt 7 0.35 {DASH} 2.45 20% 0.49",
        f"SVC Assembly service 1 30.00 {DASH} 30.00 0% 0.00",
        f"SHIPPING Shipping 1 4.90 {DASH} 4.90 0% 0.00",
        "20% 39.95 7.99",
        "0% 34.90 0.00",
        "Subtotal 74.85 EUR",
        "Tax 7.99 EUR",
        "Total 82.84 EUR",
        "Amount paid 50.00 EUR",
        "Balance due 32.84 EUR",
        f"Please pay 32.84 EUR by {invoice.due_date.isoformat()}, quoting {invoice.number}",
    ]:
        assert expected in text, text


def _invoice_pdf_text(shop: Shop, invoice_id) -> str:
    with shop.db.reader() as session:
        return pdf_text(invoice_pdf_bytes(session, shop.db.settings, invoice_id))


def test_a_customer_without_a_billing_address_is_billed_at_their_shipping_address(
    shop: Shop,
) -> None:
    # given Bob had no address when he ordered by phone, and has a delivery address now
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.trade.id, ("A-1", 1)))
    assert (order.billing_address, order.shipping_address) == ({}, {})
    with shop.db.unit_of_work(actor="test") as uow:
        add_address(
            uow,
            customer=shop.trade.id,
            address=AddressInput(
                kind="shipping",
                line1="5 Trade Park",
                city="Leipzig",
                postcode="04109",
                country="DE",
            ),
        )
    # when the order is invoiced
    invoice = bill_order(shop.db, order.id)
    # then the bill-to block prints that address, not a bare name
    assert invoice.billing["address_source"] == "customer_shipping"
    assert "BILL TO Bob Trade 5 Trade Park 04109 Leipzig DE bob@example.com" in _invoice_pdf_text(
        shop, invoice.id
    )


def test_without_any_address_of_the_customer_the_orders_delivery_address_is_billed(
    shop: Shop,
) -> None:
    # given Bob has no address at all, and his order goes to the goods-in door
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.trade.id, ("A-1", 1), shipping_address=DELIVERY))
    # when
    invoice = bill_order(shop.db, order.id)
    # then
    assert invoice.billing["address_source"] == "order_shipping"
    text = _invoice_pdf_text(shop, invoice.id)
    assert "BILL TO Goods in" in text
    assert "2 Trade Street 20095 Hamburg DE" in text


def test_a_customers_billing_address_comes_before_their_shipping_address(shop: Shop) -> None:
    # given Bob ordered without an address, then gave a delivery and a billing address
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.trade.id, ("A-1", 1)))
    with shop.db.unit_of_work(actor="test") as uow:
        for kind, line1 in (("shipping", "5 Trade Park"), ("billing", "9 Ledger Lane")):
            add_address(
                uow,
                customer=shop.trade.id,
                address=AddressInput(kind=kind, line1=line1, city="Bremen", country="DE"),
            )
    # when
    invoice = bill_order(shop.db, order.id)
    # then
    assert invoice.billing["address_source"] == "customer_billing"
    assert "BILL TO Bob Trade 9 Ledger Lane Bremen DE" in _invoice_pdf_text(shop, invoice.id)


def test_a_credit_note_pdf_shows_what_was_credited_and_the_credit_left_to_the_customer(
    shop: Shop,
) -> None:
    # given the 82.84 invoice paid in full, then 2 anvils credited (25.00 + 5.00 tax)
    _order, invoice = _mixed_order_invoice(shop)
    pay(shop.db, shop.trade.id, "82.84")
    note = credit(shop.db, invoice.id, "damage", lines=[(1, 2)], note="Two arrived dented")
    # when
    with shop.db.reader() as session:
        doc = credit_note_document(session, shop.db.settings, note.id)
        text = pdf_text(credit_note_pdf_bytes(session, shop.db.settings, note.number))
    # then nothing was left to take off the invoice: all of it is the customer's credit
    assert (doc.total, doc.amount_applied, doc.unapplied) == (D("30.00"), D("0"), D("30.00"))
    for expected in [
        f"Credit note {note.number}",
        f"Invoice {invoice.number}",
        "Reason Damage",
        "CREDIT TO Bob Trade",
        "A-1 Anvil 2 25.00 20% 5.00",
        "20% 25.00 5.00",
        "Total credited 30.00 EUR",
        f"Applied to {invoice.number} 0.00 EUR",
        "Your credit 30.00 EUR",
        "Two arrived dented",
    ]:
        assert expected in text, text


def _pay_on(shop: Shop, clock: SetClock, day: date, amount: str, **kw: object):
    clock.day(day)
    return pay(shop.db, shop.trade.id, amount, received_on=day, **kw)


def test_a_statement_runs_from_its_opening_balance_to_the_customer_balance(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Bob's spring: invoices of 30.00 (2 March) and 60.00 (20 March), 20.00 paid on
    # 10 March, 10.00 credited on 5 April, 100.00 paid on 10 April (40.00 of it credit),
    # 15.00 of that refunded on 12 April
    clock = SetClock(monkeypatch, date(2026, 3, 2))
    first = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 1))).id)
    _pay_on(shop, clock, date(2026, 3, 10), "20.00")
    clock.day(date(2026, 3, 20))
    second = bill_order(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 2))).id)
    clock.day(date(2026, 4, 5))
    note = credit(shop.db, second.id, "goodwill", amount=D("10.00"))
    payment = _pay_on(shop, clock, date(2026, 4, 10), "100.00")
    clock.day(date(2026, 4, 12))
    with shop.db.unit_of_work(actor="test") as uow:
        refund_payment(uow, payment_id=payment.id, amount="15.00", reason="asked back")
    # when the statement of 15 March to today is made
    with shop.db.reader() as session:
        doc = statement_document(
            session,
            shop.db.settings,
            shop.trade.number,
            date_from=date(2026, 3, 15),
            date_to=date(2026, 4, 12),
        )
        balance = customer_balance(session, shop.trade.id)
        pdf = statement_pdf_bytes(
            session,
            shop.db.settings,
            shop.trade.id,
            date_from=date(2026, 3, 15),
            date_to=date(2026, 4, 12),
        )
    # then: opening 30 - 20 = 10; +60, -10, -100, +15 = -25 (credit in Bob's favour)
    assert doc.opening_balance == D("10.00")
    assert [
        (line.kind, line.number, line.debit, line.credit, line.balance) for line in doc.lines
    ] == [
        ("Invoice", second.number, D("60.00"), D("0"), D("70.00")),
        ("Credit note", note.number, D("0"), D("10.00"), D("60.00")),
        ("Payment", payment.number, D("0"), D("100.00"), D("-40.00")),
        ("Refund", payment.number, D("15.00"), D("0"), D("-25.00")),
    ]
    assert doc.closing_balance == D("-25.00")
    [eur] = balance
    assert doc.closing_balance == eur.balance
    assert first.number not in [line.number for line in doc.lines]
    assert doc.aging.total == D("0")
    text = pdf_text(pdf)
    for expected in [
        "Statement of account",
        "2026-03-15 Opening balance 10.00",
        f"2026-03-20 Invoice {second.number} due 2026-04-19 60.00 70.00",
        f"2026-04-10 Payment {payment.number} bank transfer 100.00 -40.00",
        "Closing balance (EUR) -25.00",
        "Credit in your favour: 25.00 EUR",
    ]:
        assert expected in text, text


def test_a_statement_period_that_ends_before_it_starts_is_refused(shop: Shop) -> None:
    # given / when / then
    with shop.db.reader() as session, pytest.raises(ValidationFailed) as refused:
        statement_document(
            session,
            shop.db.settings,
            shop.trade.id,
            date_from=date(2026, 4, 1),
            date_to=date(2026, 4, 1) - timedelta(days=1),
        )
    assert [f.field for f in refused.value.fields] == ["to"]
