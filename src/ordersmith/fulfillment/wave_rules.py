"""Which allocations a pick wave takes: one rule for the wave (``picking``) and the
warehouse's work queue (``work_queue.ready_to_pick``), so the queue never offers an
order the wave would refuse."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ordersmith.db import table_of
from ordersmith.fulfillment.models import Allocation, AllocationStatus
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus


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
