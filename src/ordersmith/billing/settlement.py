"""Moving money between documents: payments and credit notes settling invoices.

Every change is a conditional UPDATE whose WHERE clause re-checks the bound (never more
than an invoice's balance, a payment's unallocated part, a credit note's unapplied
part) with the CHECK constraints as the backstop, plus an append-only row saying what
settled what. The invoice's status follows from its amounts in the same statement:
issued -> partially_paid -> paid; ``credited`` (set by credit notes) stays.

Locking (ADR 0013, "Lock order"): a billing use case locks the orders it touches first
(in id order), then the customer's row (``lock_customer``, FOR NO KEY UPDATE on
PostgreSQL, so orders can still be placed for the customer), which serialises one
customer's billing; then the invoices, oldest first; then payments and credit notes;
the document counter and the journal's counter last.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.billing.errors import OverAllocation
from ordersmith.billing.models import (
    CreditApplication,
    CreditNote,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
)
from ordersmith.customers.errors import CustomerNotFound
from ordersmith.customers.models import Customer
from ordersmith.customers.queries import refuse_merged
from ordersmith.db import Fixed, insert_rows, table_of
from ordersmith.ids import new_id
from ordersmith.money import ZERO
from ordersmith.uow import UnitOfWork

OPEN_STATUSES = (InvoiceStatus.ISSUED.value, InvoiceStatus.PARTIALLY_PAID.value)


def _amount(value: Decimal) -> Any:
    return sa.literal(value, type_=Fixed(4))


def lock_customer(uow: UnitOfWork, customer_id: uuid.UUID) -> Any:
    """The customer's row (a mapping), locked for this unit of work's billing;
    CustomerMerged (``customer_merged``) when it was merged into another."""
    customers = table_of(Customer)
    row = (
        uow.session.execute(
            sa.select(customers)
            .where(customers.c.id == customer_id)
            .with_for_update(key_share=True)
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise CustomerNotFound(f"no customer {customer_id}")
    # a merged duplicate holds no billing record (the merge moved them): whatever locks
    # it opens something new — a payment, a credit note, a provider's payment
    refuse_merged(row["number"], row["merged_into_id"])
    return row


def open_invoices(
    uow: UnitOfWork,
    customer_id: uuid.UUID,
    currency: str,
    *,
    only: Sequence[uuid.UUID] | None = None,
) -> list[Any]:
    """The customer's invoices with a balance in ``currency``, oldest first (issue date,
    number), locked."""
    inv = table_of(Invoice)
    query = sa.select(inv).where(
        inv.c.customer_id == customer_id,
        inv.c.currency == currency,
        inv.c.status.in_(OPEN_STATUSES),
    )
    if only is not None:
        query = query.where(inv.c.id.in_(list(only)))
    rows = uow.session.execute(
        query.order_by(inv.c.issue_date, inv.c.number).with_for_update()
    ).mappings()
    return [r for r in rows if balance_of(r) > 0]


def balance_of(invoice: Any) -> Decimal:
    return Decimal(invoice["total"] - invoice["amount_paid"] - invoice["amount_credited"])


def unallocated_payments(
    uow: UnitOfWork,
    customer_id: uuid.UUID,
    currency: str,
    *,
    order_ids: Sequence[uuid.UUID] | None = None,
) -> list[Any]:
    """The customer's payments with money left in ``currency`` (of those orders, when
    given), oldest first (received on, number), locked."""
    pay = table_of(Payment)
    query = sa.select(pay).where(
        pay.c.customer_id == customer_id,
        pay.c.currency == currency,
        pay.c.amount_allocated + pay.c.amount_refunded < pay.c.amount,
    )
    if order_ids is not None:
        query = query.where(pay.c.order_id.in_(list(order_ids)))
    return list(
        uow.session.execute(
            query.order_by(pay.c.received_on, pay.c.number).with_for_update()
        ).mappings()
    )


def unapplied_credit_notes(uow: UnitOfWork, customer_id: uuid.UUID, currency: str) -> list[Any]:
    """The customer's credit notes with credit left in ``currency``, oldest first, locked."""
    cn = table_of(CreditNote)
    return list(
        uow.session.execute(
            sa.select(cn)
            .where(
                cn.c.customer_id == customer_id,
                cn.c.currency == currency,
                cn.c.amount_applied < cn.c.total,
            )
            .order_by(cn.c.issue_date, cn.c.number)
            .with_for_update()
        ).mappings()
    )


def unallocated_of(payment: Any) -> Decimal:
    return Decimal(payment["amount"] - payment["amount_allocated"] - payment["amount_refunded"])


def spread(
    available: Decimal, balances: Sequence[tuple[Any, Decimal]]
) -> list[tuple[Any, Decimal]]:
    """Hand ``available`` out over (target, balance) in the given order (oldest first):
    each target gets at most its balance; what is not needed is left over."""
    out: list[tuple[Any, Decimal]] = []
    for target, balance in balances:
        if available <= 0:
            break
        amount = min(available, balance)
        if amount > 0:
            out.append((target, amount))
            available -= amount
    return out


def _status_when_settled(settled: Any) -> Any:
    """The invoice's status once ``settled`` (an SQL expression) is paid or credited;
    ``credited`` (set by credit notes) stays."""
    inv = table_of(Invoice)
    return sa.case(
        (inv.c.status == InvoiceStatus.CREDITED.value, InvoiceStatus.CREDITED.value),
        (settled >= inv.c.total, InvoiceStatus.PAID.value),
        (settled > _amount(ZERO), InvoiceStatus.PARTIALLY_PAID.value),
        else_=InvoiceStatus.ISSUED.value,
    )


def settle_invoice(
    uow: UnitOfWork, invoice_id: uuid.UUID, *, paid: Decimal = ZERO, credited: Decimal = ZERO
) -> None:
    """Add ``paid`` and ``credited`` to the invoice, never beyond its total; the status
    follows. OverAllocation if the invoice has not that much open."""
    inv = table_of(Invoice)
    settled = inv.c.amount_paid + inv.c.amount_credited + _amount(paid + credited)
    done = uow.session.execute(
        sa.update(inv)
        .where(inv.c.id == invoice_id, settled <= inv.c.total)
        .values(
            amount_paid=inv.c.amount_paid + _amount(paid),
            amount_credited=inv.c.amount_credited + _amount(credited),
            status=_status_when_settled(settled),
            updated_at=clock.now(),
        )
        .returning(inv.c.id)
    ).scalar_one_or_none()
    if done is None:
        raise OverAllocation(f"invoice {invoice_id} has less than {paid + credited} open")


def unsettle_invoice(
    uow: UnitOfWork, invoice_id: uuid.UUID, *, paid: Decimal = ZERO, credited: Decimal = ZERO
) -> None:
    """Take ``paid`` and ``credited`` back off the invoice (a credit note freeing what
    settled it, ordersmith.billing.releases), never below zero; the status follows."""
    inv = table_of(Invoice)
    settled = inv.c.amount_paid + inv.c.amount_credited - _amount(paid + credited)
    done = uow.session.execute(
        sa.update(inv)
        .where(
            inv.c.id == invoice_id,
            inv.c.amount_paid >= _amount(paid),
            inv.c.amount_credited >= _amount(credited),
        )
        .values(
            amount_paid=inv.c.amount_paid - _amount(paid),
            amount_credited=inv.c.amount_credited - _amount(credited),
            status=_status_when_settled(settled),
            updated_at=clock.now(),
        )
        .returning(inv.c.id)
    ).scalar_one_or_none()
    if done is None:
        raise OverAllocation(f"invoice {invoice_id} has less than {paid + credited} settled")


def mark_credited(uow: UnitOfWork, invoice_id: uuid.UUID) -> None:
    """The invoice is credited in full ("void only by credit note")."""
    inv = table_of(Invoice)
    uow.session.execute(
        sa.update(inv)
        .where(inv.c.id == invoice_id)
        .values(status=InvoiceStatus.CREDITED.value, updated_at=clock.now())
    )


def allocate_payment(
    uow: UnitOfWork, *, payment_id: uuid.UUID, invoice_id: uuid.UUID, amount: Decimal
) -> None:
    """Settle ``amount`` of the invoice from the payment's unallocated part."""
    pay = table_of(Payment)
    done = uow.session.execute(
        sa.update(pay)
        .where(
            pay.c.id == payment_id,
            pay.c.amount_allocated + pay.c.amount_refunded + _amount(amount) <= pay.c.amount,
        )
        .values(amount_allocated=pay.c.amount_allocated + _amount(amount))
        .returning(pay.c.id)
    ).scalar_one_or_none()
    if done is None:
        raise OverAllocation(f"payment {payment_id} has less than {amount} unallocated")
    settle_invoice(uow, invoice_id, paid=amount)
    insert_rows(
        uow.session.connection(),
        table_of(PaymentAllocation),
        [
            {
                "id": new_id(),
                "payment_id": payment_id,
                "invoice_id": invoice_id,
                "amount": amount,
                "created_by": uow.actor,
                "created_at": clock.now(),
            }
        ],
    )


def apply_credit_note(
    uow: UnitOfWork, *, credit_note_id: uuid.UUID, invoice_id: uuid.UUID, amount: Decimal
) -> None:
    """Take ``amount`` off the invoice's balance from the credit note's unapplied part."""
    cn = table_of(CreditNote)
    done = uow.session.execute(
        sa.update(cn)
        .where(cn.c.id == credit_note_id, cn.c.amount_applied + _amount(amount) <= cn.c.total)
        .values(amount_applied=cn.c.amount_applied + _amount(amount))
        .returning(cn.c.id)
    ).scalar_one_or_none()
    if done is None:
        raise OverAllocation(f"credit note {credit_note_id} has less than {amount} unapplied")
    settle_invoice(uow, invoice_id, credited=amount)
    insert_rows(
        uow.session.connection(),
        table_of(CreditApplication),
        [
            {
                "id": new_id(),
                "credit_note_id": credit_note_id,
                "invoice_id": invoice_id,
                "amount": amount,
                "created_by": uow.actor,
                "created_at": clock.now(),
            }
        ],
    )
