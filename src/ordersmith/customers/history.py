"""The customer's audit trail: append-only rows of who did what, when (ADR 0022).

Tier changes, merges, unmerges and contact changes are written here, next to the
domain events the unit of work puts in the outbox. Rows are never updated or deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.customers.models import CustomerHistory
from ordersmith.db import core, insert_rows, table_of
from ordersmith.ids import new_id
from ordersmith.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: uuid.UUID
    customer_id: uuid.UUID
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]


def history_row(
    uow: UnitOfWork, customer_id: uuid.UUID, action: str, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "customer_id": customer_id,
        "at": clock.now(),
        "actor": uow.actor,
        "action": action,
        "details": details,
    }


def record_history(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> None:
    """Append history rows (see ``history_row``) in one statement."""
    if rows:
        insert_rows(core(uow.session), table_of(CustomerHistory), list(rows))


def customer_history(
    session: Session,
    customer_id: uuid.UUID,
    *,
    limit: int = 50,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> list[HistoryEntry]:
    """Newest first, keyset on (at, id) (``ix_customer_history_customer``)."""
    t = table_of(CustomerHistory)
    query = sa.select(t).where(t.c.customer_id == customer_id)
    if before is not None:
        query = query.where(sa.tuple_(t.c.at, t.c.id) < sa.tuple_(*before))
    query = query.order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)
    return [
        HistoryEntry(r.id, r.customer_id, r.at, r.actor, r.action, dict(r.details))
        for r in session.execute(query)
    ]
