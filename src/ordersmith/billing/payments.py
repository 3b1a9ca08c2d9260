"""Receiving and refunding payments.

A payment is allocated to invoices explicitly (``allocate_to``) or, by default, to the
customer's open invoices oldest first (issue date, then number); a payment recorded
for an order (a cash sale's prepayment) is only allocated to that order's invoices,
and waits for its receipt otherwise. An allocation never exceeds an invoice's balance
or what is left of the payment. What is left stays on the payment, unallocated: that
is customer credit (``apply_customer_credit`` uses it later, ``refund_payment`` pays
it back). Only unallocated money can be refunded: allocated money is freed by a credit
note on the invoice it paid (ordersmith.billing.releases), and can then be refunded.

Locks (ADR 0013, lock order; ADR 0034): the order a payment is for, the customer, the
invoices it settles, and the stock rows of a cash sale it pays for (its release and
confirmation allocate it) -- and only then the payment counter, the receipt's counter,
and the journal's at commit. No gapless counter is held while a row lock is waited for.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.adapters.payments import MANUAL, refuse_card_numbers
from ordersmith.auth.permissions import Permission
from ordersmith.billing import cash_sales, inputs, journal
from ordersmith.billing.accounts import MONEY_ACCOUNT, AccountRole
from ordersmith.billing.allocation_plans import (
    check_currency,
    lock_payers_order,
    plan_allocations,
)
from ordersmith.billing.errors import (
    PaymentNotFound,
    RefundAlreadyRecorded,
    RefundExceedsUnallocated,
)
from ordersmith.billing.events import PaymentReceived, PaymentRefunded
from ordersmith.billing.models import Payment, PaymentMethod, PaymentStatus, Refund
from ordersmith.billing.numbering import PAYMENT_PREFIX, next_document_number
from ordersmith.billing.queries import get_payment
from ordersmith.billing.settlement import allocate_payment, lock_customer, unallocated_of
from ordersmith.billing.views import PaymentView
from ordersmith.db import Fixed, insert_rows, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.money import ZERO, money_str
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, currency_code, one_of, text


def record_payment(
    uow: UnitOfWork,
    *,
    customer_id: uuid.UUID,
    method: str,
    amount: Decimal | str,
    currency: str,
    reference: str = "",
    received_on: date | None = None,
    order_id: uuid.UUID | None = None,
    allocate_to: list[tuple[uuid.UUID, Decimal]] | None = None,
    provider: str = "manual",
    provider_reference: str = "",
    card_last4: str = "",
) -> PaymentView:
    """Record money received from a customer and allocate it (see the module doc).
    ``allocate_to=[]`` allocates nothing (all becomes customer credit). Raises
    ValidationFailed listing every bad field, OverAllocation when an explicit
    allocation exceeds an invoice's balance. CardNumberRefused (before anything else)
    when ``reference``, ``card_last4`` or a ``manual`` provider reference (typed from
    the terminal; another provider's id may be all digits) looks like a card number."""
    uow.authorize(Permission.BILLING_WRITE)
    typed = {"reference": reference, "card_last4": card_last4}
    if provider == MANUAL:
        typed["provider_reference"] = provider_reference
    refuse_card_numbers(typed)
    checks = FieldChecks()
    method_ = checks.run("method", one_of(PaymentMethod), method)
    currency_ = checks.run("currency", currency_code, currency)
    amount_ = checks.run("amount", lambda v: inputs.money_amount(v, currency_), amount)
    reference_ = (
        checks.run("reference", text(inputs.MAX_REFERENCE, required=False), reference) or ""
    )
    provider_ = checks.run("provider", text(40), provider) or ""
    provider_ref = (
        checks.run(
            "provider_reference", text(inputs.MAX_REFERENCE, required=False), provider_reference
        )
        or ""
    )
    last4 = checks.run("card_last4", inputs.card_last4, card_last4) or ""
    day = checks.run("received_on", inputs.received_on, received_on)
    wanted = inputs.allocation_requests(checks, allocate_to, currency_)
    checks.raise_if_any("the payment is not valid")
    assert method_ is not None
    assert currency_ is not None
    assert amount_ is not None
    assert day is not None
    if order_id is not None:  # the order before the customer (ADR 0013, lock order)
        lock_payers_order(uow, order_id, customer_id)
    customer = lock_customer(uow, customer_id)
    check_currency(uow, customer, currency_)
    if wanted is not None and sum((a for _i, a in wanted), ZERO) > amount_:
        raise ValidationFailed(
            "the payment is not valid",
            fields=[
                FieldError("allocate_to", f"allocations total more than the payment ({amount_})")
            ],
        )
    plan = plan_allocations(uow, customer_id, currency_, amount_, wanted, order_id)
    released = order_id is not None and cash_sales.release_if_paid(
        uow,
        order_id,
        paying=amount_,
        note=f"paid: {money_str(amount_, currency_)} {currency_} by {method_.value}",
    )
    # every row lock is taken (the order's stock too, if it was released): now the number
    _series, number = next_document_number(uow, PAYMENT_PREFIX, day.year)
    payment_id = new_id()
    insert_rows(
        uow.session.connection(),
        table_of(Payment),
        [
            {
                "id": payment_id,
                "number": number,
                "customer_id": customer_id,
                "order_id": order_id,
                "method": method_.value,
                "amount": amount_,
                "currency": currency_,
                "reference": reference_,
                "received_on": day,
                "provider": provider_,
                "provider_reference": provider_ref,
                "card_last4": last4,
                "amount_allocated": ZERO,
                "amount_refunded": ZERO,
                "status": PaymentStatus.RECEIVED.value,
                "created_by": uow.actor,
                "created_at": clock.now(),
            }
        ],
    )
    for invoice, part in plan:
        allocate_payment(uow, payment_id=payment_id, invoice_id=invoice["id"], amount=part)
    allocated = sum((part for _inv, part in plan), ZERO)
    uow.record(
        PaymentReceived(
            aggregate_id=payment_id,
            number=number,
            customer_id=customer_id,
            order_id=order_id,
            method=method_.value,
            amount=amount_,
            currency=currency_,
            received_on=day,
            allocated=allocated,
            invoice_numbers=[invoice["number"] for invoice, _part in plan],
        )
    )
    if released and order_id is not None:
        cash_sales.receipt_paid_order(uow, order_id)  # settled from this payment too
    journal.post(
        uow,
        entry_date=day,
        currency=currency_,
        source_type="payment",
        source_id=payment_id,
        description=f"Payment {number} ({method_.value})",
        postings=[
            journal.Posting(MONEY_ACCOUNT[method_], debit=amount_),
            journal.Posting(AccountRole.RECEIVABLE, credit=allocated, customer_id=customer_id),
            journal.Posting(
                AccountRole.CUSTOMER_CREDIT, credit=amount_ - allocated, customer_id=customer_id
            ),
        ],
    )
    return get_payment(uow.session, payment_id)


def refund_payment(
    uow: UnitOfWork,
    *,
    payment_id: uuid.UUID,
    amount: Decimal | str,
    reason: str,
    provider_reference: str = "",
) -> PaymentView:
    """Pay back part of a payment's unallocated money (RefundExceedsUnallocated beyond
    it), back through the payment's own method (a card payment to the card: card
    clearing). The payment is ``refunded`` once refunded in full.

    ``provider_reference`` is the provider's or the card terminal's id of the refund:
    a payment has at most one refund per reference (RefundAlreadyRecorded), so a
    provider's webhook reporting it later links to it (ordersmith.billing.
    provider_events). Refused (CardNumberRefused, first) when it looks like a card
    number on a payment of the ``manual`` terminal, where staff type it; another
    provider's id may be all digits. A refund through a provider adapter is
    ``card_payments.refund_card_payment``."""
    uow.authorize(Permission.BILLING_WRITE)
    pay = table_of(Payment)
    found = uow.session.execute(
        sa.select(pay.c.customer_id, pay.c.currency, pay.c.provider).where(pay.c.id == payment_id)
    ).one_or_none()
    if found is None:
        raise PaymentNotFound(f"no payment {payment_id}")
    if found[2] == MANUAL:
        refuse_card_numbers({"provider_reference": provider_reference})
    checks = FieldChecks()
    amount_ = checks.run("amount", lambda v: inputs.money_amount(v, found[1]), amount)
    reason_ = checks.run("reason", text(500), reason) or ""
    reference = (
        checks.run(
            "provider_reference", text(inputs.MAX_REFERENCE, required=False), provider_reference
        )
        or ""
    )
    checks.raise_if_any("the refund is not valid")
    assert amount_ is not None
    lock_customer(uow, found[0])
    payment = (
        uow.session.execute(sa.select(pay).where(pay.c.id == payment_id).with_for_update())
        .mappings()
        .one()
    )
    if reference:
        _refuse_second_refund(uow, payment, reference)
    refundable = unallocated_of(payment)
    if amount_ > refundable:
        raise RefundExceedsUnallocated(
            f"payment {payment['number']} has {refundable} unallocated: refund at most that "
            "(allocated money is freed by a credit note on its invoice)",
            extra={"refundable": str(refundable)},
        )
    refund_id = _write_refund(uow, payment, amount_, reason_, reference)
    uow.record(
        PaymentRefunded(
            aggregate_id=payment_id,
            number=payment["number"],
            customer_id=payment["customer_id"],
            refund_id=refund_id,
            amount=amount_,
            currency=payment["currency"],
            reason=reason_,
            provider_reference=reference,
        )
    )
    return get_payment(uow.session, payment_id)


def refund_by_reference(
    uow: UnitOfWork, payment_id: uuid.UUID, provider_reference: str
) -> Any | None:
    """The payment's refund with this provider reference (a mapping), or None."""
    ref = table_of(Refund)
    return (
        uow.session.execute(
            sa.select(ref).where(
                ref.c.payment_id == payment_id, ref.c.provider_reference == provider_reference
            )
        )
        .mappings()
        .one_or_none()
    )


def _refuse_second_refund(uow: UnitOfWork, payment: Any, reference: str) -> None:
    existing = refund_by_reference(uow, payment["id"], reference)
    if existing is not None:
        raise RefundAlreadyRecorded(
            f"refund {reference} of payment {payment['number']} is recorded already "
            f"({money_str(existing['amount'], existing['currency'])} {existing['currency']} on "
            f"{existing['refunded_on'].isoformat()})",
            extra={"refund_id": str(existing["id"]), "amount": str(existing["amount"])},
        )


def _write_refund(
    uow: UnitOfWork, payment: Any, amount: Decimal, reason: str, reference: str
) -> uuid.UUID:
    """The refund row, the payment's refunded amount and status, and the journal entry."""
    pay = table_of(Payment)
    refunded = pay.c.amount_refunded + sa.literal(amount, type_=Fixed(4))
    uow.session.execute(
        sa.update(pay)
        .where(pay.c.id == payment["id"])
        .values(
            amount_refunded=refunded,
            status=sa.case(
                (refunded >= pay.c.amount, PaymentStatus.REFUNDED.value),
                else_=PaymentStatus.RECEIVED.value,
            ),
        )
    )
    refund_id, today = new_id(), clock.today()
    insert_rows(
        uow.session.connection(),
        table_of(Refund),
        [
            {
                "id": refund_id,
                "payment_id": payment["id"],
                "customer_id": payment["customer_id"],
                "amount": amount,
                "currency": payment["currency"],
                "reason": reason,
                "provider_reference": reference,
                "refunded_on": today,
                "created_by": uow.actor,
                "created_at": clock.now(),
            }
        ],
    )
    journal.post(
        uow,
        entry_date=today,
        currency=payment["currency"],
        source_type="refund",
        source_id=refund_id,
        description=f"Refund of payment {payment['number']}"
        + (f" ({reference})" if reference else ""),
        postings=[
            journal.Posting(
                AccountRole.CUSTOMER_CREDIT, debit=amount, customer_id=payment["customer_id"]
            ),
            journal.Posting(MONEY_ACCOUNT[PaymentMethod(payment["method"])], credit=amount),
        ],
    )
    return refund_id
