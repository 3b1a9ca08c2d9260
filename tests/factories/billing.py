"""Factories for billing, over the real services: ship an order, invoice, pay, credit."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from ordersmith.billing.credit_notes import issue_credit_note
from ordersmith.billing.invoices import invoice_order, invoice_shipment
from ordersmith.billing.journal import trial_balance
from ordersmith.billing.payments import record_payment
from ordersmith.billing.queries import get_invoice, list_invoices
from ordersmith.billing.views import CreditNoteView, InvoiceView, PaymentView
from ordersmith.checks import run_checks
from ordersmith.orders.views import OrderView
from ordersmith.uow import Database
from tests.factories.fulfillment import confirm, label_and_dispatch, pack, pick, wave

DELIVERY = {
    "name": "Goods in",
    "line1": "2 Trade Street",
    "city": "Hamburg",
    "postcode": "20095",
    "country": "DE",
}


def ship_everything_picked(db: Database, *orders: OrderView, warehouse: str = "MAIN") -> uuid.UUID:
    """Wave, pick, pack and dispatch what is allocated of ``orders``; the shipment id."""
    pick(db, wave(db, warehouse))
    shipment = pack(db, *orders, warehouse=warehouse)
    label_and_dispatch(db, shipment.id)
    return shipment.id


def confirm_and_ship(db: Database, order: OrderView) -> uuid.UUID:
    return ship_everything_picked(db, confirm(db, order))


def bill_shipment(db: Database, shipment_id: uuid.UUID) -> InvoiceView:
    with db.unit_of_work(actor="user:clerk") as uow:
        return invoice_shipment(uow, shipment_id=shipment_id)


def invoice_of_shipment(db: Database, shipment_id: uuid.UUID) -> InvoiceView:
    """The invoice issued for the shipment (account customers' shipments are invoiced
    when they are dispatched, ordersmith.billing.policy)."""
    with db.reader() as session:
        (summary,) = list_invoices(session, shipment_id=shipment_id)
        return get_invoice(session, summary.id)


def bill_order(db: Database, order_id: uuid.UUID) -> InvoiceView:
    with db.unit_of_work(actor="user:clerk") as uow:
        return invoice_order(uow, order_id=order_id)


def pay(
    db: Database, customer_id: uuid.UUID, amount: str, *, method: str = "bank_transfer", **kw: Any
) -> PaymentView:
    with db.unit_of_work(actor="user:clerk") as uow:
        return record_payment(
            uow,
            customer_id=customer_id,
            method=method,
            amount=Decimal(amount),
            currency=kw.pop("currency", "EUR"),
            **kw,
        )


def credit(
    db: Database, invoice_id: uuid.UUID, reason: str = "goodwill", **kw: Any
) -> CreditNoteView:
    with db.unit_of_work(actor="user:clerk") as uow:
        return issue_credit_note(uow, invoice_id=invoice_id, reason=reason, **kw)


def assert_books_clean(db: Database) -> None:
    """``ordersmith check`` finds nothing (billing's checks included), and the trial
    balance's debits equal its credits per currency."""
    with db.reader() as session:
        problems = {name: v for name, v in run_checks(session).items() if v}
        balances = trial_balance(session)
    assert problems == {}
    for currency in {b.currency for b in balances}:
        assert sum(b.balance for b in balances if b.currency == currency) == 0
