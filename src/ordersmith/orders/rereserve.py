"""Re-reserving an order's stock after its lines changed, in the caller's transaction.

Each line keeps the units it has reserved, up to its new quantity. Units a line gives up
(a lower quantity, a cancelled line, units moved to another order) first serve other
lines of the same SKU that want more; the rest are released through the ledger. What
lines still want is reserved like a placement (``ordersmith.inventory.reservations``):
with the order's backorder policy ``reject`` a shortfall raises InsufficientStock and
the caller's unit of work rolls back — nothing changes; with ``backorder`` the rest is
backordered. On PostgreSQL every stock row of the order's SKUs is locked first, in
(warehouse, product) order, so the release and the reservation cannot deadlock with
placements (which lock in the same order). Oversold units: zero.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ordersmith.config import BackorderPolicy
from ordersmith.db import insert_rows, table_of
from ordersmith.inventory import ledger
from ordersmith.inventory.ledger import Key
from ordersmith.inventory.models import StockLevel
from ordersmith.inventory.planning import Demand
from ordersmith.inventory.reservations import release, reserve
from ordersmith.lock_order import refuse_stock_lock
from ordersmith.orders.models import OrderReservation
from ordersmith.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class LineTarget:
    """One line of the order after the change."""

    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    stocked: bool
    quantity: int  # units still to ship (quantity - shipped)
    reserved: int  # units it holds now (0 for a new line)
    old_quantity: int = 0  # units it had to ship before the change (0 for a new line)
    warehouse_id: uuid.UUID | None = None  # pinned


@dataclass(frozen=True, slots=True)
class LineStock:
    reserved: int
    backordered: int


def own_reservations(uow: UnitOfWork, order_id: uuid.UUID) -> dict[Key, int]:
    res = table_of(OrderReservation)
    return {
        (r.warehouse_id, r.product_id): int(r.quantity)
        for r in uow.session.execute(
            sa.select(res.c.warehouse_id, res.c.product_id, res.c.quantity).where(
                res.c.order_id == order_id, res.c.quantity > 0
            )
        )
    }


def lock_stock(uow: UnitOfWork, product_ids: Sequence[uuid.UUID]) -> None:
    """PostgreSQL: lock every stock row of these products, in (warehouse, product) order
    (SQLite serialises writers already)."""
    refuse_stock_lock(uow.session)
    if not product_ids or not ledger.is_postgresql(uow.session):
        return
    levels = table_of(StockLevel)
    uow.session.execute(
        sa.select(levels.c.warehouse_id)
        .where(levels.c.product_id.in_(sorted(set(product_ids))))
        .order_by(levels.c.warehouse_id, levels.c.product_id)
        .with_for_update()
    ).all()


def rebalance(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    number: str,
    lines: Sequence[LineTarget],
    policy: BackorderPolicy,
    current: dict[Key, int] | None = None,
    hand_over: dict[Key, int] | None = None,
) -> dict[uuid.UUID, LineStock]:
    """Make the order's reservation match ``lines``; each line's reserved and
    backordered units afterwards. ``current``: the reservation to start from (default:
    the order's own rows), e.g. the units a split hands to its new order. ``hand_over``:
    units given up are added here (still reserved, for the caller to give to another
    order) instead of being released."""
    held = own_reservations(uow, order_id) if current is None else dict(current)
    lock_stock(uow, sorted({line.product_id for line in lines} | {p for _w, p in held}))
    keep = {line.id: min(line.reserved, line.quantity) if line.stocked else 0 for line in lines}
    goal = {  # what a line should hold: its units, plus any it gained (a backorder stays)
        line.id: min(line.quantity, line.reserved + max(0, line.quantity - line.old_quantity))
        if line.stocked
        else 0
        for line in lines
    }
    surplus: dict[uuid.UUID, int] = {}
    for (_w, p), q in held.items():
        surplus[p] = surplus.get(p, 0) + q
    for line in lines:
        surplus[line.product_id] = surplus.get(line.product_id, 0) - keep[line.id]
    reserved = dict(keep)
    for line in lines:  # units given up by one line serve another of the same SKU first
        want = goal[line.id] - reserved[line.id]
        if want > 0 and line.warehouse_id is None and surplus.get(line.product_id, 0) > 0:
            took = min(want, surplus[line.product_id])
            surplus[line.product_id] -= took
            reserved[line.id] += took

    pinned = {(line.product_id, line.warehouse_id) for line in lines if line.warehouse_id}
    freed: dict[Key, int] = {}
    for product_id, units in sorted(surplus.items(), key=lambda kv: str(kv[0])):
        keys = sorted(
            (k for k in held if k[1] == product_id),
            key=lambda k: ((product_id, k[0]) in pinned, str(k[0])),
        )
        for key in keys:
            if units <= 0:
                break
            took = min(units, held[key])
            freed[key] = took
            units -= took
    if hand_over is None:
        release(uow, taken=freed, source_type="order", source_id=number, reason="order changed")
    else:
        for key, q in freed.items():
            hand_over[key] = hand_over.get(key, 0) + q

    demands = [
        Demand(line.product_id, goal[line.id] - reserved[line.id], line.warehouse_id)
        for line in lines
        if goal[line.id] > reserved[line.id]
    ]
    labels = {line.product_id: line.sku for line in lines}
    got = reserve(
        uow,
        demands=demands,
        allow_partial=policy is BackorderPolicy.BACKORDER,
        source_type="order",
        source_id=number,
        labels=labels,
    )
    if got.short and policy is BackorderPolicy.REJECT:
        uow.record_even_if_failed(*got.shortage_events)
        raise got.shortage_error(
            demands,
            labels,
            wanted="more wanted",
            intro="not enough stock for the change:",
            outro="; nothing was changed",
        )
    pools = {key: dict(per_wh) for key, per_wh in got.by_demand.items()}
    for line in lines:
        need = goal[line.id] - reserved[line.id]
        pool = pools.get((line.warehouse_id, line.product_id), {})
        for wh in sorted(pool):
            took = min(need, pool[wh])
            pool[wh] -= took
            need -= took
            reserved[line.id] += took

    target = dict(held)
    for key, q in freed.items():
        target[key] -= q
    for key, q in got.taken.items():
        target[key] = target.get(key, 0) + q
    write_reservations(uow, order_id, target)
    uow.record(*got.events, *got.shortage_events)
    return {
        line.id: LineStock(
            reserved[line.id], line.quantity - reserved[line.id] if line.stocked else 0
        )
        for line in lines
    }


def write_reservations(uow: UnitOfWork, order_id: uuid.UUID, target: dict[Key, int]) -> None:
    res = table_of(OrderReservation)
    uow.session.execute(sa.delete(res).where(res.c.order_id == order_id))
    rows = [
        {"order_id": order_id, "warehouse_id": w, "product_id": p, "quantity": q}
        for (w, p), q in sorted(target.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))
        if q > 0
    ]
    if rows:
        insert_rows(uow.session.connection(), res, rows)
