"""The facts the fulfilment KPIs need, gathered set-based, and the KPI report over a window.

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
- ``backordered`` / ``short_picked`` / ``damage_reported``: an ``order_incidents`` row of
  kind backorder / short_pick / damage; ``document_corrections``: the number of
  document_correction rows.
- ``documents_missing``: ``("packing_slip",)`` when a dispatched shipment of the order
  has no ``packing_slip_printed_at``. The invoice joins this list once billing exists.

Time zone: the business's zone is UTC for now (the dispatch cut-off hour is UTC too,
ordersmith.shipping.promise), so timestamps are taken as UTC dates.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.fulfillment.kpis import (
    ComponentRate,
    CycleTimes,
    FillRates,
    OrderFacts,
    PerfectOrderReport,
    cycle_times,
    fill_rate,
    on_time_dispatch_rate,
    perfect_order_report,
)
from ordersmith.fulfillment.models import IncidentKind, OrderIncident
from ordersmith.fulfillment.progress import FulfilmentStatus
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus
from ordersmith.shipping.models import Shipment, ShipmentLine
from ordersmith.shipping.status import ShipmentStatus

BUSINESS_TZ = UTC
MAX_WINDOW_DAYS = 366
DEFAULT_WINDOW_DAYS = 30
NOT_MEASURED = (OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value)
OPEN_FULFILMENT = (
    FulfilmentStatus.ALLOCATED.value,
    FulfilmentStatus.BACKORDERED.value,
    FulfilmentStatus.PARTIALLY_SHIPPED.value,
)

Candidates = sa.Select[Any] | sa.CompoundSelect[Any]
Among = Callable[[sa.ColumnElement[Any]], sa.ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The fulfilment KPIs over the days ``date_from`` to ``date_to`` (both included).

    - ``perfect_order``: orders DELIVERED in the window;
    - ``fill_rates``: orders whose first shipment was DISPATCHED in the window;
    - ``on_time_dispatch``: orders whose last unit left in the window, plus orders whose
      promised dispatch date is in the window and that are still not fully dispatched
      (late already when that date is before ``as_of``);
    - ``cycle_times``: orders PLACED in the window.
    """

    date_from: date
    date_to: date
    as_of: date
    perfect_order: PerfectOrderReport
    fill_rates: FillRates
    cycle_times: CycleTimes
    on_time_dispatch: ComponentRate


# --- windows -----------------------------------------------------------------------------


EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(9998, 12, 31)


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the business's time zone."""
    return datetime.combine(day, time.min, tzinfo=BUSINESS_TZ)


def default_window(
    date_from: date | None, date_to: date | None, *, today: date
) -> tuple[date, date]:
    """The window a caller meant: ``to`` defaults to today, ``from`` to the 30 days
    ending at ``to``. Days outside EARLIEST_DAY..LATEST_DAY are refused (422), so
    date arithmetic at the calendar's edges never overflows."""
    for name, day in (("from", date_from), ("to", date_to)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise ValidationFailed(
                f"{name} {day} is outside {EARLIEST_DAY}..{LATEST_DAY}",
                fields=[FieldError(name, f"from {EARLIEST_DAY} to {LATEST_DAY}")],
            )
    end = date_to or today
    return date_from or end - timedelta(days=DEFAULT_WINDOW_DAYS - 1), end


def check_window(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise ValidationFailed(
            f"the window starts ({date_from}) after it ends ({date_to})",
            fields=[FieldError("from", "must be on or before to")],
        )
    days = (date_to - date_from).days + 1
    if days > MAX_WINDOW_DAYS:
        raise ValidationFailed(
            f"the window has {days} days; at most {MAX_WINDOW_DAYS} are reported at once",
            code="window_too_long",
            fields=[FieldError("to", f"at most {MAX_WINDOW_DAYS} days from 'from'")],
        )


def _placed_ids(start: datetime | None, end: datetime | None) -> sa.Select[Any]:
    orders = table_of(Order)
    query = sa.select(orders.c.id.label("order_id"))
    if start is not None:
        query = query.where(orders.c.created_at >= start)
    if end is not None:
        query = query.where(orders.c.created_at < end)
    return query


def _shipped_ids(column: str, start: datetime | None, end: datetime | None) -> sa.Select[Any]:
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


def _due_ids(first: date, last: date) -> sa.Select[Any]:
    """Open orders (not fully dispatched) promised to leave from ``first`` to ``last``."""
    orders = table_of(Order)
    return sa.select(orders.c.id.label("order_id")).where(
        orders.c.fulfilment_status.in_(OPEN_FULFILMENT),
        orders.c.promised_dispatch_date >= first,
        orders.c.promised_dispatch_date <= last,
    )


def _inside(at: datetime | None, start: datetime | None, end: datetime | None) -> bool:
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
        selections.append(_placed_ids(placed_from, placed_to))
    delivered = delivered_from is not None or delivered_to is not None
    if delivered:
        selections.append(_shipped_ids("delivered_at", delivered_from, delivered_to))
    candidates: Candidates | None = None
    if len(selections) == 1:
        candidates = selections[0]
    elif selections:
        candidates = sa.intersect(*selections)
    facts = gather_facts(session, candidates)
    if delivered:  # a shipment delivered in range; the order's last delivery must be too
        facts = [f for f in facts if _inside(f.delivered_at, delivered_from, delivered_to)]
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
    for order_id, number, units, dispatched_at, delivered_at, slip_printed_at in rows:
        found[order_id].append(
            _Sent(
                number,
                int(units),
                _local(dispatched_at),
                _local(delivered_at) if delivered_at is not None else None,
                slip_printed_at is None,
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
        documents_missing=("packing_slip",) if any(s.slip_missing for s in sent) else (),
        document_corrections=int(row.document_correction or 0),
    )


# --- the report --------------------------------------------------------------------------


def kpi_report(session: Session, *, date_from: date, date_to: date, as_of: date) -> KpiReport:
    """Every fulfilment KPI over the days ``date_from``..``date_to`` (see ``KpiReport``
    for which orders each one measures). One pass: the orders of all four populations
    are gathered together, then sorted into them."""
    check_window(date_from, date_to)
    start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
    candidates = sa.union(
        _placed_ids(start, end),
        _shipped_ids("dispatched_at", start, end),
        _shipped_ids("delivered_at", start, end),
        _due_ids(date_from, date_to),
    )
    facts = gather_facts(session, candidates)

    def still_due(f: OrderFacts) -> bool:
        promise = f.promised_dispatch_date
        return (
            f.fully_dispatched_at is None
            and promise is not None
            and date_from <= promise <= date_to
        )

    return KpiReport(
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        perfect_order=perfect_order_report(
            [f for f in facts if _inside(f.delivered_at, start, end)]
        ),
        fill_rates=fill_rate([f for f in facts if _inside(f.dispatched_at, start, end)]),
        cycle_times=cycle_times([f for f in facts if _inside(f.placed_at, start, end)]),
        on_time_dispatch=on_time_dispatch_rate(
            [f for f in facts if _inside(f.fully_dispatched_at, start, end) or still_due(f)],
            as_of=as_of,
        ),
    )
