"""Possible duplicates across channels: same customer, same SKUs and quantities, recent."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import advisory_key, core, table_of, take_advisory_lock
from ordersmith.hot_reads import HotRead
from ordersmith.orders.models import Order
from ordersmith.orders.status import OrderStatus
from ordersmith.uow import UnitOfWork


def twin_lock(uow: UnitOfWork, customer_id: uuid.UUID, fingerprint: str) -> int | None:
    """The advisory lock key twins (same customer, same fingerprint) share, when the
    duplicate check needs one: on PostgreSQL with a duplicate window. SQLite's single
    writer serialises twins for free (None)."""
    if uow.settings.duplicate_window_minutes == 0:
        return None
    if uow.session.get_bind().dialect.name != "postgresql":
        return None
    return advisory_key(f"{customer_id}:{fingerprint}")


def recent_duplicate(
    uow: UnitOfWork, customer_id: uuid.UUID, fingerprint: str, *, locked: bool = False
) -> uuid.UUID | None:
    """The newest open order of this customer with the same lines, within the window.

    On PostgreSQL, twins first take one transaction-level advisory lock keyed by both
    (``twin_lock``), so simultaneous twins wait for each other and the later sees the
    earlier; unrelated orders never wait (no hot row). ``locked``: the caller took it
    already, in an earlier statement of this transaction (placement takes it with the
    customer's profile). The check's own statement then starts after the lock is held,
    so under READ COMMITTED it sees the twin that committed while we waited."""
    since = window_start(uow)
    if since is None:
        return None
    key = None if locked else twin_lock(uow, customer_id, fingerprint)
    if key is not None:
        take_advisory_lock(uow.session, key)
    rows = _DUPLICATE.rows(core(uow.session), duplicate_params(customer_id, fingerprint, since))
    return rows[0].id if rows else None


def window_start(uow: UnitOfWork) -> datetime | None:
    """The oldest creation time of an order a new one may duplicate; None: no check."""
    window = uow.settings.duplicate_window_minutes
    return None if window == 0 else clock.now() - timedelta(minutes=window)


def duplicate_params(customer_id: uuid.UUID, fingerprint: str, since: datetime) -> dict[str, Any]:
    """The parameters of ``duplicate_statement``."""
    return {"customer_id": customer_id, "fingerprint": fingerprint, "since": since}


def duplicate_statement(postgresql: bool = False) -> sa.Select[Any]:
    """The newest open order of the customer with the fingerprint since ``since``
    (one probe of ix_orders_customer_fingerprint, however many orders the customer
    placed in the window); a hot read (it runs on every placement)."""
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


_DUPLICATE = HotRead(duplicate_statement)
