"""Fulfilment's reactions to other areas' events, inside their transaction (ordersmith.wiring).

- an order confirmed, or released from hold back to confirmed → allocate it;
- an order cancelled → cancel its allocations (refused once anything is packed or shipped);
- stock arriving (receipt, found stock, returns, transfers in) → allocate backorders,
  oldest order first.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.errors import InvalidTransition
from ordersmith.fulfillment.allocation import allocate_order
from ordersmith.fulfillment.models import OPEN_ALLOCATION_STATUSES, Allocation, AllocationStatus
from ordersmith.fulfillment.progress_refresh import refresh_progress
from ordersmith.inventory.events import (
    StockAdjusted,
    StockReceived,
    StockReturned,
    StockTransferReceived,
    StockTransferReturned,
)
from ordersmith.inventory.ledger import is_postgresql
from ordersmith.orders.events import OrderCancelled, OrderConfirmed, OrderReleased
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.status import OrderStatus
from ordersmith.uow import UnitOfWork

BACKORDER_BATCH = 500
"""At most this many backordered orders are tried per stock arrival (oldest first)."""


def allocate_confirmed_order(uow: UnitOfWork, event: OrderConfirmed) -> None:
    allocate_order(uow, order_id=event.aggregate_id, trigger="confirmed", required=False)


def allocate_released_order(uow: UnitOfWork, event: OrderReleased) -> None:
    if event.status == OrderStatus.CONFIRMED:
        allocate_order(uow, order_id=event.aggregate_id, trigger="released", required=False)


def cancel_allocations(uow: UnitOfWork, event: OrderCancelled) -> None:
    """The order's reservations are already released by the cancellation; close the
    allocations too, unless goods are packed or gone (then the cancellation is refused)."""
    allocations = table_of(Allocation)
    packed = uow.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(allocations.c.packed_quantity), 0)).where(
            allocations.c.order_id == event.aggregate_id
        )
    )
    if packed:
        raise InvalidTransition(
            f"order {event.number} has goods packed or shipped; cancel the shipment first "
            "(or return what was delivered)",
            code="order_in_shipment",
        )
    uow.session.execute(
        sa.update(allocations)
        .where(
            allocations.c.order_id == event.aggregate_id,
            allocations.c.status.in_([s.value for s in OPEN_ALLOCATION_STATUSES]),
        )
        .values(status=AllocationStatus.CANCELLED.value, updated_at=clock.now())
    )
    refresh_progress(uow, event.aggregate_id)


def allocate_backorders_on_arrival(
    uow: UnitOfWork,
    event: StockReceived
    | StockReturned
    | StockAdjusted
    | StockTransferReceived
    | StockTransferReturned,
) -> None:
    """Stock arrived at a warehouse (a receipt, goods returned to stock, found stock, a
    transfer received there or returned there when cancelled in transit): serve the
    product's backorders."""
    if isinstance(event, StockAdjusted) and event.delta <= 0:
        return
    allocate_backorders(uow, product_ids=[event.aggregate_id])


def allocate_backorders(uow: UnitOfWork, *, product_ids: list[uuid.UUID]) -> list[str]:
    """Allocate confirmed orders waiting for these products, oldest order first, while
    stock lasts. Returns the numbers of the orders that got units."""
    orders, lines = table_of(Order), table_of(OrderLine)
    query = (
        sa.select(orders.c.id)
        .where(
            orders.c.status == OrderStatus.CONFIRMED.value,
            orders.c.id.in_(
                sa.select(lines.c.order_id).where(
                    lines.c.product_id.in_(product_ids), lines.c.backordered_quantity > 0
                )
            ),
        )
        .order_by(orders.c.created_at, orders.c.id)
        .limit(BACKORDER_BATCH)
    )
    if is_postgresql(uow.session):
        # This receipt already holds the stock row; a transaction busy with one of these
        # orders may want that row next. Skip such an order instead of deadlocking: its
        # own transaction sees the new stock once we commit.
        query = query.with_for_update(skip_locked=True)
    waiting = uow.session.execute(query).scalars()
    served = []
    for order_id in list(waiting):
        outcome = allocate_order(
            uow, order_id=order_id, trigger="stock_arrived", required=False, only_if_progress=True
        )
        if outcome is not None:
            served.append(outcome.number)
    return served
