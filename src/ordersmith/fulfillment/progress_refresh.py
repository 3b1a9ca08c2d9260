"""Storing an order's fulfilment status, recomputed from its line quantities.

The rule itself is pure (ordersmith.fulfillment.progress); every service that moves
quantities (allocation, a short pick, cancellation, dispatch, delivery) calls
``refresh_progress`` in its transaction. Until the order's first allocation decision,
its reserved and backordered units do not count.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.fulfillment import progress
from ordersmith.fulfillment.models import AllocationDecision
from ordersmith.orders.models import Order, OrderLine
from ordersmith.uow import UnitOfWork


def allocation_decided(uow: UnitOfWork, order_id: uuid.UUID) -> bool:
    """Whether an allocation decision was ever recorded for the order."""
    decisions = table_of(AllocationDecision)
    found = uow.session.scalar(
        sa.select(decisions.c.id).where(decisions.c.order_id == order_id).limit(1)
    )
    return found is not None


def refresh_progress(uow: UnitOfWork, order_id: uuid.UUID) -> str:
    """Recompute and store the order's fulfilment status from its quantities."""
    lines, products = table_of(OrderLine), table_of(Product)
    rows = uow.session.execute(
        sa.select(
            lines.c.quantity,
            lines.c.reserved_quantity,
            lines.c.backordered_quantity,
            lines.c.shipped_quantity,
            lines.c.delivered_quantity,
            products.c.stocked,
        )
        .join(products, products.c.id == lines.c.product_id)
        .where(lines.c.order_id == order_id)
    )
    allocated = allocation_decided(uow, order_id)
    line_progress = [
        progress.LineProgress(
            r.quantity,
            r.reserved_quantity if allocated else 0,
            r.backordered_quantity if allocated else 0,
            r.shipped_quantity,
            r.delivered_quantity,
            r.stocked,
        )
        for r in rows
    ]
    status = progress.fulfilment_status(line_progress).value
    orders = table_of(Order)
    uow.session.execute(
        sa.update(orders).where(orders.c.id == order_id).values(fulfilment_status=status)
    )
    return status
