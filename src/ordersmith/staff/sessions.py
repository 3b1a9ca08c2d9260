"""Server-side staff sessions: the browser holds a random token, the database only its
SHA-256; a session ends when revoked, idle too long, or past its absolute lifetime."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.staff.models import StaffSessionRow, StaffUser
from ordersmith.staff.roles import permissions_of
from ordersmith.uow import Database, UnitOfWork

SESSION_COOKIE = "ordersmith_session"
TOUCH_EVERY = timedelta(seconds=60)
"""``last_seen_at`` is written at most this often (not a write per page view)."""


@dataclass(frozen=True)
class FoundSession:
    session_id: str
    user_id: uuid.UUID
    email: str
    name: str
    role: str
    permissions: frozenset[Permission]
    csrf_token: str


def session_id_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(uow: UnitOfWork, user: StaffUser, *, user_agent: str = "") -> str:
    """Start a session for ``user``; returns the cookie's token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    uow.session.add(
        StaffSessionRow(
            id=session_id_of(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=uow.settings.session_max_hours),
            revoked_at=None,
            csrf_token=secrets.token_urlsafe(32),
            user_agent=user_agent[:300],
        )
    )
    uow.session.flush()
    return token


def revoke_session(uow: UnitOfWork, token: str) -> None:
    uow.session.execute(
        sa.update(StaffSessionRow)
        .where(StaffSessionRow.id == session_id_of(token), StaffSessionRow.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def revoke_all_sessions(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    """End every open session of a user (logout everywhere); returns how many."""
    result = uow.session.execute(
        sa.update(StaffSessionRow)
        .where(StaffSessionRow.user_id == user_id, StaffSessionRow.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def find_session(db: Database, token: str) -> FoundSession | None:
    """The live session of this cookie token, or None (unknown, revoked, idle, expired,
    or its user disabled). Refreshes ``last_seen_at`` now and then."""
    if not token or len(token) > 200:
        return None
    now = clock.now()
    idle_since = now - timedelta(minutes=db.settings.session_idle_minutes)
    session_id = session_id_of(token)
    with db.reader() as reader:
        row = reader.execute(
            sa.select(
                StaffSessionRow.last_seen_at,
                StaffSessionRow.csrf_token,
                StaffUser.id,
                StaffUser.email,
                StaffUser.name,
                StaffUser.role,
            )
            .join(StaffUser, StaffUser.id == StaffSessionRow.user_id)
            .where(
                StaffSessionRow.id == session_id,
                StaffSessionRow.revoked_at.is_(None),
                StaffSessionRow.expires_at > now,
                StaffSessionRow.last_seen_at > idle_since,
                StaffUser.active.is_(True),
            )
        ).one_or_none()
    if row is None:
        return None
    if clock.as_utc(row.last_seen_at) < now - TOUCH_EVERY:
        with db.unit_of_work(actor=f"staff:{row.email}") as uow:
            uow.session.execute(
                sa.update(StaffSessionRow)
                .where(StaffSessionRow.id == session_id)
                .values(last_seen_at=now)
            )
    return FoundSession(
        session_id=session_id,
        user_id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        permissions=permissions_of(row.role),
        csrf_token=row.csrf_token,
    )
