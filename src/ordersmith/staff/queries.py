"""Read side of staff users: the list (keyset-paginated) without password hashes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.staff.models import StaffSessionRow, StaffUser


@dataclass(frozen=True)
class StaffUserSummary:
    id: uuid.UUID
    email: str
    name: str
    role: str
    active: bool
    locked_until: datetime | None
    open_sessions: int
    created_at: datetime


def list_staff_users(
    session: Session, *, limit: int = 100, after: tuple[datetime, uuid.UUID] | None = None
) -> list[StaffUserSummary]:
    """Users in the order they were created; ``after`` = the last row's (created_at, id)."""
    now = clock.now()
    open_sessions = (
        sa.select(sa.func.count())
        .select_from(StaffSessionRow)
        .where(
            StaffSessionRow.user_id == StaffUser.id,
            StaffSessionRow.revoked_at.is_(None),
            StaffSessionRow.expires_at > now,
        )
        .scalar_subquery()
    )
    query = sa.select(StaffUser, open_sessions).order_by(StaffUser.created_at, StaffUser.id)
    if after is not None:
        query = query.where(sa.tuple_(StaffUser.created_at, StaffUser.id) > sa.tuple_(*after))
    rows = session.execute(query.limit(limit)).all()
    return [
        StaffUserSummary(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            active=user.active,
            locked_until=clock.as_utc(user.locked_until) if user.locked_until else None,
            open_sessions=int(count or 0),
            created_at=clock.as_utc(user.created_at),
        )
        for user, count in rows
    ]
