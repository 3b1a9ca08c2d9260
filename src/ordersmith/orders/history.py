"""Appending to orders' history (append-only: never updated or deleted)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.ids import new_id
from ordersmith.orders.models import OrderHistory
from ordersmith.uow import UnitOfWork


def note_on_orders(
    uow: UnitOfWork,
    orders: Iterable[tuple[uuid.UUID, str]],
    *,
    action: str,
    reason: str,
    details: dict[str, Any] | None = None,
    from_status: str | None = None,
    at: datetime | None = None,
) -> None:
    """One history row per (order id, status now) for something that happened to the
    orders without changing their status (allocated, packed, dispatched...); give
    ``from_status`` when the status did change."""
    when = at or clock.now()
    rows = [
        {
            "id": new_id(),
            "order_id": order_id,
            "at": when,
            "actor": uow.actor,
            "action": action,
            "from_status": from_status or status,
            "to_status": status,
            "reason": reason,
            "details": details or {},
        }
        for order_id, status in orders
    ]
    if rows:
        uow.session.execute(sa.insert(table_of(OrderHistory)), rows)
