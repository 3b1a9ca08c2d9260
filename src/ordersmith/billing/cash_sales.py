"""Cash sales: the order waits for its money, then goes to the warehouse with a receipt.

A cash customer's order is placed on hold, ``awaiting_payment`` (ordersmith.orders.
payment_holds). A payment recorded against the order (``order_id``) stays customer
credit until the order is covered; at that moment, in the same transaction, the order
is released and confirmed (confirmation allocates it to a warehouse), invoiced as a
receipt, and the receipt is settled from those payments. Unpaid orders expire.

``record_payment`` drives the two steps in the lock order (ADR 0034): the release
(which locks the order's stock rows) before it numbers the payment, the receipt after
it wrote the payment the receipt is settled from.
"""

from __future__ import annotations

import contextlib
import uuid
from decimal import Decimal

import sqlalchemy as sa

from ordersmith.billing.errors import NothingToInvoice
from ordersmith.billing.invoices import invoice_order
from ordersmith.billing.models import Payment
from ordersmith.db import table_of
from ordersmith.orders.locking import lock_order
from ordersmith.orders.payment_holds import unpaid_orders_to_expire
from ordersmith.orders.services import cancel_order, confirm_order, release_order
from ordersmith.orders.status import HoldReason, OrderStatus
from ordersmith.uow import Database, UnitOfWork


def paid_towards(uow: UnitOfWork, order_id: uuid.UUID) -> Decimal:
    """What the customer paid against this order, less what was refunded."""
    payments = table_of(Payment)
    paid = uow.session.scalar(
        sa.select(
            sa.func.coalesce(sa.func.sum(payments.c.amount - payments.c.amount_refunded), 0)
        ).where(payments.c.order_id == order_id)
    )
    return Decimal(paid or 0)


def release_if_paid(uow: UnitOfWork, order_id: uuid.UUID, *, paying: Decimal, note: str) -> bool:
    """Release and confirm an order awaiting payment if its payments so far and the one
    being recorded (``paying``, not written yet) cover its total. True if it did: the
    caller then receipts it (``receipt_paid_order``) once the payment is written.

    Called by ``record_payment`` before it numbers the payment, because confirmation
    allocates the order and so locks its stock rows: no gapless counter may be held
    then (ADR 0034). ``record_payment`` locked the order before the customer (ADR 0013,
    lock order), so this takes no new row lock before the stock's. The release and the
    confirmation are the payment's consequences, not the clerk's own acts: they run as
    the system."""
    order = lock_order(uow, order_id)  # held already: record_payment locked it
    if (
        order["status"] != OrderStatus.ON_HOLD.value
        or order["hold_reason"] != HoldReason.AWAITING_PAYMENT.value
    ):
        return False
    if paid_towards(uow, order_id) + paying < order["total"]:
        return False
    with uow.as_system():
        release_order(uow, order_id=order_id, note=note)
        confirm_order(uow, order_id=order_id, note="cash sale paid")
    return True


def receipt_paid_order(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    """The receipt of an order ``release_if_paid`` released, settled from the payments
    made for it. An order a clerk receipted before it was paid keeps that receipt (the
    payment settled it): nothing is invoiced twice."""
    with uow.as_system(), contextlib.suppress(NothingToInvoice):
        invoice_order(uow, order_id=order_id)


def expire_unpaid_orders(db: Database, *, actor: str = "system:expiry") -> list[str]:
    """Cancel cash orders still unpaid after ``unpaid_order_expiry_hours`` (stock is
    released); one transaction per order so one failure stops nothing else."""
    expired: list[str] = []
    with db.unit_of_work(actor=actor) as uow:
        candidates = unpaid_orders_to_expire(uow, hours=db.settings.unpaid_order_expiry_hours)
    for order_id in candidates:
        with db.unit_of_work(actor=actor) as uow:
            order = lock_order(uow, order_id)
            if (
                order["status"] != OrderStatus.ON_HOLD.value
                or order["hold_reason"] != HoldReason.AWAITING_PAYMENT.value
            ):
                continue  # paid (or re-held) meanwhile
            view = cancel_order(
                uow,
                order_id=order_id,
                reason=f"unpaid after {db.settings.unpaid_order_expiry_hours} hours",
            )
            expired.append(view.number)
    return expired
