"""Collections: payment reminders for overdue invoices, and statements on request.

An invoice is **overdue** when its due date is before today and it has a balance left;
that is derived whenever it is needed, never stored.

``send_payment_reminders`` (the worker runs it once a day, ``ordersmith accounting
remind`` on demand) looks at each overdue invoice's days overdue (``today -
due_date``) and the reminder steps (``after_days``, default 1, 7 and 14 days): the
highest step the invoice has reached is due unless that step, or a later one, was sent
already. It records the step in ``payment_reminders`` (primary key: invoice, step) and
an ``invoice.reminder_due`` event; the worker's handler emails the customer with the
invoice attached. So each step is sent at most once, however often the job runs and
however many workers run it (the insert decides, ``ON CONFLICT DO NOTHING``), and an
invoice that passed several steps while nothing ran (the worker was down for days)
gets one reminder, for the highest step it reached, not a burst of them.

``request_statement_email`` records a ``customer.statement_requested`` event: the
worker emails the customer their statement of the period as a PDF.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.billing.models import Invoice, InvoiceStatus
from ordersmith.billing.receivables import check_days
from ordersmith.billing.records import PaymentReminder
from ordersmith.customers.queries import get_customer
from ordersmith.db import insert_ignoring_conflicts, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.events import DomainEvent
from ordersmith.uow import UnitOfWork

DEFAULT_STEPS = (1, 7, 14)
MAX_STEP_DAYS = 3_650
OPEN = (InvoiceStatus.ISSUED.value, InvoiceStatus.PARTIALLY_PAID.value)


@dataclasses.dataclass(frozen=True, kw_only=True)
class InvoiceReminderDue(DomainEvent):
    """``invoice.reminder_due`` (aggregate: the invoice): email a payment reminder."""

    aggregate_type: ClassVar[str] = "invoice"
    number: str
    customer_id: uuid.UUID
    step: int
    days_overdue: int
    due_date: date
    balance: Decimal
    currency: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementRequested(DomainEvent):
    """``customer.statement_requested`` (aggregate: the customer): email a statement."""

    aggregate_type: ClassVar[str] = "customer"
    customer_number: str
    date_from: date
    date_to: date


def reminder_steps(after_days: Sequence[int]) -> tuple[int, ...]:
    """The steps sorted, or ValidationFailed: whole days from 1 to ten years, no repeats."""
    steps = list(after_days)
    bad = (
        not steps
        or any(isinstance(s, bool) or not isinstance(s, int) for s in steps)
        or any(not 1 <= s <= MAX_STEP_DAYS for s in steps)
        or len(set(steps)) != len(steps)
    )
    if bad:
        raise ValidationFailed(
            "the reminder steps are not valid",
            fields=[
                FieldError(
                    "after_days", f"one or more different whole days from 1 to {MAX_STEP_DAYS}"
                )
            ],
        )
    return tuple(sorted(steps))


def send_payment_reminders(
    uow: UnitOfWork, *, today: date, after_days: Sequence[int] = DEFAULT_STEPS
) -> int:
    """Queue the reminders due on ``today`` (see the module doc); how many were queued."""
    steps = reminder_steps(after_days)
    check_days(today=today)
    inv, sent = table_of(Invoice), table_of(PaymentReminder)
    balance = inv.c.total - inv.c.amount_paid - inv.c.amount_credited
    last_sent = (
        sa.select(sa.func.max(sent.c.step))
        .where(sent.c.invoice_id == inv.c.id)
        .correlate(inv)
        .scalar_subquery()
    )
    overdue = uow.session.execute(
        sa.select(
            inv.c.id,
            inv.c.number,
            inv.c.customer_id,
            inv.c.due_date,
            inv.c.currency,
            balance.label("balance"),
            last_sent.label("last_step"),
        )
        .where(
            inv.c.status.in_(OPEN),
            inv.c.due_date <= date.fromordinal(today.toordinal() - steps[0]),
            balance > 0,
        )
        .order_by(inv.c.due_date, inv.c.number)
    ).all()
    now, queued = clock.now(), 0
    for row in overdue:
        days = (today - row.due_date).days
        step = max(s for s in steps if s <= days)
        if row.last_step is not None and row.last_step >= step:
            continue
        if not insert_ignoring_conflicts(
            uow.session, sent, {"invoice_id": row.id, "step": step, "sent_at": now}
        ):
            continue  # another run took this step first
        uow.record(
            InvoiceReminderDue(
                aggregate_id=row.id,
                number=row.number,
                customer_id=row.customer_id,
                step=step,
                days_overdue=days,
                due_date=row.due_date,
                balance=Decimal(row.balance),
                currency=row.currency,
            )
        )
        queued += 1
    return queued


def request_statement_email(
    uow: UnitOfWork, *, customer: str | uuid.UUID, date_from: date, date_to: date
) -> uuid.UUID:
    """Ask the worker to email the customer (by id or number) their statement of the
    period; the customer's id. ValidationFailed for a period ending before it starts."""
    uow.authorize(Permission.BILLING_WRITE)
    check_days(**{"from": date_from, "to": date_to})
    if date_from > date_to:
        raise ValidationFailed(
            "the statement period is not valid",
            fields=[FieldError("to", "must not be before from")],
        )
    view = get_customer(uow.session, customer)
    uow.record(
        StatementRequested(
            aggregate_id=view.id,
            customer_number=view.number,
            date_from=date_from,
            date_to=date_to,
        )
    )
    return view.id
