"""Cash sales wait for their money; account orders wait when they would pass the limit.

- A ``cash`` customer's order is placed ``on_hold`` / ``awaiting_payment``
  (``ORDERSMITH_CASH_ORDERS_REQUIRE_PAYMENT``). When payments recorded against it cover
  its total, it is released and confirmed in the same transaction — confirmation
  allocates it to the warehouse. Unpaid, it expires after
  ``ORDERSMITH_UNPAID_ORDER_EXPIRY_HOURS`` and its stock is released.
- An ``account`` customer's order is checked against the credit limit: open invoices +
  open orders not yet invoiced + this order. Over the limit, it is placed ``on_hold`` /
  ``credit``; releasing that hold needs the ``credit:release`` permission and is logged.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.customers.models import AccountType
from ordersmith.customers.profile import OrderingProfile
from ordersmith.db import table_of
from ordersmith.orders.models import Order
from ordersmith.orders.status import OPEN_STATUSES, HoldReason, OrderStatus
from ordersmith.uow import UnitOfWork

ZERO = Decimal(0)


def hold_for_payment_or_credit(
    session: Session,
    customer: OrderingProfile,
    total: Decimal,
    *,
    require_payment: bool,
    receivables: Decimal,
) -> HoldReason | None:
    """The hold a new (non-draft) order starts with, if any. ``receivables`` is the
    customer's open invoice balance (ordersmith.billing), counted against the limit."""
    if customer.account_type is AccountType.CASH:
        return HoldReason.AWAITING_PAYMENT if require_payment and total > 0 else None
    if customer.credit_limit is None:
        return None
    exposure = receivables + open_order_value(session, customer.id) + total
    return HoldReason.CREDIT if exposure > customer.credit_limit else None


def open_order_value(session: Session, customer_id: uuid.UUID) -> Decimal:
    """Σ totals of the customer's open orders (not drafts) — not yet invoiced value.
    Invoiced orders' value is in the receivables instead (see ordersmith.billing)."""
    orders = table_of(Order)
    value = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(orders.c.total), 0)).where(
            orders.c.customer_id == customer_id,
            orders.c.status.in_([s.value for s in OPEN_STATUSES if s is not OrderStatus.DRAFT]),
            orders.c.fulfilment_status.not_in(["shipped", "delivered"]),
        )
    )
    return Decimal(value or 0)


def unpaid_orders_to_expire(uow: UnitOfWork, *, hours: int, limit: int = 500) -> list[uuid.UUID]:
    """Cash orders still awaiting payment ``hours`` after they were placed, oldest first."""
    orders = table_of(Order)
    cutoff = clock.now() - timedelta(hours=hours)
    return list(
        uow.session.scalars(
            sa.select(orders.c.id)
            .where(
                orders.c.status == OrderStatus.ON_HOLD.value,
                orders.c.hold_reason == HoldReason.AWAITING_PAYMENT.value,
                orders.c.created_at < cutoff,
            )
            .order_by(orders.c.created_at, orders.c.id)
            .limit(limit)
        )
    )
