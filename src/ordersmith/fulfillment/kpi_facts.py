"""The facts the fulfilment KPIs need, gathered set-based (the report over a window is
ordersmith.fulfillment.kpi_report).

``order_facts`` builds one ``OrderFacts`` per order (ordersmith.fulfillment.kpis) with a
constant number of grouped queries, whatever the number of orders: the orders in the
window are selected first (each window through an index: ``ix_orders_created``,
``ix_shipments_dispatched``, ``ix_shipments_delivered``, ``ix_orders_fulfilment_created``),
then their stocked line totals, incident counts and dispatched shipments are read in
two statements that join those ids. No statement runs per order.

Where each fact comes from:

- ``placed_at``: ``orders.created_at``; ``promised_date``: ``orders.promised_delivery_date``;
  ``promised_dispatch_date``: ``orders.promised_dispatch_date`` (both fixed at allocation).
- ``ordered_units``: the quantities of the order's stocked lines (``products.stocked``);
  an order without stocked lines has nothing to fulfil and is left out, and so are
  drafts and cancelled orders.
- shipments: the order's non-cancelled shipments that were dispatched
  (``shipment_lines`` → ``shipments.dispatched_at``). ``shipment_count`` counts them,
  ``shipped_units`` adds the order's units in them, ``first_shipment_units`` is the
  order's units in the earliest one, ``dispatched_at`` its time, and
  ``fully_dispatched_at`` the latest one's time once every ordered unit has left.
  The units are counted from the shipments rather than from ``order_lines.shipped_quantity``:
  both agree for everything fulfilled through Ordersmith, but imported history
  (``ordersmith.orders.history_import``) has shipped quantities and no shipments, and
  such an order is simply not measured.
- ``delivered_at``: the latest ``shipments.delivered_at`` once ``orders.fulfilment_status``
  is ``delivered`` (every unit arrived).
- ``backordered`` / ``short_picked`` / ``damage_reported`` / ``wrong_item``: an
  ``order_incidents`` row of kind backorder / short_pick / damage / wrong_item;
  ``document_corrections``: the number of document_correction rows.
- ``documents_missing``: ``packing_slip`` when a dispatched shipment of the order has no
  ``packing_slip_printed_at``; ``invoice`` when a dispatched shipment carried the order's
  goods and no invoice bills them: neither an invoice of that shipment with lines of the
  order (account customers, invoiced per shipment) nor an invoice of the whole order
  (``invoices.shipment_id`` empty: a cash sale's receipt, an order invoiced up front).
  An invoice counts whatever its status; a wrong one is corrected by a credit note, and a
  pricing or documentation error there is a ``document_correction`` incident.

Time zone: the business's zone is UTC for now (the dispatch cut-off hour is UTC too,
ordersmith.shipping.promise), so timestamps are taken as UTC dates.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import Invoice, InvoiceLine
from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.fulfillment.kpis import (
    OrderFacts,
)
from ordersmith.fulfillment.models import IncidentKind, OrderIncident
from ordersmith.fulfillment.progress import FulfilmentStatus
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.shipping.status import ShipmentStatus

BUSINESS_TZ = UTC
NOT_MEASURED = (OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value)

Candidates = sa.Select[Any] | sa.CompoundSelect[Any]
Among = Callable[[sa.ColumnElement[Any]], sa.ColumnElement[bool]]


# --- which orders ---------------------------------------------------------------------


def placed_ids(start: datetime | None, end: datetime | None) -> sa.Select[Any]:
    orders = table_of(Order)
    query = sa.select(orders.c.id.label("order_id"))
    if start is not None:
        query = query.where(orders.c.created_at >= start)
    if end is not None:
        query = query.where(orders.c.created_at < end)
    return query


def shipped_ids(column: str, start: datetime | None, end: datetime | None) -> sa.Select[Any]:
    """Orders with a shipment whose ``column`` (dispatched_at, delivered_at) is in range."""
    shipments, lines = table_of(Shipment), table_of(ShipmentLine)
    at = shipments.c[column]
    query = (
        sa.select(lines.c.order_id.label("order_id"))
        .join(shipments, shipments.c.id == lines.c.shipment_id)
        .where(at.is_not(None))
    )
    if start is not None:
        query = query.where(at >= start)
    if end is not None:
        query = query.where(at < end)
    return query


def inside(at: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    return at is not None and (start is None or at >= start) and (end is None or at < end)


# --- the facts ---------------------------------------------------------------------------


def order_facts(
    session: Session,
    *,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
    delivered_from: datetime | None = None,
    delivered_to: datetime | None = None,
) -> list[OrderFacts]:
    """The facts of the orders placed and/or delivered in the given ranges (``*_from``
    included, ``*_to`` excluded, timezone-aware); every range given applies. Without any
    range: every order. In placement order."""
    selections: list[sa.Select[Any]] = []
    if placed_from or placed_to:
        selections.append(placed_ids(placed_from, placed_to))
    delivered = delivered_from is not None or delivered_to is not None
    if delivered:
        selections.append(shipped_ids("delivered_at", delivered_from, delivered_to))
    candidates: Candidates | None = None
    if len(selections) == 1:
        candidates = selections[0]
    elif selections:
        candidates = sa.intersect(*selections)
    facts = gather_facts(session, candidates)
    if delivered:  # a shipment delivered in range; the order's last delivery must be too
        facts = [f for f in facts if inside(f.delivered_at, delivered_from, delivered_to)]
    return facts


def gather_facts(session: Session, candidates: Candidates | None) -> list[OrderFacts]:
    """The facts of the orders whose ids ``candidates`` selects (as ``order_id``), or of
    every order; in placement order. Two statements."""
    ids = candidates.cte("kpi_orders") if candidates is not None else None

    def among(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return column.in_(sa.select(ids.c.order_id)) if ids is not None else sa.true()

    shipments_by_order = _shipments(session, among)
    facts = []
    for row in _orders(session, among):
        facts.append(_facts(row, shipments_by_order.get(row.id, [])))
    return facts


def _orders(session: Session, among: Among) -> sa.Result[Any]:
    orders, lines, products = table_of(Order), table_of(OrderLine), table_of(Product)
    incidents = table_of(OrderIncident)
    stocked = (
        sa.select(lines.c.order_id, sa.func.sum(lines.c.quantity).label("ordered_units"))
        .join(products, products.c.id == lines.c.product_id)
        .where(among(lines.c.order_id), products.c.stocked.is_(True))
        .group_by(lines.c.order_id)
        .subquery("stocked")
    )

    def count(kind: IncidentKind) -> sa.ColumnElement[Any]:
        return sa.func.sum(sa.case((incidents.c.kind == kind.value, 1), else_=0)).label(kind)

    happened = (
        sa.select(incidents.c.order_id, *(count(kind) for kind in IncidentKind))
        .where(among(incidents.c.order_id))
        .group_by(incidents.c.order_id)
        .subquery("happened")
    )
    return session.execute(
        sa.select(
            orders.c.id,
            orders.c.number,
            orders.c.created_at,
            orders.c.promised_delivery_date,
            orders.c.promised_dispatch_date,
            orders.c.fulfilment_status,
            stocked.c.ordered_units,
            *(happened.c[kind] for kind in IncidentKind),
        )
        .join(stocked, stocked.c.order_id == orders.c.id)
        .outerjoin(happened, happened.c.order_id == orders.c.id)
        .where(among(orders.c.id), orders.c.status.not_in(NOT_MEASURED))
        .order_by(orders.c.created_at, orders.c.id)
    )


@dataclass(frozen=True, slots=True)
class _Sent:
    """The units of one order in one dispatched shipment."""

    number: str
    units: int
    dispatched_at: datetime
    delivered_at: datetime | None
    slip_missing: bool
    invoice_missing: bool

    @property
    def documents_missing(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, missing in (
                ("invoice", self.invoice_missing),
                ("packing_slip", self.slip_missing),
            )
            if missing
        )


def _billed(order_id: sa.ColumnElement[Any], shipment_id: sa.ColumnElement[Any]) -> sa.Exists:
    """An invoice bills this order's goods in this shipment: the shipment's own invoice
    with lines of the order, or an invoice of the whole order (no shipment)."""
    invoices, invoice_lines = table_of(Invoice), table_of(InvoiceLine)
    return (
        sa.select(invoice_lines.c.id)
        .join(invoices, invoices.c.id == invoice_lines.c.invoice_id)
        .where(
            invoice_lines.c.order_id == order_id,
            sa.or_(invoices.c.shipment_id == shipment_id, invoices.c.shipment_id.is_(None)),
        )
        .exists()
    )


def _shipments(session: Session, among: Among) -> dict[uuid.UUID, list[_Sent]]:
    shipments, lines = table_of(Shipment), table_of(ShipmentLine)
    rows = session.execute(
        sa.select(
            lines.c.order_id,
            shipments.c.number,
            sa.func.sum(lines.c.quantity),
            shipments.c.dispatched_at,
            shipments.c.delivered_at,
            shipments.c.packing_slip_printed_at,
            _billed(lines.c.order_id, shipments.c.id).label("billed"),
        )
        .join(shipments, shipments.c.id == lines.c.shipment_id)
        .where(
            among(lines.c.order_id),
            shipments.c.dispatched_at.is_not(None),
            shipments.c.status != ShipmentStatus.CANCELLED.value,
        )
        .group_by(
            lines.c.order_id,
            shipments.c.id,
            shipments.c.number,
            shipments.c.dispatched_at,
            shipments.c.delivered_at,
            shipments.c.packing_slip_printed_at,
        )
    )
    found: dict[uuid.UUID, list[_Sent]] = defaultdict(list)
    for order_id, number, units, dispatched_at, delivered_at, slip_printed_at, billed in rows:
        found[order_id].append(
            _Sent(
                number,
                int(units),
                _local(dispatched_at),
                _local(delivered_at) if delivered_at is not None else None,
                slip_printed_at is None,
                not billed,
            )
        )
    return found


def _local(at: datetime) -> datetime:
    aware = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return aware.astimezone(BUSINESS_TZ)


def _facts(row: Any, sent: Sequence[_Sent]) -> OrderFacts:
    sent = sorted(sent, key=lambda s: (s.dispatched_at, s.number))
    ordered = int(row.ordered_units)
    shipped = sum(s.units for s in sent)
    deliveries = [s.delivered_at for s in sent if s.delivered_at is not None]
    delivered = row.fulfilment_status == FulfilmentStatus.DELIVERED.value and bool(deliveries)
    return OrderFacts(
        order_id=row.id,
        number=row.number,
        placed_at=_local(row.created_at),
        ordered_units=ordered,
        promised_date=row.promised_delivery_date,
        promised_dispatch_date=row.promised_dispatch_date,
        dispatched_at=sent[0].dispatched_at if sent else None,
        fully_dispatched_at=max(s.dispatched_at for s in sent) if shipped >= ordered else None,
        delivered_at=max(deliveries) if delivered else None,
        shipment_count=len(sent),
        shipped_units=shipped,
        first_shipment_units=sent[0].units if sent else 0,
        backordered=bool(row.backorder),
        short_picked=bool(row.short_pick),
        damage_reported=bool(row.damage),
        documents_missing=tuple(sorted({name for s in sent for name in s.documents_missing})),
        document_corrections=int(row.document_correction or 0),
        wrong_item=bool(row.wrong_item),
    )
