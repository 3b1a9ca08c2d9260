"""Fulfilment invariants for ``ordersmith check`` (each query returns only what is wrong)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.checks import Violation
from ordersmith.db import table_of
from ordersmith.fulfillment.models import (
    OPEN_ALLOCATION_STATUSES,
    Allocation,
    AllocationDecision,
    AllocationStatus,
)
from ordersmith.orders.models import OrderLine, OrderReservation


def allocations_match_reservations(session: Session) -> list[Violation]:
    """For every allocated order, per (warehouse, product): units allocated and not yet
    shipped == the order's reservation there. Compared from both sides."""
    alloc, res, decisions = (
        table_of(Allocation),
        table_of(OrderReservation),
        table_of(AllocationDecision),
    )
    allocated_orders = sa.select(decisions.c.order_id).distinct().subquery()
    open_alloc = (
        sa.select(
            alloc.c.order_id,
            alloc.c.warehouse_id,
            alloc.c.product_id,
            sa.func.sum(alloc.c.quantity - alloc.c.shipped_quantity).label("q"),
        )
        .where(alloc.c.status.in_([s.value for s in OPEN_ALLOCATION_STATUSES]))
        .group_by(alloc.c.order_id, alloc.c.warehouse_id, alloc.c.product_id)
    )
    held = sa.select(
        res.c.order_id,
        res.c.warehouse_id,
        res.c.product_id,
        sa.func.sum(res.c.quantity).label("q"),
    ).group_by(res.c.order_id, res.c.warehouse_id, res.c.product_id)
    sides = {}
    for name, query in (("allocated", open_alloc), ("reserved", held)):
        sub = query.subquery()
        rows = session.execute(
            sa.select(sub.c.order_id, sub.c.warehouse_id, sub.c.product_id, sub.c.q).join(
                allocated_orders, allocated_orders.c.order_id == sub.c.order_id
            )
        )
        sides[name] = {(r[0], r[1], r[2]): r[3] for r in rows if r[3]}
    keys = set(sides["allocated"]) | set(sides["reserved"])
    return [
        Violation(
            "allocations_match_reservations",
            f"order {o} warehouse {w} product {p}: allocated {sides['allocated'].get((o, w, p), 0)}"
            f", reserved {sides['reserved'].get((o, w, p), 0)}",
        )
        for (o, w, p) in sorted(keys, key=str)
        if sides["allocated"].get((o, w, p), 0) != sides["reserved"].get((o, w, p), 0)
    ]


def lines_match_shipped_allocations(session: Session) -> list[Violation]:
    """A line's shipped quantity == the units its allocations shipped; never more than ordered."""
    alloc, lines = table_of(Allocation), table_of(OrderLine)
    shipped = (
        sa.select(alloc.c.line_id, sa.func.sum(alloc.c.shipped_quantity).label("q"))
        .where(alloc.c.status != AllocationStatus.CANCELLED.value)
        .group_by(alloc.c.line_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(lines.c.order_id, lines.c.line_no, lines.c.shipped_quantity, shipped.c.q)
        .join(shipped, shipped.c.line_id == lines.c.id)
        .where(
            sa.or_(
                lines.c.shipped_quantity != shipped.c.q,
                lines.c.shipped_quantity > lines.c.quantity,
            )
        )
    )
    return [
        Violation(
            "lines_match_shipped_allocations",
            f"order {r[0]} line {r[1]}: line says {r[2]} shipped, allocations {r[3]}",
        )
        for r in rows
    ]
