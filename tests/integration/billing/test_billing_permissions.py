"""Billing's services check the signed-in person's permissions (ADR 0023, 0026): a role
without ``billing:write`` records no payment, credit note or refund; a credit hold is
released with ``credit:release`` alone; a return's credit note needs only
``returns:write``, billing's part being its consequence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordersmith.billing.credit_holds import release_credit_hold
from ordersmith.billing.credit_notes import issue_credit_note
from ordersmith.billing.errors import NotOnCreditHold
from ordersmith.billing.invoices import invoice_order
from ordersmith.billing.payments import record_payment, refund_payment
from ordersmith.billing.queries import list_credit_notes, list_payments
from ordersmith.customers.services import create_customer
from ordersmith.errors import Forbidden
from ordersmith.orders.queries import get_order
from ordersmith.staff.roles import permissions_of
from ordersmith.uow import Database, UnitOfWork
from tests.factories.billing import bill_order, pay
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop


def _as(db: Database, role: str) -> UnitOfWork:
    return db.unit_of_work(actor=f"staff:{role}@example.com", permissions=permissions_of(role))


def test_a_warehouse_user_records_no_payment_credit_note_refund_or_invoice(db, shop: Shop):
    # given: an invoiced order and a payment on account
    stock_up(db, {("MAIN", "A-1"): 10})
    order = place(db, order_request(shop.trade.id, ("A-1", 1)))
    invoice = bill_order(db, order.id)
    payment = pay(db, shop.trade.id, "5.00", allocate_to=[])
    other = place(db, order_request(shop.trade.id, ("A-1", 1)))
    # when / then: each is refused before anything is written
    with pytest.raises(Forbidden), _as(db, "warehouse") as uow:
        record_payment(
            uow, customer_id=shop.trade.id, method="cash", amount=Decimal(1), currency="EUR"
        )
    with pytest.raises(Forbidden), _as(db, "warehouse") as uow:
        issue_credit_note(uow, invoice_id=invoice.id, reason="goodwill", amount=Decimal(1))
    with pytest.raises(Forbidden), _as(db, "sales") as uow:
        refund_payment(uow, payment_id=payment.id, amount=Decimal(1), reason="asked")
    with pytest.raises(Forbidden), _as(db, "customer_service") as uow:
        invoice_order(uow, order_id=other.id)
    with db.reader() as session:
        assert [p.number for p in list_payments(session, customer_id=shop.trade.id)] == [
            payment.number
        ]
        assert list_credit_notes(session, invoice_id=invoice.id) == []


def test_an_accountant_records_a_payment_and_releases_a_credit_hold(db, shop: Shop):
    # given: Ivy's order over her credit limit, held for credit
    stock_up(db, {("MAIN", "A-1"): 10})
    with db.unit_of_work(actor="test") as uow:
        ivy = create_customer(
            uow, name="Ivy", email="ivy@example.com", account_type="account", credit_limit="1"
        )
    held = place(db, order_request(ivy.id, ("A-1", 1)))
    assert held.hold_reason == "credit"
    # when: accounting (credit:release, not orders:manage) releases it
    with _as(db, "accounting") as uow:
        released = release_credit_hold(uow, order_id=held.id, note="paid by phone")
        record_payment(
            uow, customer_id=ivy.id, method="cash", amount=Decimal("2.00"), currency="EUR"
        )
    # then
    assert released.status == "placed"
    # and: a second release is refused; sales (orders:manage) may not release credit
    with pytest.raises(NotOnCreditHold), _as(db, "accounting") as uow:
        release_credit_hold(uow, order_id=held.id, note="again")
    other = place(db, order_request(ivy.id, ("A-1", 2)))
    with pytest.raises(Forbidden), _as(db, "sales") as uow:
        release_credit_hold(uow, order_id=other.id, note="not mine to lift")
    with db.reader() as session:
        assert get_order(session, str(other.id)).hold_reason == "credit"
