"""Events a payment provider reports by webhook: a card payment succeeded, a refund
succeeded. Each is recorded exactly once.

A provider retries a webhook until it gets a 2xx answer, and may send the same news as
two events; an attacker may replay a captured request within the signature's time
window. So every event handled is stored in ``payment_provider_events`` in the same
transaction as its effect, under two unique keys:

- ``(provider, event_id)``: the same event again;
- ``(provider, event_type, object_reference)``: another event about the same payment or
  refund (the provider's reference of it).

The row is inserted first, with ``INSERT ... ON CONFLICT DO NOTHING``: a second copy of
an event that is being handled waits for the first one's transaction on PostgreSQL (and
is serialised on SQLite), then inserts nothing and answers ``duplicate`` with the
payment the first one recorded. If the first one failed, nothing of it is left and the
retry is handled as new. A ``payment.succeeded`` whose payment was already recorded
another way (``take_card_payment``, or staff with the same provider reference) is
linked to that payment instead of recording a second one; likewise a
``refund.succeeded`` whose refund staff recorded already (``refund_payment`` or
``refund_card_payment`` with the provider's refund reference) answers ``duplicate``,
and one that staff record after it is refused (``refund_already_recorded``): a refund
is never counted twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith import clock
from ordersmith.adapters.payments import check_reference, refuse_card_numbers
from ordersmith.billing.allocation_plans import lock_payers_order
from ordersmith.billing.errors import PaymentNotFound, RefundAlreadyRecorded
from ordersmith.billing.inputs import money_amount
from ordersmith.billing.models import Payment
from ordersmith.billing.payments import record_payment, refund_by_reference, refund_payment
from ordersmith.billing.queries import get_payment
from ordersmith.billing.settlement import lock_customer
from ordersmith.billing.views import PaymentView
from ordersmith.db import Base, enum_column, insert_ignoring_conflicts, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.money import money_str
from ordersmith.orders.models import Order
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, text


class ProviderEventType(StrEnum):
    PAYMENT_SUCCEEDED = "payment.succeeded"
    REFUND_SUCCEEDED = "refund.succeeded"


class PaymentProviderEvent(Base):
    """A payment provider's event that was handled (append-only)."""

    __tablename__ = "payment_provider_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(40))
    event_id: Mapped[str] = mapped_column(sa.String(120))
    event_type: Mapped[ProviderEventType] = mapped_column(enum_column(ProviderEventType, 40))
    object_reference: Mapped[str] = mapped_column(sa.String(120))
    """The provider's reference of the payment (payment.succeeded) or refund."""
    message_id: Mapped[str] = mapped_column(sa.String(120))
    """The webhook-id of the message that brought it."""
    payment_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("payments.id"))
    received_at: Mapped[datetime]

    __table_args__ = (
        sa.UniqueConstraint("provider", "event_id", name="uq_payment_provider_events_event"),
        sa.UniqueConstraint(
            "provider",
            "event_type",
            "object_reference",
            name="uq_payment_provider_events_object",
        ),
        sa.Index("ix_payment_provider_events_payment", "payment_id"),
    )


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """One event as the webhook parsed it. ``provider_reference`` is the payment's
    reference at the provider (both types); ``refund_reference`` the refund's."""

    provider: str
    event_id: str
    event_type: ProviderEventType
    message_id: str
    amount: Decimal | str
    currency: str
    provider_reference: str
    customer_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    last4: str = ""
    received_on: date | None = None
    refund_reference: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class EventOutcome:
    status: Literal["recorded", "duplicate"]
    payment: PaymentView


def handle_provider_event(uow: UnitOfWork, event: ProviderEvent) -> EventOutcome:
    """Record the event's payment or refund once (see the module doc). Raises
    ValidationFailed (CardNumberRefused) for bad data, CustomerNotFound, and for a
    refund PaymentNotFound (its payment is not known, yet) or RefundExceedsUnallocated;
    nothing is stored then, so the provider's retry is handled afresh."""
    object_reference = _check(event)
    events = table_of(PaymentProviderEvent)
    row_id = new_id()
    inserted = insert_ignoring_conflicts(
        uow.session,
        events,
        {
            "id": row_id,
            "provider": event.provider,
            "event_id": event.event_id,
            "event_type": event.event_type.value,
            "object_reference": object_reference,
            "message_id": event.message_id[:120],
            "payment_id": None,
            "received_at": clock.now(),
        },
    )
    if not inserted:
        return EventOutcome("duplicate", _payment_of_handled(uow, event, object_reference))
    if event.event_type is ProviderEventType.PAYMENT_SUCCEEDED:
        status, payment = _payment_succeeded(uow, event)
    else:
        status, payment = _refund_succeeded(uow, event)
    uow.session.execute(
        sa.update(events).where(events.c.id == row_id).values(payment_id=payment.id)
    )
    return EventOutcome(status, payment)


def _check(event: ProviderEvent) -> str:
    checks = FieldChecks()
    checks.run("provider", text(40), event.provider)
    checks.run("id", text(120), event.event_id)
    checks.raise_if_any("the payment provider's event is not valid")
    # the provider's own ids may be all digits; what could carry card data may not
    refuse_card_numbers({"data.last4": event.last4, "data.reason": event.reason})
    check_reference(event.provider_reference, "data.provider_reference", typed=False)
    if event.event_type is ProviderEventType.REFUND_SUCCEEDED:
        return check_reference(event.refund_reference, "data.refund_reference", typed=False)
    if event.customer_id is None and event.order_id is None:
        raise ValidationFailed(
            "the payment provider's event is not valid",
            fields=[FieldError("data.customer_id", "give the customer_id or the order_id")],
        )
    return event.provider_reference.strip()


def _payment_of_handled(
    uow: UnitOfWork, event: ProviderEvent, object_reference: str
) -> PaymentView:
    events = table_of(PaymentProviderEvent)
    payment_id = uow.session.scalar(
        sa.select(events.c.payment_id)
        .where(
            events.c.provider == event.provider,
            sa.or_(
                events.c.event_id == event.event_id,
                sa.and_(
                    events.c.event_type == event.event_type.value,
                    events.c.object_reference == object_reference,
                ),
            ),
            events.c.payment_id.is_not(None),
        )
        .limit(1)
    )
    if payment_id is None:  # cannot happen: a handled event always has its payment
        raise PaymentNotFound(f"event {event.event_id} of {event.provider} has no payment")
    return get_payment(uow.session, payment_id)


def _payment_succeeded(
    uow: UnitOfWork, event: ProviderEvent
) -> tuple[Literal["recorded", "duplicate"], PaymentView]:
    customer_id = event.customer_id or _customer_of_order(uow, event.order_id)
    if event.order_id is not None:  # the order before the customer (ADR 0013, lock order)
        lock_payers_order(uow, event.order_id, customer_id)
    lock_customer(uow, customer_id)  # serialises with staff recording the same payment
    existing = _payment_by_reference(uow, event.provider, event.provider_reference.strip())
    if existing is not None:
        return "duplicate", get_payment(uow.session, existing)
    payment = record_payment(
        uow,
        customer_id=customer_id,
        method="card",
        amount=event.amount,
        currency=event.currency,
        reference=f"{event.provider} {event.event_id}"[:120],
        received_on=event.received_on,
        order_id=event.order_id,
        provider=event.provider,
        provider_reference=event.provider_reference.strip(),
        card_last4=event.last4,
    )
    return "recorded", payment


def _customer_of_order(uow: UnitOfWork, order_id: uuid.UUID | None) -> uuid.UUID:
    orders = table_of(Order)
    owner = uow.session.scalar(sa.select(orders.c.customer_id).where(orders.c.id == order_id))
    if owner is None:
        raise ValidationFailed(
            "the payment provider's event is not valid",
            fields=[FieldError("data.order_id", "no such order")],
        )
    return uuid.UUID(str(owner))


def _payment_by_reference(uow: UnitOfWork, provider: str, reference: str) -> uuid.UUID | None:
    pay = table_of(Payment)
    found = uow.session.scalar(
        sa.select(pay.c.id)
        .where(pay.c.provider == provider, pay.c.provider_reference == reference)
        .order_by(pay.c.created_at)
        .limit(1)
    )
    return None if found is None else uuid.UUID(str(found))


def _refund_succeeded(
    uow: UnitOfWork, event: ProviderEvent
) -> tuple[Literal["recorded", "duplicate"], PaymentView]:
    payment_id = _payment_by_reference(uow, event.provider, event.provider_reference.strip())
    if payment_id is None:
        raise PaymentNotFound(
            f"{event.provider} has no payment {event.provider_reference.strip()!r} here (yet)"
        )
    payment = get_payment(uow.session, payment_id)
    if event.currency.strip().upper() != payment.currency:
        raise ValidationFailed(
            "the payment provider's event is not valid",
            fields=[
                FieldError("data.currency", f"payment {payment.number} is in {payment.currency}")
            ],
        )
    reference = event.refund_reference.strip()
    lock_customer(uow, payment.customer_id)  # serialises with staff refunding the payment
    existing = refund_by_reference(uow, payment_id, reference)
    if existing is not None:  # staff recorded this refund already
        checks = FieldChecks()
        amount = checks.run("amount", lambda v: money_amount(v, payment.currency), event.amount)
        checks.raise_if_any("the payment provider's event is not valid")
        assert amount is not None
        if amount != existing["amount"]:
            raise RefundAlreadyRecorded(
                f"refund {reference} of payment {payment.number} was recorded for "
                f"{money_str(existing['amount'], payment.currency)}; {event.provider} reports "
                f"{money_str(amount, payment.currency)}",
                extra={"refund_id": str(existing["id"]), "amount": str(existing["amount"])},
            )
        return "duplicate", payment
    view = refund_payment(
        uow,
        payment_id=payment_id,
        amount=event.amount,
        reason=(event.reason.strip() or f"refunded at {event.provider}")[:500],
        provider_reference=reference,
    )
    return "recorded", view
