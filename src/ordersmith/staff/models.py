"""Staff users, their sessions and the sign-in attempts that rate-limit them."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.auth.sessions import LoginAttemptColumns, SessionColumns
from ordersmith.db import Base


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
        sa.Index("ix_staff_users_created", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(24))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class StaffSessionRow(SessionColumns, Base):
    """A signed-in browser (columns: ``ordersmith.auth.sessions.SessionColumns``)."""

    __tablename__ = "staff_sessions"
    __table_args__ = (sa.Index("ix_staff_sessions_user", "user_id", "revoked_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("staff_users.id"))


class StaffLoginAttempt(LoginAttemptColumns, Base):
    """One sign-in attempt: counted per email (lockout, also for unknown emails) and per
    IP address (rate limit), in the database so every worker sees the same counts."""

    __tablename__ = "staff_login_attempts"
    __table_args__ = (
        sa.Index("ix_staff_login_attempts_ip", "ip", "at"),
        sa.Index("ix_staff_login_attempts_email", "email", "at"),
    )


class SavedFilter(Base):
    """A list filter a staff user named and kept: the list's page and its query string
    (ADR 0030). Each user sees only their own."""

    __tablename__ = "staff_saved_filters"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "page", "name", name="uq_staff_saved_filters_name"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("staff_users.id"))
    page: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(80))
    query: Mapped[str] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime]
