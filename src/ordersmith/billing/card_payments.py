"""Card payments through a payment provider (ordersmith.adapters.payments).

``take_card_payment`` authorises and captures the amount with the provider, then
records it as a ``card`` payment with the provider's name, its reference for the
payment and the card's last 4 digits (``record_payment``: allocated like any payment).
``refund_card_payment`` pays (part of) such a payment back through the same provider
(its ``refund``), then records the refund with the provider's refund reference
(``refund_payment``), so the provider's ``refund.succeeded`` webhook links to it.

The provider is called before the unit of work touches the database, so no transaction
(and on SQLite no write lock) is held while an outside service answers: call it first
in its unit of work. What can be checked without the provider is checked before it is
called (the amount, the currency, the customer and the order), so that money is not
taken for a payment that cannot be recorded; if recording still fails, the captured
money is refunded with the provider before the error is raised. A refund is checked
the same way first (the payment, its provider, the amount against what is
unallocated); money the provider paid back cannot be taken again, so if recording the
refund still fails the error carries the provider's refund reference, and the
provider's webhook records it when it arrives.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ordersmith.adapters.payments import PaymentDeclined, PaymentProvider, check_amount
from ordersmith.auth.permissions import Permission
from ordersmith.billing.errors import RefundExceedsUnallocated
from ordersmith.billing.inputs import money_amount
from ordersmith.billing.models import Invoice
from ordersmith.billing.payments import record_payment, refund_payment
from ordersmith.billing.queries import get_payment
from ordersmith.billing.views import PaymentView
from ordersmith.customers.errors import CustomerNotFound
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.orders.models import Order
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, currency_code, text


def take_card_payment(
    uow: UnitOfWork,
    provider: PaymentProvider,
    *,
    customer_id: uuid.UUID,
    amount: Decimal | str,
    currency: str,
    card_token: str,
    reference: str,
    order_id: uuid.UUID | None = None,
    received_on: date | None = None,
    allocate_to: list[tuple[uuid.UUID, Decimal]] | None = None,
) -> PaymentView:
    """Authorise and capture ``amount`` on the card, then record the payment.

    ``card_token`` is what the provider charges (a gateway's single-use token; for the
    manual terminal, the card's last 4 digits) and ``reference`` is given to the
    provider (for the manual terminal: the terminal's reference). Raises
    ValidationFailed / CardNumberRefused for bad input, CustomerNotFound,
    PaymentDeclined (402) when the provider declines: nothing is recorded then."""
    uow.authorize(Permission.BILLING_WRITE)  # before the provider takes any money
    try:
        currency_ = currency_code(currency)
    except ValueError as exc:
        raise ValidationFailed(
            "the card payment is not valid", fields=[FieldError("currency", str(exc))]
        ) from None
    amount_ = check_amount(amount, currency_)
    _check_payer(uow, customer_id, currency_, order_id)
    authorisation = provider.authorise(amount_, currency_, card_token, reference)
    if authorisation.status != "authorised":
        raise PaymentDeclined(
            f"{provider.name} declined the card"
            + (f": {authorisation.message}" if authorisation.message else ""),
            extra={"provider": provider.name},
        )
    capture = provider.capture(authorisation.provider_reference, amount_)
    try:
        return record_payment(
            uow,
            customer_id=customer_id,
            method="card",
            amount=capture.amount,
            currency=currency_,
            reference=reference,
            received_on=received_on,
            order_id=order_id,
            allocate_to=allocate_to,
            provider=provider.name,
            provider_reference=capture.provider_reference,
            card_last4=authorisation.last4,
        )
    except OmsError:
        provider.refund(capture.provider_reference, capture.amount)
        raise


def _check_payer(
    uow: UnitOfWork, customer_id: uuid.UUID, currency: str, order_id: uuid.UUID | None
) -> None:
    """What record_payment would refuse about the payer (an unknown customer, a currency
    that is neither theirs nor one they have invoices in, another customer's order),
    checked in a reader before the provider takes money; record_payment checks again,
    under its lock."""
    customers, orders, invoices = table_of(Customer), table_of(Order), table_of(Invoice)
    with uow.db.reader() as session:
        customer_currency = session.scalar(
            sa.select(customers.c.currency).where(customers.c.id == customer_id)
        )
        owner = (
            session.scalar(sa.select(orders.c.customer_id).where(orders.c.id == order_id))
            if order_id is not None
            else customer_id
        )
        invoiced_in_currency = session.scalar(
            sa.select(invoices.c.id)
            .where(invoices.c.customer_id == customer_id, invoices.c.currency == currency)
            .limit(1)
        )
    if customer_currency is None:
        raise CustomerNotFound(f"no customer {customer_id}")
    problems = []
    if customer_currency != currency and invoiced_in_currency is None:
        problems.append(
            FieldError("currency", f"must be {customer_currency}, the customer's currency")
        )
    if owner != customer_id:
        problems.append(FieldError("order_id", "no such order of this customer"))
    if problems:
        raise ValidationFailed("the payment is not valid", fields=problems)


def refund_card_payment(
    uow: UnitOfWork,
    provider: PaymentProvider,
    *,
    payment_id: uuid.UUID,
    amount: Decimal | str,
    reason: str,
) -> PaymentView:
    """Pay back ``amount`` of a card payment through the provider it was taken with,
    then record the refund with the provider's refund reference (see the module doc).

    Raises PaymentNotFound, ValidationFailed (another provider's payment, a bad amount
    or reason), RefundExceedsUnallocated: the provider is not called then."""
    uow.authorize(Permission.BILLING_WRITE)  # before the provider pays anything back
    with uow.db.reader() as session:
        payment = get_payment(session, payment_id)
    if payment.provider != provider.name:
        raise ValidationFailed(
            "the refund is not valid",
            fields=[
                FieldError(
                    "provider",
                    f"payment {payment.number} was taken through {payment.provider}, "
                    f"not {provider.name}",
                )
            ],
        )
    checks = FieldChecks()
    amount_ = checks.run("amount", lambda v: money_amount(v, payment.currency), amount)
    checks.run("reason", text(500), reason)
    checks.raise_if_any("the refund is not valid")
    assert amount_ is not None
    if amount_ > payment.unallocated:
        raise RefundExceedsUnallocated(
            f"payment {payment.number} has {payment.unallocated} unallocated: refund at most "
            "that (allocated money is freed by a credit note on its invoice)",
            extra={"refundable": str(payment.unallocated)},
        )
    result = provider.refund(payment.provider_reference, amount_)
    # a provider without refund ids answers the payment's own reference: none to keep
    reference = (
        "" if result.refund_reference == payment.provider_reference else result.refund_reference
    )
    try:
        return refund_payment(
            uow,
            payment_id=payment_id,
            amount=result.amount,
            reason=reason,
            provider_reference=reference,
        )
    except OmsError as exc:
        exc.extra = {**exc.extra, "provider_refund_reference": result.refund_reference}
        raise
