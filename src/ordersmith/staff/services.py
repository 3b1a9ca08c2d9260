"""Staff use cases: create, disable, set a password, sign in and out (ADR 0023).

Managing users is an admin's job: these services call ``uow.authorize(USERS_MANAGE)``
(a trusted system actor such as the CLI passes). Signing in is done by whoever knows the
password, so ``sign_in`` checks nothing but the credentials and the rate limits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.passwords import check_strength, hash_password
from ordersmith.auth.permissions import Permission
from ordersmith.auth.sessions import normalise_email, sign_in_to, valid_email
from ordersmith.errors import OmsError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.staff.errors import StaffEmailTaken, StaffUserNotFound
from ordersmith.staff.models import StaffLoginAttempt, StaffSessionRow, StaffUser
from ordersmith.staff.roles import StaffRole
from ordersmith.staff.sessions import revoke_all_sessions, revoke_session
from ordersmith.uow import UnitOfWork


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
    email = valid_email(email)
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


def sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    ip: str,
    user_agent: str = "",
    previous_token: str | None = None,
) -> SignInOutcome:
    signed = sign_in_to(
        uow,
        accounts=StaffUser,
        attempts=StaffLoginAttempt,
        sessions=StaffSessionRow,
        owner_column="user_id",
        may_sign_in=lambda user: bool(user.active),
        email=email,
        password=password,
        ip=ip,
        user_agent=user_agent,
        previous_token=previous_token,
    )
    return SignInOutcome(token=signed.token, user=signed.account, error=signed.error)


def sign_out(uow: UnitOfWork, *, token: str) -> None:
    revoke_session(uow, token)
