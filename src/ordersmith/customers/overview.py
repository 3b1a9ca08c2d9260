"""Customer 360: one view of a customer (ADR 0022).

Profile, contacts, addresses, loyalty tier and why (spend and orders over each tier's
period), orders (count, open, first and last, spend over the last 12 months, lifetime
value = the totals of orders not cancelled and not drafts), recent orders, balance and
recent payments (billing's queries), returns, cases (customer service's queries), recent
communications and the customer's audit trail. A bounded number of statements whatever
the customer's history: each part is one aggregate or one short newest-first list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.billing.queries import customer_balance, list_payments
from ordersmith.billing.views import CustomerBalance, PaymentView
from ordersmith.customer_service.models import Case
from ordersmith.customer_service.queries import list_cases
from ordersmith.customer_service.views import CaseView
from ordersmith.customers.contacts import ContactView, list_contacts
from ordersmith.customers.history import HistoryEntry, customer_history
from ordersmith.customers.queries import AddressView, CustomerView, get_customer, list_addresses
from ordersmith.customers.tiers import COUNTED_STATUSES, TierStanding, tier_standing
from ordersmith.db import Fixed, table_of
from ordersmith.notifications.queries import CommunicationView, list_communications
from ordersmith.orders.models import Order
from ordersmith.returns.models import Return
from ordersmith.returns.queries import ReturnFilter, list_returns
from ordersmith.returns.views import ReturnView

RECENT = 5
OPEN_STATUSES = ("placed", "confirmed", "on_hold")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderSummary:
    count: int
    open: int
    cancelled: int
    first_order_at: datetime | None
    last_order_at: datetime | None
    spend_last_12_months: Decimal
    lifetime_value: Decimal
    average_order_value: Decimal | None
    currency: str


@dataclass(frozen=True, slots=True)
class RecentOrder:
    id: uuid.UUID
    number: str
    status: str
    fulfilment_status: str
    total: Decimal
    currency: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerOverview:
    customer: CustomerView
    contacts: list[ContactView]
    addresses: list[AddressView]
    tier: TierStanding | None
    """The tier held, with the figures behind it (None: no tier)."""
    standings: list[TierStanding]
    orders: OrderSummary
    recent_orders: list[RecentOrder]
    balances: list[CustomerBalance]
    recent_payments: list[PaymentView]
    returns_count: int
    recent_returns: list[ReturnView]
    cases_count: int
    recent_cases: list[CaseView]
    recent_communications: list[CommunicationView]
    history: list[HistoryEntry]


def _order_summary(session: Session, customer: CustomerView, now: datetime) -> OrderSummary:
    o = table_of(Order)
    counted = o.c.status.in_(COUNTED_STATUSES)
    recent = sa.and_(counted, o.c.created_at > now - timedelta(days=365))
    row = session.execute(
        sa.select(
            sa.func.count(sa.case((counted, 1))),
            sa.func.count(sa.case((o.c.status.in_(OPEN_STATUSES), 1))),
            sa.func.count(sa.case((o.c.status == "cancelled", 1))),
            sa.func.min(sa.case((counted, o.c.created_at))),
            sa.func.max(sa.case((counted, o.c.created_at))),
            sa.func.sum(sa.case((recent, o.c.total), else_=ZERO), type_=Fixed(4)),
            sa.func.sum(sa.case((counted, o.c.total), else_=ZERO), type_=Fixed(4)),
        ).where(o.c.customer_id == customer.id)
    ).one()
    count, lifetime = int(row[0] or 0), Decimal(row[6] or 0)
    first, last = row[3], row[4]
    return OrderSummary(
        count=count,
        open=int(row[1] or 0),
        cancelled=int(row[2] or 0),
        first_order_at=clock.as_utc(first) if isinstance(first, datetime) else None,
        last_order_at=clock.as_utc(last) if isinstance(last, datetime) else None,
        spend_last_12_months=Decimal(row[5] or 0),
        lifetime_value=lifetime,
        average_order_value=(lifetime / count).quantize(Decimal("0.01")) if count else None,
        currency=customer.currency,
    )


def _recent_orders(session: Session, customer_id: uuid.UUID) -> list[RecentOrder]:
    o = table_of(Order)
    rows = session.execute(
        sa.select(
            o.c.id,
            o.c.number,
            o.c.status,
            o.c.fulfilment_status,
            o.c.total,
            o.c.currency,
            o.c.created_at,
        )
        .where(o.c.customer_id == customer_id)
        .order_by(o.c.created_at.desc(), o.c.id.desc())
        .limit(RECENT)
    )
    return [RecentOrder(*row) for row in rows]


def _count(session: Session, table: sa.Table, customer_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count()).select_from(table).where(table.c.customer_id == customer_id)
        )
        or 0
    )


def customer_overview(
    session: Session, ref: str | uuid.UUID, *, as_of: datetime | None = None
) -> CustomerOverview:
    """Everything about one customer (by id or number); raises CustomerNotFound."""
    now = as_of or clock.now()
    customer = get_customer(session, ref)
    standings = tier_standing(session, customer.id, as_of=now)
    held = next((s for s in standings if s.tier.code == customer.tier), None)
    return CustomerOverview(
        customer=customer,
        contacts=list_contacts(session, customer.id),
        addresses=list_addresses(session, customer.id),
        tier=held,
        standings=standings,
        orders=_order_summary(session, customer, now),
        recent_orders=_recent_orders(session, customer.id),
        balances=customer_balance(session, customer.id),
        recent_payments=list_payments(session, customer_id=customer.id, limit=RECENT),
        returns_count=_count(session, table_of(Return), customer.id),
        recent_returns=list_returns(session, ReturnFilter(customer_id=customer.id), limit=RECENT),
        cases_count=_count(session, table_of(Case), customer.id),
        recent_cases=list_cases(session, customer_id=customer.id, limit=RECENT),
        recent_communications=list_communications(session, customer_id=customer.id, limit=RECENT)[
            0
        ],
        history=customer_history(session, customer.id, limit=RECENT * 2),
    )
