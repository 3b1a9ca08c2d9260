"""The order timeline: one chronological answer to "where is my order?".

``order_timeline`` joins, for one order, its history (placed, confirmed, allocated,
changed, returns' steps...), the emails about it, its shipments (created, dispatched,
delivered) and their tracking scans, the invoices that bill it, the payments, credit
notes and refunds on those invoices, its returns, and its cases with their notes.

Bounded: one statement per source (eleven, whatever the order's size), each sorted and
cut at ``limit`` in the asked direction, then merged and cut again. Internal case notes
are left out with ``customer_view`` (ADR 0021).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.billing.models import (
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    Refund,
)
from ordersmith.customer_service.models import Case, CaseNote, Visibility
from ordersmith.db import table_of
from ordersmith.money import money_str
from ordersmith.notifications.models import Communication
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.models import Order, OrderHistory
from ordersmith.orders.queries import order_id as resolve_order
from ordersmith.returns.models import Return
from ordersmith.shipping.models import Carrier, Shipment, ShipmentLine, TrackingEvent

MAX_ENTRIES = 1_000
NOTE_PREVIEW = 500


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str
    """history, email, shipment, tracking, invoice, payment, credit_note, refund,
    return, case or case_note."""
    title: str
    detail: str
    reference: str
    """The number of the document the entry is about (order, shipment, invoice...)."""
    reference_id: uuid.UUID | None
    actor: str = ""


@dataclass(frozen=True, slots=True)
class OrderTimeline:
    order_id: uuid.UUID
    order_number: str
    status: str
    entries: list[TimelineEntry]


def order_timeline(
    session: Session,
    order_ref: str,
    *,
    newest_first: bool = False,
    limit: int = 200,
    customer_id: uuid.UUID | None = None,
    customer_view: bool = False,
) -> OrderTimeline:
    """The order's timeline, oldest first (or newest first), at most ``limit`` entries.
    ``customer_id`` scopes the order (OrderNotFound for another customer's)."""
    limit = max(1, min(limit, MAX_ENTRIES))
    orders = table_of(Order)
    order = session.execute(
        sa.select(orders.c.id, orders.c.number, orders.c.status, orders.c.customer_id).where(
            orders.c.id == resolve_order(session, order_ref)
        )
    ).one()
    if customer_id is not None and order.customer_id != customer_id:
        raise OrderNotFound(f"no order {order_ref!r}")
    sources = _Sources(session, order.id, order.number, newest_first, limit, customer_view)
    entries = sorted(
        sources.all(), key=lambda e: (clock.as_utc(e.at), e.kind), reverse=newest_first
    )
    return OrderTimeline(order.id, order.number, str(order.status), entries[:limit])


class _Sources:
    def __init__(
        self,
        session: Session,
        order_id: uuid.UUID,
        order_number: str,
        newest_first: bool,
        limit: int,
        customer_view: bool,
    ) -> None:
        self.session, self.order_id, self.number = session, order_id, order_number
        self.newest_first, self.limit, self.customer_view = newest_first, limit, customer_view

    def rows(self, query: sa.Select[Any], at: sa.ColumnElement[Any]) -> Iterator[Any]:
        order = at.desc() if self.newest_first else at.asc()
        yield from self.session.execute(query.order_by(order).limit(self.limit))

    def all(self) -> list[TimelineEntry]:
        return [
            *self.history(),
            *self.emails(),
            *self.shipments(),
            *self.tracking(),
            *self.invoices(),
            *self.payments(),
            *self.credit_notes(),
            *self.refunds(),
            *self.returns(),
            *self.cases(),
            *self.case_notes(),
        ]

    # --- the order itself -------------------------------------------------------------

    def history(self) -> Iterator[TimelineEntry]:
        h = table_of(OrderHistory)
        query = sa.select(h).where(h.c.order_id == self.order_id)
        for r in self.rows(query, h.c.at):
            moved = r.from_status != r.to_status and r.to_status
            title = r.action.replace("_", " ")
            yield TimelineEntry(
                r.at,
                "history",
                f"{title} ({r.from_status or 'new'} → {r.to_status})" if moved else title,
                r.reason or "",
                self.number,
                self.order_id,
                r.actor,
            )

    def emails(self) -> Iterator[TimelineEntry]:
        c = table_of(Communication)
        at = sa.func.coalesce(c.c.sent_at, c.c.created_at)
        query = sa.select(c.c.id, c.c.subject, c.c.kind, c.c.recipient, c.c.status, at.label("at"))
        for r in self.rows(query.where(c.c.order_id == self.order_id), at):
            yield TimelineEntry(
                r.at,
                "email",
                f"Email: {r.subject}",
                f"{r.kind} to {r.recipient}: {r.status}",
                str(r.kind),
                r.id,
            )

    # --- shipping ---------------------------------------------------------------------

    def _shipment_ids(self) -> sa.Select[Any]:
        lines = table_of(ShipmentLine)
        return sa.select(lines.c.shipment_id).where(lines.c.order_id == self.order_id)

    def shipments(self) -> Iterator[TimelineEntry]:
        s, carriers = table_of(Shipment), table_of(Carrier)
        query = (
            sa.select(s, carriers.c.code.label("carrier"))
            .join(carriers, carriers.c.id == s.c.carrier_id)
            .where(s.c.id.in_(self._shipment_ids()))
        )
        for r in self.rows(query, s.c.created_at):
            yield TimelineEntry(
                r.created_at, "shipment", f"Shipment {r.number} created", r.status, r.number, r.id
            )
            if r.dispatched_at:
                yield TimelineEntry(
                    r.dispatched_at,
                    "shipment",
                    f"Shipment {r.number} dispatched with {r.carrier}",
                    f"tracking {r.tracking_number} {r.tracking_url}".strip(),
                    r.number,
                    r.id,
                )
            if r.delivered_at:
                yield TimelineEntry(
                    r.delivered_at, "shipment", f"Shipment {r.number} delivered", "", r.number, r.id
                )

    def tracking(self) -> Iterator[TimelineEntry]:
        t, s = table_of(TrackingEvent), table_of(Shipment)
        query = (
            sa.select(t, s.c.number)
            .join(s, s.c.id == t.c.shipment_id)
            .where(t.c.shipment_id.in_(self._shipment_ids()))
        )
        for r in self.rows(query, t.c.occurred_at):
            where = f" at {r.location}" if r.location else ""
            yield TimelineEntry(
                r.occurred_at,
                "tracking",
                f"Tracking {r.number}: {r.status}",
                f"{r.description}{where}".strip(),
                r.number,
                r.shipment_id,
                r.source,
            )

    # --- billing ----------------------------------------------------------------------

    def _invoice_ids(self) -> sa.CompoundSelect[Any]:
        i, lines = table_of(Invoice), table_of(InvoiceLine)
        return sa.union(
            sa.select(i.c.id).where(i.c.order_id == self.order_id),
            sa.select(lines.c.invoice_id).where(lines.c.order_id == self.order_id),
        )

    def _payment_ids(self) -> sa.CompoundSelect[Any]:
        p, a = table_of(Payment), table_of(PaymentAllocation)
        return sa.union(
            sa.select(p.c.id).where(p.c.order_id == self.order_id),
            sa.select(a.c.payment_id).where(a.c.invoice_id.in_(self._invoice_ids())),
        )

    def invoices(self) -> Iterator[TimelineEntry]:
        i = table_of(Invoice)
        query = sa.select(i).where(i.c.id.in_(self._invoice_ids()))
        for r in self.rows(query, i.c.created_at):
            yield TimelineEntry(
                r.created_at,
                "invoice",
                f"Invoice {r.number} issued",
                f"{_money(r.total, r.currency)}, due {r.due_date}, {r.status}",
                r.number,
                r.id,
                r.created_by,
            )

    def payments(self) -> Iterator[TimelineEntry]:
        p = table_of(Payment)
        query = sa.select(p).where(p.c.id.in_(self._payment_ids()))
        for r in self.rows(query, p.c.created_at):
            yield TimelineEntry(
                r.created_at,
                "payment",
                f"Payment {r.number} received",
                f"{_money(r.amount, r.currency)} by {r.method}",
                r.number,
                r.id,
                r.created_by,
            )

    def credit_notes(self) -> Iterator[TimelineEntry]:
        cn = table_of(CreditNote)
        query = sa.select(cn).where(cn.c.invoice_id.in_(self._invoice_ids()))
        for r in self.rows(query, cn.c.created_at):
            yield TimelineEntry(
                r.created_at,
                "credit_note",
                f"Credit note {r.number} issued",
                f"{_money(r.total, r.currency)} ({r.reason})",
                r.number,
                r.id,
                r.created_by,
            )

    def refunds(self) -> Iterator[TimelineEntry]:
        rf, p = table_of(Refund), table_of(Payment)
        query = (
            sa.select(rf, p.c.number)
            .join(p, p.c.id == rf.c.payment_id)
            .where(rf.c.payment_id.in_(self._payment_ids()))
        )
        for r in self.rows(query, rf.c.created_at):
            yield TimelineEntry(
                r.created_at,
                "refund",
                f"Refund of {_money(r.amount, r.currency)} from {r.number}",
                r.reason,
                r.number,
                r.payment_id,
                r.created_by,
            )

    # --- after-sales ------------------------------------------------------------------

    def returns(self) -> Iterator[TimelineEntry]:
        rt = table_of(Return)
        query = sa.select(rt).where(rt.c.order_id == self.order_id)
        for r in self.rows(query, rt.c.created_at):
            yield TimelineEntry(
                r.created_at,
                "return",
                f"Return {r.number} requested",
                f"now {r.status}" + (f": {r.comment}" if r.comment else ""),
                r.number,
                r.id,
                r.created_by,
            )

    def cases(self) -> Iterator[TimelineEntry]:
        c = table_of(Case)
        query = sa.select(c).where(c.c.order_id == self.order_id)
        for r in self.rows(query, c.c.created_at):
            yield TimelineEntry(
                r.created_at,
                "case",
                f"Case {r.number} opened: {r.subject}",
                f"{r.type}, {r.priority} priority, now {r.status}",
                r.number,
                r.id,
                r.created_by,
            )

    def case_notes(self) -> Iterator[TimelineEntry]:
        c, n = table_of(Case), table_of(CaseNote)
        query = (
            sa.select(n, c.c.number)
            .join(c, c.c.id == n.c.case_id)
            .where(c.c.order_id == self.order_id)
        )
        if self.customer_view:
            query = query.where(n.c.visibility == Visibility.CUSTOMER.value)
        for r in self.rows(query, n.c.created_at):
            yield TimelineEntry(
                r.created_at,
                "case_note",
                f"Note on {r.number} ({r.visibility})",
                r.body[:NOTE_PREVIEW],
                r.number,
                r.case_id,
                r.author,
            )


def _money(amount: Decimal, currency: str) -> str:
    return f"{money_str(amount, currency)} {currency}"
