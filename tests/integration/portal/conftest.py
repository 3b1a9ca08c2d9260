"""Portal fixtures: a customer invited through the real service, links read from the
mail queue (as the customer would read them from the email)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ordersmith.notifications.models import Communication, MessageKind
from ordersmith.portal.services import accept_invite, invite_account, sign_in
from ordersmith.uow import Database

PASSWORD = "portal passphrase 1"


def invite(db: Database, customer: str, email: str | None = None) -> str:
    """Invite the customer; the link as mailed."""
    with db.unit_of_work(actor="test") as uow:
        return invite_account(uow, customer=customer, email=email).link


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def activate(db: Database, customer: str, email: str | None = None) -> str:
    """Invite and accept: an active account with ``PASSWORD``; its session token."""
    link = invite(db, customer, email)
    with db.unit_of_work(actor="test") as uow:
        return accept_invite(uow, token=token_of(link), password=PASSWORD)


def attempt(db: Database, email: str, password: str = PASSWORD, ip: str = "10.0.0.9") -> str | None:
    """Sign in; the session token or None (refused), and the error code."""
    with db.unit_of_work(actor="test") as uow:
        outcome = sign_in(uow, email=email, password=password, ip=ip)
    return outcome.token or (outcome.error.code if outcome.error else None)


def mailed_links(db: Database, kind: MessageKind) -> list[str]:
    with db.reader() as session:
        bodies = session.scalars(
            sa.select(Communication.body_text)
            .where(Communication.kind == kind)
            .order_by(Communication.created_at)
        )
        return [
            m.group(0) for body in bodies for m in re.finditer(r"https?://\S+/portal/\S+", body)
        ]
