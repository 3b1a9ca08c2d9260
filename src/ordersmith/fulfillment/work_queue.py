"""Read side of a warehouse's day: what waits for stock, to be picked, to be packed.

Each list is one statement walking an index, oldest first, cut at ``limit`` (a work
queue shows the next jobs, not a count of all of them):

- waiting for stock: confirmed orders with backordered units (``ix_orders_status_created``);
- ready to pick / to pack: a warehouse's allocations by status (``ix_allocations_work``),
  grouped by order;
- open pick lists: ``ix_pick_lists_warehouse``.

Shipments still in the building are ``ordersmith.shipping.queries.list_shipments``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import table_of
from ordersmith.fulfillment.models import (
    Allocation,
    AllocationStatus,
    PickList,
    PickListLine,
    PickListStatus,
)
from ordersmith.fulfillment.wave_rules import awaiting_pick, ready_for_a_wave
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus

QUEUE_LIMIT = 50


@dataclass(frozen=True, slots=True)
class QueuedOrder:
    """An order in a work queue: how many of its lines and units wait for this step."""

    id: uuid.UUID
    number: str
    status: str
    created_at: datetime
    promised_dispatch_date: date | None
    lines: int
    units: int


@dataclass(frozen=True, slots=True)
class OpenPickList:
    number: str
    created_at: datetime
    created_by: str
    lines: int


def waiting_for_stock(session: Session, *, limit: int = QUEUE_LIMIT) -> list[QueuedOrder]:
    """Confirmed orders with backordered units, oldest first (any warehouse may serve
    them: allocation chooses)."""
    orders, lines = table_of(Order), table_of(OrderLine)
    short = sa.exists().where(lines.c.order_id == orders.c.id, lines.c.backordered_quantity > 0)
    heads = session.execute(
        sa.select(
            orders.c.id,
            orders.c.number,
            orders.c.status,
            orders.c.created_at,
            orders.c.promised_dispatch_date,
        )
        .where(orders.c.status == OrderStatus.CONFIRMED.value, short)
        .order_by(orders.c.created_at, orders.c.id)
        .limit(limit)
    ).all()
    counts = {
        r.order_id: (r.lines, r.units)
        for r in session.execute(
            sa.select(
                lines.c.order_id,
                sa.func.count().label("lines"),
                sa.func.sum(lines.c.backordered_quantity).label("units"),
            )
            .where(lines.c.order_id.in_([h.id for h in heads]), lines.c.backordered_quantity > 0)
            .group_by(lines.c.order_id)
        )
    }
    return [QueuedOrder(*h[:2], str(h[2]), *h[3:], *counts.get(h.id, (0, 0))) for h in heads]


def _orders_with_allocations(
    session: Session,
    waiting: sa.ColumnElement[bool],
    units: sa.ColumnElement[int],
    limit: int,
) -> list[QueuedOrder]:
    """The orders of the ``waiting`` allocations, each with its number of them and their
    ``units``, oldest first: one grouped statement."""
    allocations, orders = table_of(Allocation), table_of(Order)
    work = (
        sa.select(
            allocations.c.order_id,
            sa.func.count().label("lines"),
            sa.func.sum(units).label("units"),
            sa.func.min(allocations.c.created_at).label("since"),
        )
        .where(waiting)
        .group_by(allocations.c.order_id)
        .order_by(sa.func.min(allocations.c.created_at), allocations.c.order_id)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            orders.c.id,
            orders.c.number,
            orders.c.status,
            orders.c.created_at,
            orders.c.promised_dispatch_date,
            work.c.lines,
            work.c.units,
        )
        .join(work, work.c.order_id == orders.c.id)
        .order_by(work.c.since, orders.c.id)
    )
    return [QueuedOrder(*r[:2], str(r[2]), *r[3:]) for r in rows]


def ready_to_pick(
    session: Session, warehouse_id: uuid.UUID, *, limit: int = QUEUE_LIMIT
) -> list[QueuedOrder]:
    """Orders a wave would pick now: units allocated at the warehouse on no pick list
    yet, of an order ready for a wave (confirmed, not on hold; a ship-complete order
    with nothing waiting for stock). ``create_pick_list`` applies the same rule."""
    allocations, orders = table_of(Allocation), table_of(Order)
    ready = sa.select(orders.c.id).where(ready_for_a_wave())
    return _orders_with_allocations(
        session,
        sa.and_(awaiting_pick(warehouse_id), allocations.c.order_id.in_(ready)),
        allocations.c.quantity,
        limit,
    )


def to_pack(
    session: Session, warehouse_id: uuid.UUID, *, limit: int = QUEUE_LIMIT
) -> list[QueuedOrder]:
    """Orders with units picked at the warehouse and not yet packed into a shipment."""
    allocations = table_of(Allocation)
    units = allocations.c.picked_quantity - allocations.c.packed_quantity
    picked = sa.and_(
        allocations.c.warehouse_id == warehouse_id,
        allocations.c.status == AllocationStatus.PICKED.value,
        units > 0,
    )
    return _orders_with_allocations(session, picked, units, limit)


def open_pick_lists(
    session: Session, warehouse_id: uuid.UUID, *, limit: int = QUEUE_LIMIT
) -> list[OpenPickList]:
    """The warehouse's open pick lists, oldest first, with their number of lines."""
    lists, lines = table_of(PickList), table_of(PickListLine)
    count = (
        sa.select(sa.func.count())
        .where(lines.c.pick_list_id == lists.c.id)
        .correlate(lists)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(lists.c.number, lists.c.created_at, lists.c.created_by, count)
        .where(lists.c.warehouse_id == warehouse_id, lists.c.status == PickListStatus.OPEN.value)
        .order_by(lists.c.created_at, lists.c.id)
        .limit(limit)
    )
    return [OpenPickList(*r) for r in rows]
