"""Read side of billing: invoice, payment and credit note details and lists, and what a
customer owes. ``overdue`` is derived here (due date before today, balance open). The
lists under a detail view's header (lines, settlements, allocations, refunds,
applications) come from ordersmith.billing.document_details."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.billing.document_details import (
    credit_note_applications,
    credit_note_freed,
    credit_note_lines,
    credit_note_releases,
    invoice_lines,
    invoice_settlements,
    payment_allocations,
    payment_refunds,
)
from ordersmith.billing.errors import CreditNoteNotFound, InvoiceNotFound, PaymentNotFound
from ordersmith.billing.models import CreditNote, Invoice, InvoiceLine, InvoiceStatus, Payment
from ordersmith.billing.views import (
    AllocationView,
    CreditNoteLineView,
    CreditNoteView,
    CustomerBalance,
    InvoiceSummary,
    InvoiceView,
    PaymentView,
    RefundView,
    SettlementView,
)
from ordersmith.db import Fixed, table_of
from ordersmith.money import ZERO
from ordersmith.validation import matchable

OPEN = (InvoiceStatus.ISSUED.value, InvoiceStatus.PARTIALLY_PAID.value)
_ZERO_SQL = sa.literal(ZERO, type_=Fixed(4))


def _by_id_or_number(table: sa.Table, ref: str | uuid.UUID) -> sa.ColumnElement[bool]:
    if isinstance(ref, uuid.UUID):
        return table.c.id == ref
    if not matchable(ref):
        return sa.false()
    try:
        return table.c.id == uuid.UUID(ref)
    except ValueError:
        return table.c.number == ref.strip().upper()


def _one(
    session: Session, table: sa.Table, ref: str | uuid.UUID, customer_id: uuid.UUID | None
) -> Any:
    """The document with this id or number (of this customer, if given), or None."""
    query = sa.select(table).where(_by_id_or_number(table, ref))
    if customer_id is not None:
        query = query.where(table.c.customer_id == customer_id)
    return session.execute(query).mappings().one_or_none()


def _overdue(row: Any, balance: Decimal, today: date) -> bool:
    return bool(row["due_date"] < today and balance > 0 and row["status"] in OPEN)


def get_invoice(
    session: Session, invoice: str | uuid.UUID, *, customer_id: uuid.UUID | None = None
) -> InvoiceView:
    """One invoice (by id or number) with its lines and what settled it, oldest first;
    ``customer_id`` scopes the look-up to that customer (InvoiceNotFound otherwise)."""
    row = _one(session, table_of(Invoice), invoice, customer_id)
    if row is None:
        raise InvoiceNotFound(f"no invoice {str(invoice)!r}")
    lines = invoice_lines(session, row["id"])
    balance = row["total"] - row["amount_paid"] - row["amount_credited"]
    cn = table_of(CreditNote)
    credited = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(cn.c.total), _ZERO_SQL)).where(
            cn.c.invoice_id == row["id"]
        )
    )
    return InvoiceView(
        id=row["id"],
        number=row["number"],
        series=row["series"],
        kind=str(row["kind"]),
        status=str(row["status"]),
        overdue=_overdue(row, balance, clock.today()),
        customer_id=row["customer_id"],
        order_id=row["order_id"],
        shipment_id=row["shipment_id"],
        currency=row["currency"],
        issue_date=row["issue_date"],
        due_date=row["due_date"],
        payment_terms_days=row["payment_terms_days"],
        subtotal=row["subtotal"],
        tax_total=row["tax_total"],
        total=row["total"],
        amount_paid=row["amount_paid"],
        amount_credited=row["amount_credited"],
        balance=balance,
        credit_notes_total=Decimal(credited or ZERO),
        billing=dict(row["billing_snapshot"] or {}),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        lines=lines,
        settlements=invoice_settlements(session, row["id"]),
    )


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    """What the back office's invoice list filters on besides customer and status."""

    order_id: uuid.UUID | None = None
    """Invoices of this order (its own, or a shipment's carrying several orders)."""
    open_only: bool = False
    """Issued or partially paid, with a balance left."""
    due_from: date | None = None
    due_to: date | None = None
    settled_since: datetime | None = None
    """Last settled (``updated_at``) at or after this time: with status ``paid``, the
    invoices paid since then."""


def _filtered(query: sa.Select[Any], flt: InvoiceFilter) -> sa.Select[Any]:
    inv, lines = table_of(Invoice), table_of(InvoiceLine)
    if flt.order_id is not None:
        query = query.where(
            sa.or_(
                inv.c.order_id == flt.order_id,
                inv.c.id.in_(sa.select(lines.c.invoice_id).where(lines.c.order_id == flt.order_id)),
            )
        )
    if flt.open_only:
        query = query.where(
            inv.c.status.in_(OPEN), inv.c.amount_paid + inv.c.amount_credited < inv.c.total
        )
    if flt.due_from is not None:
        query = query.where(inv.c.due_date >= flt.due_from)
    if flt.due_to is not None:
        query = query.where(inv.c.due_date <= flt.due_to)
    if flt.settled_since is not None:
        query = query.where(inv.c.updated_at >= flt.settled_since)
    return query


def list_invoices(
    session: Session,
    *,
    customer_id: uuid.UUID | None = None,
    status: str | None = None,
    overdue_only: bool = False,
    limit: int = 50,
    before: tuple[date, str] | None = None,
    shipment_id: uuid.UUID | None = None,
    flt: InvoiceFilter | None = None,
) -> list[InvoiceSummary]:
    """Newest first, keyset-paginated on (issue date, number): pass the last item's
    ``(issue_date, number)`` as ``before`` for the next page. ``overdue_only``: open
    invoices due before today; ``shipment_id``: the invoice of that shipment; ``flt``:
    the back office's further filters (``InvoiceFilter``)."""
    inv = table_of(Invoice)
    query = sa.select(inv)
    if customer_id is not None:
        query = query.where(inv.c.customer_id == customer_id)
    if shipment_id is not None:
        query = query.where(inv.c.shipment_id == shipment_id)
    if status is not None:
        if status not in {s.value for s in InvoiceStatus}:
            return []
        query = query.where(inv.c.status == status)
    if flt is not None:
        query = _filtered(query, flt)
    today = clock.today()
    if overdue_only:
        query = query.where(
            inv.c.status.in_(OPEN),
            inv.c.due_date < today,
            inv.c.amount_paid + inv.c.amount_credited < inv.c.total,
        )
    if before is not None:
        query = query.where(sa.tuple_(inv.c.issue_date, inv.c.number) < sa.tuple_(*before))
    query = query.order_by(inv.c.issue_date.desc(), inv.c.number.desc()).limit(limit)
    out = []
    for row in session.execute(query).mappings():
        balance = row["total"] - row["amount_paid"] - row["amount_credited"]
        out.append(
            InvoiceSummary(
                id=row["id"],
                number=row["number"],
                kind=str(row["kind"]),
                status=str(row["status"]),
                overdue=_overdue(row, balance, today),
                customer_id=row["customer_id"],
                order_id=row["order_id"],
                shipment_id=row["shipment_id"],
                currency=row["currency"],
                issue_date=row["issue_date"],
                due_date=row["due_date"],
                total=row["total"],
                balance=balance,
            )
        )
    return out


def get_payment(
    session: Session, payment: str | uuid.UUID, *, customer_id: uuid.UUID | None = None
) -> PaymentView:
    """One payment (by id or number) with its allocations and refunds."""
    row = _one(session, table_of(Payment), payment, customer_id)
    if row is None:
        raise PaymentNotFound(f"no payment {str(payment)!r}")
    return _payment_view(session, row, details=True)


def list_payments(
    session: Session,
    *,
    customer_id: uuid.UUID | None = None,
    unallocated_only: bool = False,
    limit: int = 50,
    before: tuple[date, str] | None = None,
) -> list[PaymentView]:
    """Newest first on (received on, number), without allocation details."""
    pay = table_of(Payment)
    query = sa.select(pay)
    if customer_id is not None:
        query = query.where(pay.c.customer_id == customer_id)
    if unallocated_only:
        query = query.where(pay.c.amount_allocated + pay.c.amount_refunded < pay.c.amount)
    if before is not None:
        query = query.where(sa.tuple_(pay.c.received_on, pay.c.number) < sa.tuple_(*before))
    query = query.order_by(pay.c.received_on.desc(), pay.c.number.desc()).limit(limit)
    return [_payment_view(session, r, details=False) for r in session.execute(query).mappings()]


def _payment_view(session: Session, row: Any, *, details: bool) -> PaymentView:
    allocations: list[AllocationView] = []
    refunds: list[RefundView] = []
    if details:
        allocations = payment_allocations(session, row["id"])
        refunds = payment_refunds(session, row["id"])
    return PaymentView(
        id=row["id"],
        number=row["number"],
        customer_id=row["customer_id"],
        order_id=row["order_id"],
        method=str(row["method"]),
        amount=row["amount"],
        currency=row["currency"],
        reference=row["reference"],
        received_on=row["received_on"],
        provider=row["provider"],
        provider_reference=row["provider_reference"],
        card_last4=row["card_last4"],
        amount_allocated=row["amount_allocated"],
        amount_refunded=row["amount_refunded"],
        unallocated=row["amount"] - row["amount_allocated"] - row["amount_refunded"],
        status=str(row["status"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        allocations=allocations,
        refunds=refunds,
    )


def get_credit_note(
    session: Session, credit_note: str | uuid.UUID, *, customer_id: uuid.UUID | None = None
) -> CreditNoteView:
    """One credit note (by id or number) with its lines and where it was applied."""
    row = _one(session, table_of(CreditNote), credit_note, customer_id)
    if row is None:
        raise CreditNoteNotFound(f"no credit note {str(credit_note)!r}")
    return _credit_note_view(session, row, details=True)


def list_credit_notes(
    session: Session,
    *,
    customer_id: uuid.UUID | None = None,
    invoice_id: uuid.UUID | None = None,
    limit: int = 50,
    before: tuple[date, str] | None = None,
) -> list[CreditNoteView]:
    """Newest first on (issue date, number), without lines."""
    cn = table_of(CreditNote)
    query = sa.select(cn)
    if customer_id is not None:
        query = query.where(cn.c.customer_id == customer_id)
    if invoice_id is not None:
        query = query.where(cn.c.invoice_id == invoice_id)
    if before is not None:
        query = query.where(sa.tuple_(cn.c.issue_date, cn.c.number) < sa.tuple_(*before))
    query = query.order_by(cn.c.issue_date.desc(), cn.c.number.desc()).limit(limit)
    return [_credit_note_view(session, r, details=False) for r in session.execute(query).mappings()]


def _credit_note_view(session: Session, row: Any, *, details: bool) -> CreditNoteView:
    inv = table_of(Invoice)
    invoice_number = session.scalar(sa.select(inv.c.number).where(inv.c.id == row["invoice_id"]))
    lines: list[CreditNoteLineView] = []
    applications: list[AllocationView] = []
    releases: list[SettlementView] = []
    if details:
        lines = credit_note_lines(session, row["id"])
        applications = credit_note_applications(session, row["id"])
        releases = credit_note_releases(session, row["id"])
    return CreditNoteView(
        id=row["id"],
        number=row["number"],
        invoice_id=row["invoice_id"],
        invoice_number=str(invoice_number),
        customer_id=row["customer_id"],
        currency=row["currency"],
        reason=str(row["reason"]),
        issue_date=row["issue_date"],
        subtotal=row["subtotal"],
        tax_total=row["tax_total"],
        total=row["total"],
        amount_applied=row["amount_applied"],
        unapplied=row["total"] - row["amount_applied"],
        freed=credit_note_freed(session, row["id"]),
        note=row["note"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        lines=lines,
        applications=applications,
        releases=releases,
    )


def customer_balance(session: Session, customer_id: uuid.UUID) -> list[CustomerBalance]:
    """What the customer owes, one row per currency they have billing documents in.

    ``balance = open_invoices - unallocated_payments - unapplied_credit``: positive means
    the customer owes us, negative that we owe them (credit to use or refund). Equal to
    invoices - payments - credit notes + refunds, all time."""
    inv, pay, cn = table_of(Invoice), table_of(Payment), table_of(CreditNote)
    today = clock.today()
    open_part = inv.c.total - inv.c.amount_paid - inv.c.amount_credited
    owed = {
        r[0]: (Decimal(r[1] or 0), Decimal(r[2] or 0))
        for r in session.execute(
            sa.select(
                inv.c.currency,
                sa.func.sum(open_part),
                sa.func.sum(sa.case((inv.c.due_date < today, open_part), else_=_ZERO_SQL)),
            )
            .where(inv.c.customer_id == customer_id, inv.c.status.in_(OPEN))
            .group_by(inv.c.currency)
        )
    }
    unallocated = {
        r[0]: Decimal(r[1] or 0)
        for r in session.execute(
            sa.select(
                pay.c.currency,
                sa.func.sum(pay.c.amount - pay.c.amount_allocated - pay.c.amount_refunded),
            )
            .where(pay.c.customer_id == customer_id)
            .group_by(pay.c.currency)
        )
    }
    unapplied = {
        r[0]: Decimal(r[1] or 0)
        for r in session.execute(
            sa.select(cn.c.currency, sa.func.sum(cn.c.total - cn.c.amount_applied))
            .where(cn.c.customer_id == customer_id)
            .group_by(cn.c.currency)
        )
    }
    out = []
    for currency in sorted(set(owed) | set(unallocated) | set(unapplied)):
        open_total, overdue = owed.get(currency, (ZERO, ZERO))
        paid, credit = unallocated.get(currency, ZERO), unapplied.get(currency, ZERO)
        out.append(
            CustomerBalance(
                customer_id, currency, open_total, overdue, paid, credit, open_total - paid - credit
            )
        )
    return out
