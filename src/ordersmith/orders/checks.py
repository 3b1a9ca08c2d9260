"""Order-change invariants for ``ordersmith check`` (each query returns only what is wrong)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.checks import Violation
from ordersmith.db import table_of
from ordersmith.orders.models import Order, OrderChange


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
