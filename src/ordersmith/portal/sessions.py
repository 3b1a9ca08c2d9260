"""Portal sessions (shared mechanics: ``ordersmith.auth.sessions``) and what a signed-in
customer may do: ``PORTAL_PERMISSIONS``, carried by every portal unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from ordersmith.auth import sessions as shared
from ordersmith.auth.permissions import Permission
from ordersmith.customers.models import Customer
from ordersmith.portal.models import AccountStatus, PortalAccount, PortalSessionRow
from ordersmith.uow import Database, UnitOfWork

PORTAL_COOKIE = "ordersmith_portal"
P = Permission
PORTAL_PERMISSIONS: frozenset[Permission] = frozenset(
    {
        P.ORDERS_READ,
        P.ORDERS_CREATE,  # reorder a past order
        P.BILLING_READ,
        P.RETURNS_READ,
        P.RETURNS_WRITE,  # ask for a return (requested_by=customer: no window override)
        P.CASES_READ,
        P.CASES_WRITE,  # open a case
        P.CUSTOMERS_READ,
        P.CUSTOMERS_WRITE,  # own addresses and contact preferences
    }
)
"""What a portal unit of work may do; every portal query and service call is also
scoped to the signed-in customer (another customer's objects answer 404)."""


@dataclass(frozen=True)
class PortalSession:
    account_id: uuid.UUID
    email: str
    customer_id: uuid.UUID
    customer_number: str
    customer_name: str
    csrf_token: str

    @property
    def actor(self) -> str:
        return f"portal:{self.email}"


def open_session(uow: UnitOfWork, account: PortalAccount, *, user_agent: str = "") -> str:
    """Start a session; returns the cookie's token (shown once, never stored)."""
    owner = {"account_id": account.id}
    return shared.open_session(uow, PortalSessionRow, owner, user_agent=user_agent)


def revoke_session(uow: UnitOfWork, token: str) -> None:
    shared.revoke(uow, PortalSessionRow, token)


def revoke_all_sessions(uow: UnitOfWork, account_id: uuid.UUID) -> int:
    return shared.revoke_where(uow, PortalSessionRow, PortalSessionRow.account_id == account_id)


def find_session(db: Database, token: str) -> PortalSession | None:
    """The live portal session of this cookie token, or None (unknown, revoked, idle,
    expired, or its account no longer active)."""
    if not shared.usable_token(token):
        return None
    with db.reader() as reader:
        row = reader.execute(
            sa.select(
                PortalSessionRow.last_seen_at,
                PortalSessionRow.csrf_token,
                PortalAccount.id,
                PortalAccount.email,
                Customer.id.label("customer_id"),
                Customer.number,
                Customer.name,
            )
            .join(PortalAccount, PortalAccount.id == PortalSessionRow.account_id)
            .join(Customer, Customer.id == PortalAccount.customer_id)
            .where(
                *shared.live(PortalSessionRow, token, db.settings),
                PortalAccount.status == AccountStatus.ACTIVE,
            )
        ).one_or_none()
    if row is None:
        return None
    shared.touch(db, PortalSessionRow, token, row.last_seen_at, f"portal:{row.email}")
    return PortalSession(
        account_id=row.id,
        email=row.email,
        customer_id=row.customer_id,
        customer_number=row.number,
        customer_name=row.name,
        csrf_token=row.csrf_token,
    )
