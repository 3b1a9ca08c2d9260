"""Taking an order's row lock: every change to an order starts here."""

from __future__ import annotations

import uuid
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
