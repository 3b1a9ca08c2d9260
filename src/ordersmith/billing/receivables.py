"""Receivables: what customers owe and how they pay, as reports.

**Aging** (``aging``): each invoice's open balance *as of* a day, put in a bucket by its
days past due on that day (``as_of - due_date``): ``current`` (not yet due, or due that
day), ``1-30``, ``31-60``, ``61-90`` and ``90+``; summed per customer and currency, and
per currency in total. The balance as of a day is the invoice's total less the payment
allocations and credit applications made by the end of that day (UTC), for invoices
issued by then, so an aging of a past day shows the book as it stood. Customer credit
(unallocated payments, unapplied credit notes) is not in the aging: it is on the
customer's balance and statement.

**DSO** (``days_sales_outstanding``), per currency::

    DSO = AR / credit sales over the last N days x N

AR is the open balance, as of the day, of account invoices (kind ``invoice``: sales on
credit; cash-sale receipts are left out of both sides), credit sales are the totals of
the account invoices issued in the N days ending on that day (tax included, as AR is).
Rounded half up to one decimal; ``None`` when there were no credit sales.

**Payment history** (``payment_history``): a customer's payments, newest first, each
with the invoices it settled and the days to pay: ``received_on - issue_date`` (0 for
money paid ahead), and the days late: ``received_on - due_date`` when positive.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import (
    CreditApplication,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentAllocation,
)
from ordersmith.customers.models import Customer
from ordersmith.customers.queries import get_customer
from ordersmith.db import Fixed, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import ZERO

EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(9998, 12, 31)
"""Days a report may be asked about: date arithmetic at the calendar's edges never
overflows (a 422, never a 500)."""
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")
MAX_DSO_DAYS = 3_650
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class AgingRow:
    customer_id: uuid.UUID | None
    """None on a currency's total row."""
    customer_number: str
    customer_name: str
    currency: str
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    invoices: int
    """Invoices with an open balance."""

    @property
    def total(self) -> Decimal:
        return self.current + self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90


@dataclass(frozen=True, slots=True)
class AgingReport:
    as_of: date
    customers: list[AgingRow]
    """By currency, then customer number."""
    totals: list[AgingRow]
    """One per currency."""


@dataclass(frozen=True, slots=True)
class Dso:
    currency: str
    as_of: date
    days: int
    receivables: Decimal
    credit_sales: Decimal
    dso: Decimal | None


@dataclass(frozen=True, slots=True)
class SettledInvoice:
    invoice_id: uuid.UUID
    invoice_number: str
    issue_date: date
    due_date: date
    amount: Decimal
    days_to_pay: int
    days_late: int


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: uuid.UUID
    number: str
    received_on: date
    method: str
    reference: str
    currency: str
    amount: Decimal
    allocated: Decimal
    refunded: Decimal
    unallocated: Decimal
    invoices: list[SettledInvoice]


@dataclass(frozen=True, slots=True)
class PaymentHistory:
    customer_id: uuid.UUID
    customer_number: str
    payments: list[PaymentRecord]
    """Newest first (received on, number), at most ``limit``."""
    payment_count: int
    invoices_settled: int
    """Invoice settlements by payment, all time."""
    average_days_to_pay: Decimal | None
    """Weighted by the amount settled, one decimal, all time."""
    paid_late_share: Decimal | None
    """Of the amount settled by payments, the share paid after the due date (0 to 1)."""


def check_days(**days: date) -> None:
    """ValidationFailed naming every day outside EARLIEST_DAY..LATEST_DAY."""
    bad = [
        FieldError(name, f"a day from {EARLIEST_DAY} to {LATEST_DAY}")
        for name, day in days.items()
        if not isinstance(day, date) or not EARLIEST_DAY <= day <= LATEST_DAY
    ]
    if bad:
        raise ValidationFailed("a day is out of range", fields=bad)


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC): what was done on that day is before it."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def open_balances(as_of: date) -> sa.Subquery:
    """Per invoice issued by ``as_of``: (id, customer_id, currency, kind, due_date, open)
    where ``open`` is the total less what was allocated and applied by its end."""
    inv, alloc, apps = table_of(Invoice), table_of(PaymentAllocation), table_of(CreditApplication)
    cutoff = end_of(as_of)
    paid = (
        sa.select(alloc.c.invoice_id.label("invoice_id"), sa.func.sum(alloc.c.amount).label("s"))
        .where(alloc.c.created_at < cutoff)
        .group_by(alloc.c.invoice_id)
        .subquery()
    )
    credited = (
        sa.select(apps.c.invoice_id.label("invoice_id"), sa.func.sum(apps.c.amount).label("s"))
        .where(apps.c.created_at < cutoff)
        .group_by(apps.c.invoice_id)
        .subquery()
    )
    zero = sa.literal(ZERO, type_=Fixed(4))
    open_amount = (
        inv.c.total - sa.func.coalesce(paid.c.s, zero) - sa.func.coalesce(credited.c.s, zero)
    )
    return (
        sa.select(
            inv.c.id,
            inv.c.customer_id,
            inv.c.currency,
            inv.c.kind,
            inv.c.due_date,
            open_amount.label("open"),
        )
        .outerjoin(paid, paid.c.invoice_id == inv.c.id)
        .outerjoin(credited, credited.c.invoice_id == inv.c.id)
        .where(inv.c.issue_date <= as_of)
        .subquery()
    )


def aging(session: Session, *, as_of: date, customer_id: uuid.UUID | None = None) -> AgingReport:
    """Open invoice balances as of ``as_of`` in the five buckets (see the module doc)."""
    check_days(as_of=as_of)
    balances = open_balances(as_of)
    customers = table_of(Customer)
    zero = sa.literal(ZERO, type_=Fixed(4))
    due = balances.c.due_date
    bounds = [
        due >= as_of,
        sa.and_(due >= as_of - timedelta(days=30), due < as_of),
        sa.and_(due >= as_of - timedelta(days=60), due < as_of - timedelta(days=30)),
        sa.and_(due >= as_of - timedelta(days=90), due < as_of - timedelta(days=60)),
        due < as_of - timedelta(days=90),
    ]
    sums = [
        sa.func.sum(sa.case((bound, balances.c.open), else_=zero)).label(name)
        for bound, name in zip(bounds, BUCKETS, strict=True)
    ]
    query = (
        sa.select(
            balances.c.customer_id,
            customers.c.number,
            customers.c.name,
            balances.c.currency,
            *sums,
            sa.func.count().label("invoices"),
        )
        .join(customers, customers.c.id == balances.c.customer_id)
        .where(balances.c.open > 0)
        .group_by(balances.c.customer_id, customers.c.number, customers.c.name, balances.c.currency)
        .order_by(balances.c.currency, customers.c.number)
    )
    if customer_id is not None:
        query = query.where(balances.c.customer_id == customer_id)
    rows = [_aging_row(r) for r in session.execute(query).mappings()]
    totals = []
    for currency in sorted({r.currency for r in rows}):
        mine = [r for r in rows if r.currency == currency]
        amounts = {b: sum((getattr(r, b) for r in mine), ZERO) for b in BUCKETS}
        totals.append(_row(None, "", "", currency, amounts, sum(r.invoices for r in mine)))
    return AgingReport(as_of, rows, totals)


def _aging_row(row: Any) -> AgingRow:
    amounts = {b: Decimal(row[b] or 0) for b in BUCKETS}
    return _row(
        row["customer_id"], row["number"], row["name"], row["currency"], amounts, row["invoices"]
    )


def _row(
    customer_id: uuid.UUID | None,
    number: str,
    name: str,
    currency: str,
    amounts: dict[str, Decimal],
    invoices: int,
) -> AgingRow:
    return AgingRow(
        customer_id=customer_id,
        customer_number=number,
        customer_name=name,
        currency=currency,
        current=amounts["current"],
        days_1_30=amounts["days_1_30"],
        days_31_60=amounts["days_31_60"],
        days_61_90=amounts["days_61_90"],
        over_90=amounts["over_90"],
        invoices=int(invoices),
    )


def days_sales_outstanding(session: Session, *, as_of: date, days: int) -> list[Dso]:
    """DSO per currency over the ``days`` ending on ``as_of`` (see the module doc)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DSO_DAYS:
        raise ValidationFailed(
            "the DSO window is not valid",
            fields=[FieldError("days", f"a whole number of days from 1 to {MAX_DSO_DAYS}")],
        )
    check_days(as_of=as_of)
    balances = open_balances(as_of)
    account = InvoiceKind.INVOICE.value
    receivables = {
        r[0]: Decimal(r[1] or 0)
        for r in session.execute(
            sa.select(balances.c.currency, sa.func.sum(balances.c.open))
            .where(balances.c.kind == account, balances.c.open > 0)
            .group_by(balances.c.currency)
        )
    }
    inv = table_of(Invoice)
    sales = {
        r[0]: Decimal(r[1] or 0)
        for r in session.execute(
            sa.select(inv.c.currency, sa.func.sum(inv.c.total))
            .where(
                inv.c.kind == account,
                inv.c.issue_date > as_of - timedelta(days=days),
                inv.c.issue_date <= as_of,
            )
            .group_by(inv.c.currency)
        )
    }
    out = []
    for currency in sorted(set(receivables) | set(sales)):
        ar, sold = receivables.get(currency, ZERO), sales.get(currency, ZERO)
        dso = (ar / sold * days).quantize(ONE_PLACE, rounding=ROUND_HALF_UP) if sold else None
        out.append(Dso(currency, as_of, days, ar, sold, dso))
    return out


def payment_history(
    session: Session, customer: str | uuid.UUID, *, limit: int = 100
) -> PaymentHistory:
    """The customer's payments (newest first, at most ``limit``) with the invoices each
    settled (net of what credit notes freed again), and all-time figures: how many,
    average days to pay, share paid late."""
    view = get_customer(session, customer)
    pay, alloc, inv = table_of(Payment), table_of(PaymentAllocation), table_of(Invoice)
    payments = list(
        session.execute(
            sa.select(pay)
            .where(pay.c.customer_id == view.id)
            .order_by(pay.c.received_on.desc(), pay.c.number.desc())
            .limit(max(1, min(limit, 1_000)))
        ).mappings()
    )
    # per payment and invoice, net of what credit notes freed again (negative rows)
    keys = (alloc.c.payment_id, pay.c.received_on, inv.c.id, inv.c.number, inv.c.issue_date)
    settled = session.execute(
        sa.select(*keys, inv.c.due_date, sa.func.sum(alloc.c.amount))
        .join(pay, pay.c.id == alloc.c.payment_id)
        .join(inv, inv.c.id == alloc.c.invoice_id)
        .where(pay.c.customer_id == view.id)
        .group_by(*keys, inv.c.due_date)
        .having(sa.func.sum(alloc.c.amount) > sa.literal(ZERO, type_=Fixed(4)))
        .order_by(sa.func.min(alloc.c.created_at), inv.c.number)
    ).all()
    by_payment: dict[uuid.UUID, list[SettledInvoice]] = {}
    weighted, late, amount_settled = ZERO, ZERO, ZERO
    for payment_id, received_on, *invoice in settled:
        item = _settled(received_on, *invoice)
        by_payment.setdefault(payment_id, []).append(item)
        weighted += item.amount * item.days_to_pay
        amount_settled += item.amount
        late += item.amount if item.days_late > 0 else ZERO
    count = session.scalar(
        sa.select(sa.func.count()).select_from(pay).where(pay.c.customer_id == view.id)
    )
    return PaymentHistory(
        customer_id=view.id,
        customer_number=view.number,
        payments=[_record(p, by_payment.get(p["id"], [])) for p in payments],
        payment_count=int(count or 0),
        invoices_settled=len(settled),
        average_days_to_pay=(
            (weighted / amount_settled).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
            if amount_settled
            else None
        ),
        paid_late_share=(
            (late / amount_settled).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            if amount_settled
            else None
        ),
    )


def _settled(
    received_on: date,
    invoice_id: uuid.UUID,
    number: str,
    issue_date: date,
    due_date: date,
    amount: Decimal,
) -> SettledInvoice:
    return SettledInvoice(
        invoice_id=invoice_id,
        invoice_number=number,
        issue_date=issue_date,
        due_date=due_date,
        amount=amount,
        days_to_pay=max(0, (received_on - issue_date).days),
        days_late=max(0, (received_on - due_date).days),
    )


def _record(row: Any, invoices: list[SettledInvoice]) -> PaymentRecord:
    return PaymentRecord(
        id=row["id"],
        number=row["number"],
        received_on=row["received_on"],
        method=str(row["method"]),
        reference=row["reference"],
        currency=row["currency"],
        amount=row["amount"],
        allocated=row["amount_allocated"],
        refunded=row["amount_refunded"],
        unallocated=row["amount"] - row["amount_allocated"] - row["amount_refunded"],
        invoices=invoices,
    )
