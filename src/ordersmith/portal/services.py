"""Portal account use cases: invite, accept the invite, sign in and out, forget and
reset a password, contact preferences (ADR 0029).

Inviting is staff work (``customers:write``; the CLI passes as the system). Accepting,
resetting and signing in are done by whoever holds the link or the password, so they
check only that. Links are single-use and expire; only their SHA-256 is stored.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.errors import TooManyAttempts
from ordersmith.auth.passwords import check_strength, hash_password
from ordersmith.auth.permissions import Permission
from ordersmith.auth.sessions import (
    SignedIn,
    network_must_wait,
    normalise_email,
    record_attempt,
    session_id_of,
    sign_in_to,
    valid_email,
)
from ordersmith.customers.queries import active_customer
from ordersmith.ids import new_id
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import queue_message
from ordersmith.portal.errors import InvalidPortalToken, PortalAccountNotFound, PortalEmailTaken
from ordersmith.portal.models import (
    AccountStatus,
    PortalAccount,
    PortalLoginAttempt,
    PortalSessionRow,
    PortalToken,
    TokenPurpose,
)
from ordersmith.portal.sessions import open_session, revoke_all_sessions, revoke_session
from ordersmith.uow import UnitOfWork

LINK_PATHS = {TokenPurpose.INVITE: "/portal/invite/", TokenPurpose.RESET: "/portal/reset/"}


@dataclass(frozen=True)
class Invited:
    account: PortalAccount
    link: str
    """The link as mailed (returned for the CLI's output and for tests)."""


def _lifetime(uow: UnitOfWork, purpose: TokenPurpose) -> timedelta:
    if purpose is TokenPurpose.INVITE:
        return timedelta(days=uow.settings.portal_invite_days)
    return timedelta(minutes=uow.settings.portal_reset_minutes)


def _words(delta: timedelta) -> str:
    if delta >= timedelta(days=1):
        return f"{delta.days} days" if delta.days != 1 else "1 day"
    minutes = int(delta.total_seconds() // 60)
    return "1 hour" if minutes == 60 else f"{minutes} minutes"


def _issue_link(uow: UnitOfWork, account: PortalAccount, purpose: TokenPurpose) -> str:
    """A new single-use link (earlier unused links of this purpose stop working) and its
    email, queued in this transaction."""
    now, lifetime = clock.now(), _lifetime(uow, purpose)
    uow.session.execute(
        sa.update(PortalToken)
        .where(
            PortalToken.account_id == account.id,
            PortalToken.purpose == purpose,
            PortalToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    uow.session.add(
        PortalToken(
            id=session_id_of(token),
            account_id=account.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + lifetime,
            used_at=None,
        )
    )
    link = uow.settings.base_url + LINK_PATHS[purpose] + token
    kind = (
        MessageKind.PORTAL_INVITE
        if purpose is TokenPurpose.INVITE
        else (MessageKind.PORTAL_PASSWORD_RESET)
    )
    queue_message(
        uow,
        kind=kind,
        customer_id=account.customer_id,
        recipient=account.email,
        context={"link": link, "valid_for": _words(lifetime), "account_email": account.email},
    )
    return link


def invite_account(uow: UnitOfWork, *, customer: str, email: str | None = None) -> Invited:
    """Invite a person of the customer (by number or id) to the portal, by default at the
    customer's email. Inviting an invited account again sends a fresh link; an active
    or disabled account, or an email another customer uses, is refused."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    found = active_customer(uow.session, customer)
    address = valid_email(email if email is not None and email.strip() else found.email)
    account = uow.session.scalars(
        sa.select(PortalAccount).where(PortalAccount.email == address).with_for_update()
    ).one_or_none()
    if account is not None and (
        account.customer_id != found.id or account.status is not AccountStatus.INVITED
    ):
        raise PortalEmailTaken(f"{address} already has a portal account")
    if account is None:
        now = clock.now()
        account = PortalAccount(
            id=new_id(),
            customer_id=found.id,
            email=address,
            password_hash=None,
            status=AccountStatus.INVITED,
            failed_logins=0,
            locked_until=None,
            marketing_emails=False,
            created_by=uow.actor,
            created_at=now,
            updated_at=now,
            activated_at=None,
        )
        uow.session.add(account)
        uow.session.flush()
    return Invited(account, _issue_link(uow, account, TokenPurpose.INVITE))


def _use_link(uow: UnitOfWork, token: str, purpose: TokenPurpose) -> PortalAccount:
    """Spend a link (a conditional UPDATE: of two uses at once, one wins)."""
    now = clock.now()
    account_id = uow.session.scalar(
        sa.update(PortalToken)
        .where(
            PortalToken.id == session_id_of(token[:200]),
            PortalToken.purpose == purpose,
            PortalToken.used_at.is_(None),
            PortalToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(PortalToken.account_id)
    )
    account = (
        uow.session.get(PortalAccount, account_id, with_for_update=True) if account_id else None
    )
    if account is None or account.status is AccountStatus.DISABLED:
        raise InvalidPortalToken("this link is not valid: it was used, has expired or was replaced")
    return account


def link_is_valid(session: Session, token: str, purpose: TokenPurpose) -> bool:
    """Whether the link would work now (to show its form or say it has expired)."""
    found = session.scalar(
        sa.select(PortalToken.account_id).where(
            PortalToken.id == session_id_of(token[:200]),
            PortalToken.purpose == purpose,
            PortalToken.used_at.is_(None),
            PortalToken.expires_at > clock.now(),
        )
    )
    return found is not None


def _set_password(uow: UnitOfWork, account: PortalAccount, password: str) -> None:
    check_strength(password, email=account.email)
    account.password_hash = hash_password(password)
    account.failed_logins = 0
    account.locked_until = None
    account.updated_at = clock.now()


def accept_invite(uow: UnitOfWork, *, token: str, password: str, user_agent: str = "") -> str:
    """Set the first password from an invite link; the account is active and signed in:
    returns the new session's cookie token."""
    check_strength(password, email="")
    account = _use_link(uow, token, TokenPurpose.INVITE)
    _set_password(uow, account, password)
    if account.status is AccountStatus.INVITED:
        account.status = AccountStatus.ACTIVE
        account.activated_at = clock.now()
    return open_session(uow, account, user_agent=user_agent)


def request_password_reset(uow: UnitOfWork, *, email: str, ip: str) -> None:
    """Mail a reset link to this email if it is an active account, at most
    ``portal_resets_per_hour`` an hour; whatever the email, the caller answers the same.

    Each request counts as a failed attempt of the address ``ip`` in the sign-in
    attempts (no email: it never counts towards an account's lockout), so the per-IP
    limit of sign-in applies: a network at the limit gets ``TooManyAttempts`` (429),
    whatever the email, and nothing is mailed."""
    if network_must_wait(uow, PortalLoginAttempt, ip):
        raise TooManyAttempts("too many requests from your network: please try again later")
    record_attempt(uow, PortalLoginAttempt, email="", ip=ip, succeeded=False)
    account = uow.session.scalars(
        sa.select(PortalAccount).where(PortalAccount.email == normalise_email(email)[:254])
    ).one_or_none()
    if account is None or account.status is not AccountStatus.ACTIVE:
        return
    recent = uow.session.scalar(
        sa.select(sa.func.count())
        .select_from(PortalToken)
        .where(
            PortalToken.account_id == account.id,
            PortalToken.purpose == TokenPurpose.RESET,
            PortalToken.created_at > clock.now() - timedelta(hours=1),
        )
    )
    if int(recent or 0) >= uow.settings.portal_resets_per_hour:
        return
    _issue_link(uow, account, TokenPurpose.RESET)


def reset_password(uow: UnitOfWork, *, token: str, password: str) -> PortalAccount:
    """Set a new password from a reset link; every open session of the account ends."""
    check_strength(password, email="")
    account = _use_link(uow, token, TokenPurpose.RESET)
    _set_password(uow, account, password)
    revoke_all_sessions(uow, account.id)
    return account


def sign_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    ip: str,
    user_agent: str = "",
    previous_token: str | None = None,
) -> SignedIn:
    """Password sign-in with the staff lockout and rate limits (ADR 0023), counted in the
    portal's own attempts table, opening a portal session."""
    return sign_in_to(
        uow,
        accounts=PortalAccount,
        attempts=PortalLoginAttempt,
        sessions=PortalSessionRow,
        owner_column="account_id",
        may_sign_in=lambda account: account.status is AccountStatus.ACTIVE,
        email=email,
        password=password,
        ip=ip,
        user_agent=user_agent,
        previous_token=previous_token,
    )


def sign_out(uow: UnitOfWork, *, token: str) -> None:
    revoke_session(uow, token)


def set_contact_preferences(
    uow: UnitOfWork, *, account_id: uuid.UUID, marketing_emails: bool
) -> PortalAccount:
    """Opt in or out of marketing email (order, invoice and account mail always goes)."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    account = uow.session.get(PortalAccount, account_id)
    if account is None:
        raise PortalAccountNotFound(f"no portal account {account_id}")
    account.marketing_emails = marketing_emails
    account.updated_at = clock.now()
    return account


def disable_account(uow: UnitOfWork, *, email: str) -> PortalAccount:
    """The account can no longer sign in; its sessions end now."""
    uow.authorize(Permission.CUSTOMERS_WRITE)
    account = uow.session.scalars(
        sa.select(PortalAccount).where(PortalAccount.email == normalise_email(email))
    ).one_or_none()
    if account is None:
        raise PortalAccountNotFound(f"no portal account {normalise_email(email)}")
    account.status = AccountStatus.DISABLED
    account.updated_at = clock.now()
    revoke_all_sessions(uow, account.id)
    return account
