"""Server-side browser sessions and password sign-in, shared by the staff back office
(``ordersmith.staff``) and the customer portal (``ordersmith.portal``).

The browser holds a random token; the database only its SHA-256. A session ends when
revoked, idle too long, or past its absolute lifetime (ADR 0023). Every sign-in attempt
is a row, counted per email (lockout, unknown emails included) and per IP address.
Each side has its own tables (mixins below) and its own cookie, so a staff session
never opens the portal and a portal session never opens the back office.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith import clock
from ordersmith.auth.errors import AccountLocked, InvalidCredentials, TooManyAttempts
from ordersmith.auth.passwords import hash_password, needs_rehash, verify_password
from ordersmith.config import Settings
from ordersmith.errors import OmsError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.uow import Database, UnitOfWork

TOUCH_EVERY = timedelta(seconds=60)
"""``last_seen_at`` is written at most this often (not a write per page view)."""


class SessionColumns:
    """The columns of a session table. ``id`` is the SHA-256 of the cookie's token."""

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    """The absolute end (sign-in + ``session_max_hours``); idle ends it earlier."""
    revoked_at: Mapped[datetime | None]
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")


class LoginAttemptColumns:
    """The columns of a sign-in attempts table (in the database, so every worker counts
    the same)."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime]
    succeeded: Mapped[bool]


class PasswordAccount(Protocol):
    """What sign-in needs of an account row (staff user or portal account)."""

    id: Any
    email: str
    password_hash: Any
    failed_logins: int
    locked_until: datetime | None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def valid_email(email: str) -> str:
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise ValidationFailed(f"{email!r} is not an email address", code="invalid_email")
    return email


def session_id_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_session_values(settings: Settings, *, user_agent: str = "") -> tuple[str, dict[str, Any]]:
    """A fresh cookie token (shown once, never stored) and the common columns of its row."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    return token, {
        "id": session_id_of(token),
        "created_at": now,
        "last_seen_at": now,
        "expires_at": now + timedelta(hours=settings.session_max_hours),
        "revoked_at": None,
        "csrf_token": secrets.token_urlsafe(32),
        "user_agent": user_agent[:300],
    }


def open_session(
    uow: UnitOfWork, table: type[SessionColumns], owner: dict[str, Any], *, user_agent: str = ""
) -> str:
    """Start a session row of ``table`` for ``owner`` (its owner column and id); returns
    the cookie's token (shown once, never stored)."""
    token, values = new_session_values(uow.settings, user_agent=user_agent)
    uow.session.add(table(**owner, **values))
    uow.session.flush()
    return token


def revoke(uow: UnitOfWork, table: type[SessionColumns], token: str) -> None:
    uow.session.execute(
        sa.update(table)
        .where(table.id == session_id_of(token), table.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def revoke_where(uow: UnitOfWork, table: type[SessionColumns], owner: Any) -> int:
    """End every open session matching ``owner`` (a column = value clause); how many."""
    result = uow.session.execute(
        sa.update(table).where(owner, table.revoked_at.is_(None)).values(revoked_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def live(table: type[SessionColumns], token: str, settings: Settings) -> list[Any]:
    """The conditions of a live session of this token (not revoked, idle or expired)."""
    now = clock.now()
    return [
        table.id == session_id_of(token),
        table.revoked_at.is_(None),
        table.expires_at > now,
        table.last_seen_at > now - timedelta(minutes=settings.session_idle_minutes),
    ]


def touch(
    db: Database, table: type[SessionColumns], token: str, last_seen: datetime, actor: str
) -> None:
    """Refresh ``last_seen_at`` when it is older than ``TOUCH_EVERY``."""
    now = clock.now()
    if clock.as_utc(last_seen) >= now - TOUCH_EVERY:
        return
    with db.unit_of_work(actor=actor) as uow:
        uow.session.execute(
            sa.update(table).where(table.id == session_id_of(token)).values(last_seen_at=now)
        )


def usable_token(token: str | None) -> bool:
    return bool(token) and len(token or "") <= 200


@dataclass(frozen=True)
class Credentials:
    """A sign-in attempt's outcome: the account whose password matched, or the refusal.
    The attempt is recorded either way, so the caller commits and then acts on it."""

    account: Any = None
    error: OmsError | None = None


_LOCKED = "too many failed sign-ins: this account is locked for {minutes} minutes, try later"


def _failures_since(
    uow: UnitOfWork, attempts: type[LoginAttemptColumns], column: Any, value: str, since: datetime
) -> int:
    return int(
        uow.session.scalar(
            sa.select(sa.func.count())
            .select_from(attempts)
            .where(column == value, attempts.at > since, ~attempts.succeeded)
        )
        or 0
    )


def network_must_wait(uow: UnitOfWork, attempts: type[LoginAttemptColumns], ip: str) -> bool:
    """Whether the address ``ip`` has had ``login_ip_max_failures`` failed attempts within
    ``login_ip_window_minutes`` (the per-IP limit of ADR 0023). Its rows older than any
    window are forgotten first."""
    settings, now, ip = uow.settings, clock.now(), ip[:64]
    ip_window = now - timedelta(minutes=settings.login_ip_window_minutes)
    lock_window = now - timedelta(minutes=settings.login_lockout_minutes)
    uow.session.execute(
        sa.delete(attempts).where(attempts.ip == ip, attempts.at < min(ip_window, lock_window))
    )
    return _failures_since(uow, attempts, attempts.ip, ip, ip_window) >= (
        settings.login_ip_max_failures
    )


def record_attempt(
    uow: UnitOfWork, attempts: type[LoginAttemptColumns], *, email: str, ip: str, succeeded: bool
) -> None:
    """One attempt's row: a failure counts towards ``email``'s lockout (an empty email:
    towards none) and towards the per-IP limit of ``ip``."""
    row = attempts(id=new_id(), email=email, ip=ip[:64], at=clock.now(), succeeded=succeeded)  # type: ignore[call-arg]
    uow.session.add(row)


def check_credentials(
    uow: UnitOfWork,
    *,
    accounts: type[Any],
    attempts: type[LoginAttemptColumns],
    email: str,
    password: str,
    ip: str,
    may_sign_in: Callable[[Any], bool],
) -> Credentials:
    """Check a password sign-in with the lockout and rate limits of ADR 0023; on success
    the account's failure count is cleared (and its hash upgraded when needed)."""
    settings = uow.settings
    now = clock.now()
    email, ip = normalise_email(email)[:254], ip[:64]
    lock_window = now - timedelta(minutes=settings.login_lockout_minutes)
    account: PasswordAccount | None = uow.session.scalars(
        sa.select(accounts).where(accounts.email == email).with_for_update()
    ).one_or_none()
    matches = verify_password(account.password_hash if account else None, password)

    def refuse(error: OmsError) -> Credentials:
        record_attempt(uow, attempts, email=email, ip=ip, succeeded=False)
        return Credentials(error=error)

    locked = AccountLocked(_LOCKED.format(minutes=settings.login_lockout_minutes))
    if network_must_wait(uow, attempts, ip):
        return refuse(TooManyAttempts("too many failed sign-ins from your network: wait a while"))
    if account is None:  # counted per email, so an unknown email locks like a known one
        failed_before = _failures_since(uow, attempts, attempts.email, email, lock_window)
        if failed_before + 1 >= settings.login_max_failures:
            return refuse(locked)
        return refuse(InvalidCredentials("wrong email or password"))
    if account.locked_until is not None and clock.as_utc(account.locked_until) > now:
        return refuse(locked)
    if not matches or not may_sign_in(account):
        account.failed_logins += 1
        if account.failed_logins >= settings.login_max_failures:
            account.failed_logins = 0
            account.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            return refuse(locked)
        return refuse(InvalidCredentials("wrong email or password"))
    account.failed_logins = 0
    account.locked_until = None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    record_attempt(uow, attempts, email=email, ip=ip, succeeded=True)
    return Credentials(account=account)


@dataclass(frozen=True)
class SignedIn:
    """A sign-in either opened a session (``token``, ``account``) or was refused
    (``error``). The attempt is recorded either way: the caller commits, then acts."""

    token: str | None = None
    account: Any = None
    error: OmsError | None = None


def sign_in_to(
    uow: UnitOfWork,
    *,
    accounts: type[Any],
    attempts: type[LoginAttemptColumns],
    sessions: type[SessionColumns],
    owner_column: str,
    may_sign_in: Callable[[Any], bool],
    email: str,
    password: str,
    ip: str,
    user_agent: str = "",
    previous_token: str | None = None,
) -> SignedIn:
    """Check the password (``check_credentials``) and open a session of ``sessions``
    whose ``owner_column`` is the account's id; the session the browser presented is
    revoked first (a fresh session id at every sign-in: no session fixation)."""
    checked = check_credentials(
        uow,
        accounts=accounts,
        attempts=attempts,
        email=email,
        password=password,
        ip=ip,
        may_sign_in=may_sign_in,
    )
    if checked.account is None:
        return SignedIn(error=checked.error)
    if previous_token:
        revoke(uow, sessions, previous_token)
    owner = {owner_column: checked.account.id}
    token = open_session(uow, sessions, owner, user_agent=user_agent)
    return SignedIn(token=token, account=checked.account)
