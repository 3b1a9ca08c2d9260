"""What order to cash looks like after the simulation: ``billing_summary``.

Counts and sums read from the billing tables, the aging and the DSO from
``billing.receivables`` (the reports the API and ``ordersmith accounting`` give), all as
of the simulation's last day.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import (
    CreditApplication,
    CreditNote,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentAllocation,
    Refund,
)
from ordersmith.billing.receivables import BUCKETS, aging, days_sales_outstanding
from ordersmith.db import table_of
from ordersmith.money import ZERO
from ordersmith.notifications.models import Communication, MessageKind

DSO_DAYS = 90
OPEN = ("issued", "partially_paid")


@dataclass(frozen=True, slots=True)
class BillingSummary:
    as_of: date
    currency: str
    invoices: dict[str, int]
    """Account customers' invoices by status."""
    overdue: int
    """Of them, open and past their due date on ``as_of``."""
    receipts: int
    """Cash sales' receipts."""
    payments: dict[str, int]
    """By method."""
    received: Decimal
    refunds: int
    refunded: Decimal
    credit_notes: dict[str, int]
    """By reason."""
    credited: Decimal
    credit_used: int
    """Times customer credit (an overpayment, a credit note's excess) settled a later
    invoice."""
    aging: dict[str, Decimal]
    """Open balances per bucket (``billing.receivables.BUCKETS``) in ``currency``."""
    dso: Decimal | None
    """Days sales outstanding over the ``DSO_DAYS`` days ending on ``as_of``."""
    reminders: int
    """Payment reminders mailed."""


def _by(session: Session, table: sa.Table, column: str, *where: Any) -> dict[str, int]:
    query = sa.select(table.c[column], sa.func.count()).where(*where).group_by(table.c[column])
    counts = Counter({str(value): int(n) for value, n in session.execute(query)})
    return dict(sorted(counts.items()))


def _sum(session: Session, column: Any) -> Decimal:
    return Decimal(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(column), 0))) or 0)


def _count(session: Session, query: sa.Select[Any]) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0)


def credit_used(session: Session) -> int:
    """Payments settling invoices issued after the money came in (or after a credit
    note freed the money again), and credit notes settling another invoice than their
    own."""
    pay, alloc, inv = table_of(Payment), table_of(PaymentAllocation), table_of(Invoice)
    cn, apps = table_of(CreditNote), table_of(CreditApplication)
    freed = (  # when a credit note first freed part of the payment
        sa.select(alloc.c.payment_id, sa.func.min(alloc.c.created_at).label("at"))
        .where(alloc.c.amount < 0)
        .group_by(alloc.c.payment_id)
        .subquery()
    )
    later = (
        sa.select(alloc.c.id)
        .join(pay, pay.c.id == alloc.c.payment_id)
        .join(inv, inv.c.id == alloc.c.invoice_id)
        .outerjoin(freed, freed.c.payment_id == alloc.c.payment_id)
        .where(
            alloc.c.amount > 0,
            sa.or_(inv.c.issue_date > pay.c.received_on, alloc.c.created_at > freed.c.at),
        )
    )
    other = (
        sa.select(apps.c.id)
        .join(cn, cn.c.id == apps.c.credit_note_id)
        .where(apps.c.invoice_id != cn.c.invoice_id)
    )
    return _count(session, later) + _count(session, other)


def billing_summary(session: Session, *, as_of: date, currency: str) -> BillingSummary:
    inv, pay, ref, cn = table_of(Invoice), table_of(Payment), table_of(Refund), table_of(CreditNote)
    account = inv.c.kind == InvoiceKind.INVOICE.value
    overdue = sa.select(inv.c.id).where(
        account,
        inv.c.status.in_(OPEN),
        inv.c.due_date < as_of,
        inv.c.amount_paid + inv.c.amount_credited < inv.c.total,
    )
    report = aging(session, as_of=as_of)
    total = next((row for row in report.totals if row.currency == currency), None)
    dso = next(
        (
            d.dso
            for d in days_sales_outstanding(session, as_of=as_of, days=DSO_DAYS)
            if d.currency == currency
        ),
        None,
    )
    messages = table_of(Communication)
    return BillingSummary(
        as_of=as_of,
        currency=currency,
        invoices=_by(session, inv, "status", account),
        overdue=_count(session, overdue),
        receipts=_count(
            session, sa.select(inv.c.id).where(inv.c.kind == InvoiceKind.RECEIPT.value)
        ),
        payments=_by(session, pay, "method"),
        received=_sum(session, pay.c.amount),
        refunds=_count(session, sa.select(ref.c.id)),
        refunded=_sum(session, ref.c.amount),
        credit_notes=_by(session, cn, "reason"),
        credited=_sum(session, cn.c.total),
        credit_used=credit_used(session),
        aging={b: getattr(total, b) if total else ZERO for b in BUCKETS},
        dso=dso,
        reminders=_count(
            session,
            sa.select(messages.c.id).where(messages.c.kind == MessageKind.PAYMENT_REMINDER.value),
        ),
    )
