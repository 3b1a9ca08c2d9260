"""Possible duplicates across channels: same customer, same SKUs and quantities, recent."""

from __future__ import annotations

import functools
import hashlib
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import core, table_of
from ordersmith.orders.models import Order
from ordersmith.orders.status import OrderStatus
from ordersmith.uow import UnitOfWork


def recent_duplicate(uow: UnitOfWork, customer_id: uuid.UUID, fingerprint: str) -> uuid.UUID | None:
    """The newest open order of this customer with the same lines, within the window.

    On PostgreSQL, twins (same customer, same fingerprint) first take one transaction-level
    advisory lock keyed by both, so simultaneous twins wait for each other and the later
    sees the earlier; unrelated orders never wait (no hot row). SQLite's single writer
    gives the same for free."""
    window = uow.settings.duplicate_window_minutes
    if window == 0:
        return None
    if uow.session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256(f"{customer_id}:{fingerprint}".encode()).digest()
        twin_key = int.from_bytes(digest[:8], "big", signed=True)
        uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock(twin_key)))
    found: uuid.UUID | None = core(uow.session).scalar(
        _duplicate_statement(),
        {
            "customer_id": customer_id,
            "fingerprint": fingerprint,
            "since": clock.now() - timedelta(minutes=window),
        },
    )
    return found


@functools.cache
def _duplicate_statement() -> sa.Select[Any]:
    """Built once (it runs on every placement); served by ix_orders_customer_created."""
    orders = table_of(Order)
    return (
        sa.select(orders.c.id)
        .where(
            orders.c.customer_id == sa.bindparam("customer_id", type_=sa.Uuid()),
            orders.c.created_at >= sa.bindparam("since", type_=orders.c.created_at.type),
            orders.c.lines_fingerprint == sa.bindparam("fingerprint"),
            orders.c.status.not_in([OrderStatus.CANCELLED.value, OrderStatus.DRAFT.value]),
        )
        .order_by(orders.c.created_at.desc())
        .limit(1)
    )
