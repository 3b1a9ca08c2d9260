"""Server-side staff sessions (the shared mechanics: ``ordersmith.auth.sessions``): the
browser holds a random token, the database only its SHA-256; a session ends when
revoked, idle too long, or past its absolute lifetime."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from ordersmith.auth import sessions as shared
from ordersmith.auth.permissions import Permission
from ordersmith.auth.sessions import session_id_of
from ordersmith.staff.models import StaffSessionRow, StaffUser
from ordersmith.staff.roles import permissions_of
from ordersmith.uow import Database, UnitOfWork

__all__ = ["SESSION_COOKIE", "FoundSession", "find_session", "open_session", "session_id_of"]

SESSION_COOKIE = "ordersmith_session"


@dataclass(frozen=True)
class FoundSession:
    session_id: str
    user_id: uuid.UUID
    email: str
    name: str
    role: str
    permissions: frozenset[Permission]
    csrf_token: str


def open_session(uow: UnitOfWork, user: StaffUser, *, user_agent: str = "") -> str:
    """Start a session for ``user``; returns the cookie's token (shown once, never stored)."""
    return shared.open_session(uow, StaffSessionRow, {"user_id": user.id}, user_agent=user_agent)


def revoke_session(uow: UnitOfWork, token: str) -> None:
    shared.revoke(uow, StaffSessionRow, token)


def revoke_all_sessions(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    """End every open session of a user (logout everywhere); returns how many."""
    return shared.revoke_where(uow, StaffSessionRow, StaffSessionRow.user_id == user_id)


def find_session(db: Database, token: str) -> FoundSession | None:
    """The live session of this cookie token, or None (unknown, revoked, idle, expired,
    or its user disabled). Refreshes ``last_seen_at`` now and then."""
    if not shared.usable_token(token):
        return None
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
            .where(*shared.live(StaffSessionRow, token, db.settings), StaffUser.active.is_(True))
        ).one_or_none()
    if row is None:
        return None
    shared.touch(db, StaffSessionRow, token, row.last_seen_at, f"staff:{row.email}")
    return FoundSession(
        session_id=session_id_of(token),
        user_id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        permissions=permissions_of(row.role),
        csrf_token=row.csrf_token,
    )
