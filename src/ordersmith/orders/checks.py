"""Order-change invariants for ``ordersmith check`` (each query returns only what is wrong)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.checks import Violation
from ordersmith.db import table_of
from ordersmith.orders.models import Order, OrderChange, OrderLine


def versions_match_changes(session: Session) -> list[Violation]:
    """An order that was changed is at the version of its newest change (ADR 0020)."""
    orders, changes = table_of(Order), table_of(OrderChange)
    newest = (
        sa.select(changes.c.order_id, sa.func.max(changes.c.version).label("v"))
        .group_by(changes.c.order_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(orders.c.number, orders.c.version, newest.c.v)
        .join(newest, newest.c.order_id == orders.c.id)
        .where(orders.c.version != newest.c.v)
    ).all()
    return [
        Violation(
            "order_versions_match_changes",
            f"order {r[0]} is at version {r[1]} but its newest change is version {r[2]}",
        )
        for r in rows
    ]


def lines_carry_order_created_at(session: Session) -> list[Violation]:
    """Every line carries its order's ``created_at``: the order search by SKU pages on
    the line's copy (ADR 0039), so a line that differs is listed out of place."""
    orders, lines = table_of(Order), table_of(OrderLine)
    rows = session.execute(
        sa.select(orders.c.number, lines.c.line_no, lines.c.order_created_at, orders.c.created_at)
        .join(orders, orders.c.id == lines.c.order_id)
        .where(lines.c.order_created_at != orders.c.created_at)
        .order_by(orders.c.number, lines.c.line_no)
    ).all()
    return [
        Violation(
            "lines_carry_order_created_at",
            f"order {r[0]} line {r[1]} says the order was created at {r[2].isoformat()} "
            f"but it was created at {r[3].isoformat()}",
        )
        for r in rows
    ]
