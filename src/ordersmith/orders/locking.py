"""Taking orders' row locks: every change to an order starts here.

Several orders are locked in one statement, in id order (as every multi-order lock is
taken), so two units of work locking overlapping sets cannot deadlock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ordersmith.db import table_of
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.models import Order
from ordersmith.uow import UnitOfWork


def lock_order(uow: UnitOfWork, order_id: uuid.UUID) -> Any:
    """The order's row (a mapping), locked for this unit of work; OrderNotFound if none."""
    orders = table_of(Order)
    row = (
        uow.session.execute(sa.select(orders).where(orders.c.id == order_id).with_for_update())
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise OrderNotFound(f"no order {order_id}")
    return row


def lock_orders(uow: UnitOfWork, order_ids: Iterable[uuid.UUID]) -> list[Any]:
    """The orders' rows (mappings) in id order, locked for this unit of work;
    OrderNotFound naming the first missing id if any is not on file."""
    orders = table_of(Order)
    wanted = sorted(set(order_ids), key=str)
    rows = list(
        uow.session.execute(
            sa.select(orders).where(orders.c.id.in_(wanted)).order_by(orders.c.id).with_for_update()
        ).mappings()
    )
    missing = set(wanted) - {r["id"] for r in rows}
    if missing:
        raise OrderNotFound(f"no order {sorted(missing, key=str)[0]}")
    return rows
