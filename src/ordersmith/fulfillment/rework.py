"""Fulfilment's side of changing an order after confirmation (ordersmith.orders.changes).

- ``lock_allocations``: the orders' allocations no pick list holds yet, locked (the
  caller holds the orders: ADR 0020's lock order is the order, then its allocations);
- ``picked_units``: what of the orders is on a started pick list, picked, packed or
  shipped — once anything is, only the shipping address and notes may change;
- ``open_allocation_count``: whether the order's reservation is held by allocations;
- ``drop_allocations``: the order's allocations that no pick list holds yet are
  cancelled, so its whole reservation is free to be re-planned;
- ``reallocate``: the changed (confirmed) order is allocated again through the one
  allocation path (ordersmith.fulfillment.allocation), trigger ``changed``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.fulfillment.allocation import allocate_order
from ordersmith.fulfillment.models import OPEN_ALLOCATION_STATUSES, Allocation, AllocationStatus
from ordersmith.fulfillment.progress_refresh import refresh_progress
from ordersmith.orders.models import Order, OrderLine
from ordersmith.uow import UnitOfWork

STARTED = frozenset(
    {
        AllocationStatus.PICKING,
        AllocationStatus.PICKED,
        AllocationStatus.PACKED,
        AllocationStatus.SHIPPED,
    }
)


def lock_allocations(uow: UnitOfWork, order_ids: Iterable[uuid.UUID]) -> None:
    """Lock the orders' ``allocated`` allocations (in id order) before reading what is
    picked: no pick list can take them between the check and ``drop_allocations``.
    Allocations already on a pick list are not locked: a pick confirmation holds them
    and may want the order next (a short pick re-allocates it)."""
    alloc = table_of(Allocation)
    uow.session.execute(
        sa.select(alloc.c.id)
        .where(
            alloc.c.order_id.in_(sorted(set(order_ids), key=str)),
            alloc.c.status == AllocationStatus.ALLOCATED.value,
        )
        .order_by(alloc.c.id)
        .with_for_update()
    ).all()


def picked_units(uow: UnitOfWork, order_ids: Iterable[uuid.UUID]) -> list[dict[str, Any]]:
    """Per order line, the units on a started pick list or further along (picked,
    packed, shipped), plus units shipped without an allocation record; [] if none."""
    alloc, lines, orders = table_of(Allocation), table_of(OrderLine), table_of(Order)
    ids = list(order_ids)
    started = uow.session.execute(
        sa.select(
            orders.c.number,
            lines.c.line_no,
            lines.c.sku,
            sa.func.sum(alloc.c.quantity).label("units"),
        )
        .join(lines, lines.c.id == alloc.c.line_id)
        .join(orders, orders.c.id == alloc.c.order_id)
        .where(
            alloc.c.order_id.in_(ids),
            alloc.c.status.in_([s.value for s in STARTED]),
        )
        .group_by(orders.c.number, lines.c.line_no, lines.c.sku)
        .order_by(orders.c.number, lines.c.line_no)
    ).all()
    found = {(r.number, r.line_no): r for r in started}
    shipped = uow.session.execute(
        sa.select(orders.c.number, lines.c.line_no, lines.c.sku, lines.c.shipped_quantity)
        .join(orders, orders.c.id == lines.c.order_id)
        .where(lines.c.order_id.in_(ids), lines.c.shipped_quantity > 0)
    ).all()
    result = [
        {"order": r.number, "line_no": r.line_no, "sku": r.sku, "quantity": int(r.units)}
        for r in started
    ]
    result += [
        {"order": r.number, "line_no": r.line_no, "sku": r.sku, "quantity": r.shipped_quantity}
        for r in shipped
        if (r.number, r.line_no) not in found
    ]
    return sorted(result, key=lambda r: (r["order"], r["line_no"]))


def open_allocation_count(uow: UnitOfWork, order_id: uuid.UUID) -> int:
    alloc = table_of(Allocation)
    return int(
        uow.session.scalar(
            sa.select(sa.func.count())
            .select_from(alloc)
            .where(
                alloc.c.order_id == order_id,
                alloc.c.status.in_([s.value for s in OPEN_ALLOCATION_STATUSES]),
            )
        )
        or 0
    )


def drop_allocations(uow: UnitOfWork, order_id: uuid.UUID) -> int:
    """Cancel the order's allocations no pick list holds (the caller made sure none is
    further along). The reservation stays with the order. Returns how many."""
    alloc = table_of(Allocation)
    result = uow.session.execute(
        sa.update(alloc)
        .where(
            alloc.c.order_id == order_id,
            alloc.c.status == AllocationStatus.ALLOCATED.value,
        )
        .values(status=AllocationStatus.CANCELLED.value, updated_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def reallocate(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    """Allocate a changed confirmed order again; a cancelled one only has its
    fulfilment status refreshed. The change's consequence, run as the system (ADR 0023):
    the user was allowed the change, not necessarily fulfilment's work."""
    with uow.as_system():
        outcome = allocate_order(uow, order_id=order_id, trigger="changed", required=False)
    if outcome is None:
        refresh_progress(uow, order_id)
