"""Which allocations a pick wave takes: one rule for the wave (``picking``) and the
warehouse's work queue (``work_queue.ready_to_pick``), so the queue never offers an
order the wave would refuse; and how a wave takes them (``ready_allocations``)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from ordersmith.db import advisory_key, table_of, take_advisory_lock
from ordersmith.fulfillment.models import Allocation, AllocationStatus
from ordersmith.inventory import ledger
from ordersmith.inventory.models import StockLevel
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus
from ordersmith.uow import UnitOfWork


def awaiting_pick(warehouse_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """WHERE clause: allocations at the warehouse with units on no pick list yet. A wave
    takes those of ready orders; the work queue counts them by order (``ready_to_pick``)."""
    allocations = table_of(Allocation)
    return sa.and_(
        allocations.c.warehouse_id == warehouse_id,
        allocations.c.status == AllocationStatus.ALLOCATED.value,
        allocations.c.quantity > 0,
    )


def ready_for_a_wave() -> sa.ColumnElement[bool]:
    """WHERE clause on orders: those a wave picks for: confirmed (not on hold), and a
    ship-complete order only once nothing of it waits for stock."""
    orders, lines = table_of(Order), table_of(OrderLine)
    waiting_for_rest = sa.select(lines.c.order_id).where(lines.c.backordered_quantity > 0)
    return sa.and_(
        orders.c.status == OrderStatus.CONFIRMED.value,
        sa.or_(orders.c.ship_policy != "ship_complete", orders.c.id.not_in(waiting_for_rest)),
    )


def ready_allocations(
    uow: UnitOfWork, warehouse_id: uuid.UUID, max_orders: int, order_ids: list[uuid.UUID] | None
) -> list[Any]:
    """The allocations a wave takes, with what its lines print (SKU, name, bin): those
    of the oldest ready orders at the warehouse (or exactly ``order_ids``), at most
    ``max_orders`` orders. On PostgreSQL the orders are locked before their allocations
    and the allocations ``FOR UPDATE SKIP LOCKED``, after the warehouse's wave turn."""
    allocations, orders, levels = table_of(Allocation), table_of(Order), table_of(StockLevel)
    lines = table_of(OrderLine)
    ready_orders = (
        sa.select(orders.c.id)
        .where(
            ready_for_a_wave(),
            orders.c.id.in_(sa.select(allocations.c.order_id).where(awaiting_pick(warehouse_id))),
        )
        .order_by(orders.c.created_at, orders.c.id)
        .limit(max_orders)
    )
    if order_ids is not None:
        ready_orders = ready_orders.where(orders.c.id.in_(order_ids))
    taken = ready_orders.scalar_subquery()
    on_postgresql = ledger.is_postgresql(uow.session)
    if on_postgresql:
        _take_the_wave_turn(uow, warehouse_id)
        # The orders (id order) before their allocations (ADR 0013, 0020): a change or
        # cancellation holds its order, then closes the allocations. FOR KEY SHARE:
        # two waves share an order; a change in progress is waited for.
        locked = list(
            uow.session.scalars(
                sa.select(orders.c.id)
                .where(orders.c.id.in_(taken))
                .order_by(orders.c.id)
                .with_for_update(key_share=True, read=True)
            )
        )
        if not locked:
            return []
        # still ready when read again (a fresh snapshot once any change committed)
        ready_locked = sa.and_(
            allocations.c.order_id.in_(locked), allocations.c.order_id.in_(taken)
        )
    else:
        ready_locked = allocations.c.order_id.in_(taken)
    query = (
        sa.select(
            allocations.c.id,
            allocations.c.order_id,
            allocations.c.line_id,
            allocations.c.product_id,
            allocations.c.quantity,
            lines.c.sku,
            lines.c.name,
            levels.c.bin_location,
            orders.c.created_at,
        )
        .join(lines, lines.c.id == allocations.c.line_id)
        .join(orders, orders.c.id == allocations.c.order_id)
        .outerjoin(
            levels,
            sa.and_(
                levels.c.warehouse_id == allocations.c.warehouse_id,
                levels.c.product_id == allocations.c.product_id,
            ),
        )
        .where(awaiting_pick(warehouse_id), ready_locked)
        .order_by(allocations.c.id)
    )
    if on_postgresql:  # two waves at once never take the same units
        query = query.with_for_update(of=allocations, skip_locked=True)
    return list(uow.session.execute(query).mappings())


def _take_the_wave_turn(uow: UnitOfWork, warehouse_id: uuid.UUID) -> None:
    """Waves at one warehouse choose their orders one at a time (PostgreSQL; ADR 0050).

    A transaction advisory lock keyed by the warehouse, taken before any row lock and
    held to the commit: a second wave waits until the first committed, and its choice,
    a later statement under READ COMMITTED, sees the first's allocations taken and
    chooses the next orders. Without it both chose the same oldest orders and the
    second, skipping the allocations the first held, found nothing to pick. Only waves
    take it, first, so it joins no cycle with the row locks of changes and picks."""
    take_advisory_lock(uow.session, advisory_key(f"pick_wave:{warehouse_id}"))
