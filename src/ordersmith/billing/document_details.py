"""What a billing document's detail view lists besides its header: an invoice's lines
and what settled it, a payment's allocations and refunds, a credit note's lines and the
invoices it was applied to. Each list is in the order the views show it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import (
    CreditApplication,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    Refund,
)
from ordersmith.billing.views import (
    AllocationView,
    CreditNoteLineView,
    InvoiceLineView,
    RefundView,
    SettlementView,
)
from ordersmith.db import table_of
from ordersmith.money import ZERO

_LINE_FIELDS = list(InvoiceLineView.__dataclass_fields__)
_CN_LINE_FIELDS = list(CreditNoteLineView.__dataclass_fields__)


def invoice_lines(session: Session, invoice_id: uuid.UUID) -> list[InvoiceLineView]:
    """The invoice's lines in line order."""
    lines = table_of(InvoiceLine)
    rows = session.execute(
        sa.select(*(lines.c[f] for f in _LINE_FIELDS))
        .where(lines.c.invoice_id == invoice_id)
        .order_by(lines.c.line_no)
    ).all()
    return [_line_view(r) for r in rows]


def _line_view(row: Any) -> InvoiceLineView:
    values = dict(zip(_LINE_FIELDS, row, strict=True))
    return InvoiceLineView(**{**values, "kind": str(values["kind"])})


def _freed_by() -> sa.FromClause:
    """The credit note that freed a negative settlement row (outer-joined)."""
    return table_of(CreditNote).alias("freed_by")


def invoice_settlements(session: Session, invoice_id: uuid.UUID) -> list[SettlementView]:
    """The payments and credit notes that settled part of the invoice, oldest first
    (negative: freed again by the credit note named in ``released_by``)."""
    alloc, pay = table_of(PaymentAllocation), table_of(Payment)
    apps, cn, freed = table_of(CreditApplication), table_of(CreditNote), _freed_by()
    paid = session.execute(
        sa.select(pay.c.id, pay.c.number, alloc.c.amount, alloc.c.created_at, freed.c.number)
        .join(pay, pay.c.id == alloc.c.payment_id)
        .outerjoin(freed, freed.c.id == alloc.c.released_by_credit_note_id)
        .where(alloc.c.invoice_id == invoice_id)
    ).all()
    credited = session.execute(
        sa.select(cn.c.id, cn.c.number, apps.c.amount, apps.c.created_at, freed.c.number)
        .join(cn, cn.c.id == apps.c.credit_note_id)
        .outerjoin(freed, freed.c.id == apps.c.released_by_credit_note_id)
        .where(apps.c.invoice_id == invoice_id)
    ).all()
    found = [SettlementView("payment", *r) for r in paid]
    found += [SettlementView("credit_note", *r) for r in credited]
    return sorted(found, key=lambda s: (s.at, s.amount >= 0, s.number))


def payment_allocations(session: Session, payment_id: uuid.UUID) -> list[AllocationView]:
    """The invoices the payment settled, oldest allocation first (negative: freed again
    by a credit note on the invoice)."""
    alloc, inv, freed = table_of(PaymentAllocation), table_of(Invoice), _freed_by()
    return [
        AllocationView(*r)
        for r in session.execute(
            sa.select(inv.c.id, inv.c.number, alloc.c.amount, alloc.c.created_at, freed.c.number)
            .join(inv, inv.c.id == alloc.c.invoice_id)
            .outerjoin(freed, freed.c.id == alloc.c.released_by_credit_note_id)
            .where(alloc.c.payment_id == payment_id)
            .order_by(alloc.c.created_at, inv.c.number, alloc.c.id)
        )
    ]


def payment_refunds(session: Session, payment_id: uuid.UUID) -> list[RefundView]:
    """The money paid back out of the payment, oldest first."""
    ref = table_of(Refund)
    return [
        RefundView(*r)
        for r in session.execute(
            sa.select(
                ref.c.id,
                ref.c.payment_id,
                ref.c.amount,
                ref.c.currency,
                ref.c.reason,
                ref.c.provider_reference,
                ref.c.refunded_on,
                ref.c.created_by,
                ref.c.created_at,
            )
            .where(ref.c.payment_id == payment_id)
            .order_by(ref.c.created_at)
        )
    ]


def credit_note_lines(session: Session, credit_note_id: uuid.UUID) -> list[CreditNoteLineView]:
    """The credit note's lines in line order."""
    cl = table_of(CreditNoteLine)
    return [
        CreditNoteLineView(*r)
        for r in session.execute(
            sa.select(*(cl.c[f] for f in _CN_LINE_FIELDS))
            .where(cl.c.credit_note_id == credit_note_id)
            .order_by(cl.c.line_no)
        )
    ]


def credit_note_applications(session: Session, credit_note_id: uuid.UUID) -> list[AllocationView]:
    """The invoices the credit note was applied to, oldest application first (negative:
    freed again by a later credit note on that invoice)."""
    apps, inv, freed = table_of(CreditApplication), table_of(Invoice), _freed_by()
    return [
        AllocationView(*r)
        for r in session.execute(
            sa.select(inv.c.id, inv.c.number, apps.c.amount, apps.c.created_at, freed.c.number)
            .join(inv, inv.c.id == apps.c.invoice_id)
            .outerjoin(freed, freed.c.id == apps.c.released_by_credit_note_id)
            .where(apps.c.credit_note_id == credit_note_id)
            .order_by(apps.c.created_at, inv.c.number, apps.c.id)
        )
    ]


def credit_note_releases(session: Session, credit_note_id: uuid.UUID) -> list[SettlementView]:
    """What the credit note freed on its invoice (amounts positive), newest first: the
    payments and other credit notes that had settled it."""
    alloc, pay = table_of(PaymentAllocation), table_of(Payment)
    apps, cn = table_of(CreditApplication), table_of(CreditNote)
    paid = session.execute(
        sa.select(pay.c.id, pay.c.number, -alloc.c.amount, alloc.c.created_at)
        .join(pay, pay.c.id == alloc.c.payment_id)
        .where(alloc.c.released_by_credit_note_id == credit_note_id)
    ).all()
    credited = session.execute(
        sa.select(cn.c.id, cn.c.number, -apps.c.amount, apps.c.created_at)
        .join(cn, cn.c.id == apps.c.credit_note_id)
        .where(apps.c.released_by_credit_note_id == credit_note_id)
    ).all()
    found = [SettlementView("payment", *r) for r in paid]
    found += [SettlementView("credit_note", *r) for r in credited]
    return sorted(found, key=lambda s: (s.at, s.number), reverse=True)


def credit_note_freed(session: Session, credit_note_id: uuid.UUID) -> Decimal:
    """The sum the credit note freed on its invoice (see ``credit_note_releases``)."""
    alloc, apps = table_of(PaymentAllocation), table_of(CreditApplication)
    total = ZERO
    for table in (alloc, apps):
        found = session.scalar(
            sa.select(sa.func.sum(table.c.amount)).where(
                table.c.released_by_credit_note_id == credit_note_id
            )
        )
        total -= Decimal(found or 0)
    return total
