"""Demo customer portal accounts, invited and activated, with documented passwords
(README, docs/portal.md). Each belongs to the demo customer with the most after-sales
history then (returns, invoices, shipments, orders), so after ``--simulate-fulfilment``
the portal shows shipped, invoiced and returned orders.

Never use these outside a demo: anyone who read the README knows them.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import Invoice
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.orders.models import Order
from ordersmith.portal.models import PortalAccount
from ordersmith.portal.services import accept_invite, invite_account
from ordersmith.returns.models import Return
from ordersmith.shipping.models import Shipment
from ordersmith.uow import Database

ACTOR = "demo"
DEMO_PORTAL: tuple[tuple[str, str], ...] = (
    # email, password
    ("portal-demo@ordersmith.example", "demo-portal-pass"),
    ("portal-demo-2@ordersmith.example", "demo-portal-pass-2"),
)


def _per_customer(table: sa.Table) -> sa.Subquery:
    return (
        sa.select(table.c.customer_id, sa.func.count().label("n"))
        .group_by(table.c.customer_id)
        .subquery()
    )


def best_customers(session: Session, limit: int) -> list[uuid.UUID]:
    """Active customers without a portal account, the richest after-sales history first."""
    customers = table_of(Customer)
    counts = [_per_customer(table_of(m)) for m in (Return, Invoice, Shipment, Order)]
    query = sa.select(customers.c.id)
    for sub in counts:
        query = query.outerjoin(sub, sub.c.customer_id == customers.c.id)
    has_account = sa.select(PortalAccount.id).where(PortalAccount.customer_id == customers.c.id)
    query = (
        query.where(customers.c.merged_into_id.is_(None), customers.c.email != "")
        .where(~sa.exists(has_account))
        .order_by(*(sa.func.coalesce(sub.c.n, 0).desc() for sub in counts), customers.c.number)
        .limit(limit)
    )
    return list(session.scalars(query))


def create_demo_portal_accounts(db: Database) -> list[str]:
    """Invite and activate the demo portal accounts that do not exist yet; their emails."""
    with db.reader() as session:
        existing = set(session.scalars(sa.select(PortalAccount.email)))
        wanted = [(e, p) for e, p in DEMO_PORTAL if e not in existing]
        customers = best_customers(session, len(wanted))
    created = []
    for (email, password), customer_id in zip(wanted, customers, strict=False):
        with db.unit_of_work(actor=ACTOR) as uow:
            link = invite_account(uow, customer=str(customer_id), email=email).link
        with db.unit_of_work(actor=ACTOR) as uow:
            accept_invite(uow, token=link.rsplit("/", 1)[1], password=password)
        created.append(email)
    return created
