"""Customer portal accounts, their single-use links, sessions and sign-in attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.auth.sessions import LoginAttemptColumns, SessionColumns
from ordersmith.db import Base, enum_column


class AccountStatus(StrEnum):
    INVITED = "invited"  # no password yet: the invite link sets it
    ACTIVE = "active"
    DISABLED = "disabled"


class TokenPurpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"


class PortalAccount(Base):
    """A customer's person who signs in to the portal (one customer may have several)."""

    __tablename__ = "portal_accounts"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
        sa.Index("ix_portal_accounts_customer", "customer_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[AccountStatus] = mapped_column(enum_column(AccountStatus, 16))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    marketing_emails: Mapped[bool] = mapped_column(default=False)
    """Opted in to marketing email (ADR 0029); order and invoice mail is always sent."""
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]


class PortalToken(Base):
    """A single-use invite or password-reset link; ``id`` is the SHA-256 of the token."""

    __tablename__ = "portal_tokens"
    __table_args__ = (sa.Index("ix_portal_tokens_account", "account_id", "purpose", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("portal_accounts.id"))
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, 16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PortalSessionRow(SessionColumns, Base):
    """A signed-in customer's browser (columns: ``auth.sessions.SessionColumns``)."""

    __tablename__ = "portal_sessions"
    __table_args__ = (sa.Index("ix_portal_sessions_account", "account_id", "revoked_at"),)

    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("portal_accounts.id"))


class PortalLoginAttempt(LoginAttemptColumns, Base):
    """One portal sign-in attempt (lockout per email, rate limit per IP address), or one
    password-reset request (no email: it counts towards the per-IP limit only)."""

    __tablename__ = "portal_login_attempts"
    __table_args__ = (
        sa.Index("ix_portal_login_attempts_ip", "ip", "at"),
        sa.Index("ix_portal_login_attempts_email", "email", "at"),
    )
