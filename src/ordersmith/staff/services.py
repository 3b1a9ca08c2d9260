"""Staff use cases: create, disable, set a password, sign in and out (ADR 0023).

Managing users is an admin's job: these services call ``uow.authorize(USERS_MANAGE)``
(a trusted system actor such as the CLI passes). Signing in is done by whoever knows the
password, so ``sign_in`` checks nothing but the credentials and the rate limits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.errors import OmsError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.staff.errors import (
    AccountLocked,
    InvalidCredentials,
    StaffEmailTaken,
    StaffUserNotFound,
    TooManyAttempts,
)
from ordersmith.staff.models import StaffLoginAttempt, StaffUser
from ordersmith.staff.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from ordersmith.staff.roles import StaffRole
from ordersmith.staff.sessions import open_session, revoke_all_sessions, revoke_session
from ordersmith.uow import UnitOfWork


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _valid_email(email: str) -> str:
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise ValidationFailed(f"{email!r} is not an email address", code="invalid_email")
    return email


def _role(role: str) -> StaffRole:
    try:
        return StaffRole(role)
    except ValueError:
        choices = ", ".join(r.value for r in StaffRole)
        raise ValidationFailed(
            f"unknown role {role!r} (one of: {choices})", code="invalid_role"
        ) from None


def find_user(uow: UnitOfWork, email: str) -> StaffUser:
    user = uow.session.scalars(
        sa.select(StaffUser).where(StaffUser.email == normalise_email(email))
    ).one_or_none()
    if user is None:
        raise StaffUserNotFound(f"no staff user {normalise_email(email)}")
    return user


def create_staff_user(
    uow: UnitOfWork, *, email: str, name: str, role: str, password: str
) -> StaffUser:
    uow.authorize(Permission.USERS_MANAGE)
    email = _valid_email(email)
    staff_role = _role(role)
    if not name.strip() or len(name) > 200:
        raise ValidationFailed("a name of 1 to 200 characters is needed", code="invalid_name")
    check_strength(password, email=email)
    taken = uow.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email))
    if taken is not None:
        raise StaffEmailTaken(f"a staff user {email} already exists")
    now = clock.now()
    user = StaffUser(
        id=new_id(),
        email=email,
        name=name.strip(),
        role=staff_role.value,
        password_hash=hash_password(password),
        active=True,
        failed_logins=0,
        locked_until=None,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(user)
    uow.session.flush()
    return user


def set_password(uow: UnitOfWork, *, email: str, password: str) -> StaffUser:
    """New password; every open session of the user ends and any lock is lifted."""
    uow.authorize(Permission.USERS_MANAGE)
    user = find_user(uow, email)
    check_strength(password, email=user.email)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.updated_at = clock.now()
    revoke_all_sessions(uow, user.id)
    return user


def disable_user(uow: UnitOfWork, *, email: str) -> StaffUser:
    """The user can no longer sign in; their open sessions end now."""
    uow.authorize(Permission.USERS_MANAGE)
    user = find_user(uow, email)
    user.active = False
    user.updated_at = clock.now()
    revoke_all_sessions(uow, user.id)
    return user


def logout_everywhere(uow: UnitOfWork, *, user_id: uuid.UUID) -> int:
    """End every session of this user (the user themself, or an admin via the CLI)."""
    return revoke_all_sessions(uow, user_id)


@dataclass(frozen=True)
class SignInOutcome:
    """A sign-in either opened a session (``token``) or was refused (``error``). The
    attempt is recorded either way, so the caller commits and then acts on it."""

    token: str | None = None
    user: StaffUser | None = None
    error: OmsError | None = None


_LOCKED = "too many failed sign-ins: this account is locked for {minutes} minutes, try later"


def _failures_since(
    uow: UnitOfWork, column: InstrumentedAttribute[str], value: str, since: datetime
) -> int:
    return int(
        uow.session.scalar(
            sa.select(sa.func.count())
            .select_from(StaffLoginAttempt)
            .where(column == value, StaffLoginAttempt.at > since, ~StaffLoginAttempt.succeeded)
        )
        or 0
    )


def sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    ip: str,
    user_agent: str = "",
    previous_token: str | None = None,
) -> SignInOutcome:
    settings = uow.settings
    now = clock.now()
    email = normalise_email(email)[:254]
    ip = ip[:64]
    ip_window = now - timedelta(minutes=settings.login_ip_window_minutes)
    lock_window = now - timedelta(minutes=settings.login_lockout_minutes)
    uow.session.execute(  # forget this address's attempts older than any window
        sa.delete(StaffLoginAttempt).where(
            StaffLoginAttempt.ip == ip, StaffLoginAttempt.at < min(ip_window, lock_window)
        )
    )
    user = uow.session.scalars(
        sa.select(StaffUser).where(StaffUser.email == email).with_for_update()
    ).one_or_none()
    matches = verify_password(user.password_hash if user else None, password)

    def refuse(error: OmsError) -> SignInOutcome:
        uow.session.add(StaffLoginAttempt(id=new_id(), email=email, ip=ip, at=now, succeeded=False))
        return SignInOutcome(error=error)

    locked_message = _LOCKED.format(minutes=settings.login_lockout_minutes)
    if _failures_since(uow, StaffLoginAttempt.ip, ip, ip_window) >= settings.login_ip_max_failures:
        return refuse(TooManyAttempts("too many failed sign-ins from your network: wait a while"))
    if user is None:  # counted per email, so an unknown email locks like a known one
        failed_before = _failures_since(uow, StaffLoginAttempt.email, email, lock_window)
        if failed_before + 1 >= settings.login_max_failures:
            return refuse(AccountLocked(locked_message))
        return refuse(InvalidCredentials("wrong email or password"))
    if user.locked_until is not None and clock.as_utc(user.locked_until) > now:
        return refuse(AccountLocked(locked_message))
    if not matches or not user.active:
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            return refuse(AccountLocked(locked_message))
        return refuse(InvalidCredentials("wrong email or password"))
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if previous_token:  # a fresh session id at every sign-in (no session fixation)
        revoke_session(uow, previous_token)
    uow.session.add(StaffLoginAttempt(id=new_id(), email=email, ip=ip, at=now, succeeded=True))
    return SignInOutcome(token=open_session(uow, user, user_agent=user_agent), user=user)


def sign_out(uow: UnitOfWork, *, token: str) -> None:
    revoke_session(uow, token)
