"""Receiving and refunding payments.

A payment is allocated to invoices explicitly (``allocate_to``) or, by default, to the
customer's open invoices oldest first (issue date, then number); a payment recorded
for an order (a cash sale's prepayment) is only allocated to that order's invoices,
and waits for its receipt otherwise. An allocation never exceeds an invoice's balance
or what is left of the payment. What is left stays on the payment, unallocated: that
is customer credit (``apply_customer_credit`` uses it later, ``refund_payment`` pays
it back). Only unallocated money can be refunded: allocated money must first be freed
by a credit note on the invoice it paid.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.adapters.payments import MANUAL, refuse_card_numbers
from ordersmith.billing import inputs, journal
from ordersmith.billing.accounts import MONEY_ACCOUNT, AccountRole
from ordersmith.billing.errors import (
    InvoiceNotFound,
    OverAllocation,
    PaymentNotFound,
    RefundExceedsUnallocated,
)
from ordersmith.billing.events import PaymentReceived, PaymentRefunded
from ordersmith.billing.models import (
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
)
from ordersmith.billing.numbering import PAYMENT_PREFIX, next_document_number
from ordersmith.billing.queries import get_payment
from ordersmith.billing.settlement import (
    allocate_payment,
    balance_of,
    lock_customer,
    open_invoices,
    spread,
    unallocated_of,
)
from ordersmith.billing.views import PaymentView
from ordersmith.db import Fixed, insert_rows, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.money import ZERO
from ordersmith.orders.models import Order
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
    customer = lock_customer(uow, customer_id)
    _check_currency(uow, customer, currency_)
    if order_id is not None:
        _check_order(uow, order_id, customer_id)
    if wanted is not None and sum((a for _i, a in wanted), ZERO) > amount_:
        raise ValidationFailed(
            "the payment is not valid",
            fields=[
                FieldError("allocate_to", f"allocations total more than the payment ({amount_})")
            ],
        )
    plan = _plan(uow, customer_id, currency_, amount_, wanted, order_id)
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
    return get_payment(uow.session, payment_id)


def _check_currency(uow: UnitOfWork, customer: Any, currency: str) -> None:
    """The customer's currency, or one they have invoices in."""
    if currency == customer["currency"]:
        return
    inv = table_of(Invoice)
    invoiced = uow.session.scalar(
        sa.select(inv.c.id)
        .where(inv.c.customer_id == customer["id"], inv.c.currency == currency)
        .limit(1)
    )
    if invoiced is None:
        raise ValidationFailed(
            "the payment is not valid",
            fields=[
                FieldError(
                    "currency",
                    f"must be {customer['currency']}: the customer has no invoices in {currency}",
                )
            ],
        )


def _check_order(uow: UnitOfWork, order_id: uuid.UUID, customer_id: uuid.UUID) -> None:
    orders = table_of(Order)
    owner = uow.session.scalar(sa.select(orders.c.customer_id).where(orders.c.id == order_id))
    if owner != customer_id:
        raise ValidationFailed(
            "the payment is not valid",
            fields=[FieldError("order_id", "no such order of this customer")],
        )


def _plan(
    uow: UnitOfWork,
    customer_id: uuid.UUID,
    currency: str,
    amount: Decimal,
    wanted: list[tuple[uuid.UUID, Decimal]] | None,
    order_id: uuid.UUID | None,
) -> list[tuple[Any, Decimal]]:
    """(locked invoice row, amount) to allocate, checked against the balances."""
    if wanted is None:
        only = _invoices_of_order(uow, order_id) if order_id is not None else None
        invoices = open_invoices(uow, customer_id, currency, only=only)
        return spread(amount, [(row, balance_of(row)) for row in invoices])
    if not wanted:
        return []
    chosen = {
        row["id"]: row
        for row in open_invoices(uow, customer_id, currency, only=[i for i, _a in wanted])
    }
    problems: list[FieldError] = []
    for i, (invoice_id, part) in enumerate(wanted):
        row = chosen.get(invoice_id)
        if row is None:
            _explain_missing(uow, invoice_id, customer_id, currency)
        elif part > balance_of(row):
            problems.append(
                FieldError(
                    f"allocate_to.{i}.amount",
                    f"at most {balance_of(row)}, the balance of {row['number']}",
                )
            )
    if problems:
        raise OverAllocation("an allocation exceeds an invoice's balance", fields=problems)
    return [(chosen[i], part) for i, part in wanted]


def _invoices_of_order(uow: UnitOfWork, order_id: uuid.UUID) -> list[uuid.UUID]:
    inv, lines = table_of(Invoice), table_of(InvoiceLine)
    return list(
        uow.session.scalars(
            sa.select(inv.c.id)
            .where(
                sa.or_(
                    inv.c.order_id == order_id,
                    inv.c.id.in_(sa.select(lines.c.invoice_id).where(lines.c.order_id == order_id)),
                )
            )
            .distinct()
        )
    )


def _explain_missing(
    uow: UnitOfWork, invoice_id: uuid.UUID, customer_id: uuid.UUID, currency: str
) -> None:
    inv = table_of(Invoice)
    row = uow.session.execute(
        sa.select(inv.c.number, inv.c.currency).where(
            inv.c.id == invoice_id, inv.c.customer_id == customer_id
        )
    ).one_or_none()
    if row is None:
        raise InvoiceNotFound(f"the customer has no invoice {invoice_id}")
    if row[1] != currency:
        raise ValidationFailed(
            "the payment is not valid",
            fields=[FieldError("currency", f"invoice {row[0]} is in {row[1]}")],
        )
    raise OverAllocation(f"invoice {row[0]} has no balance left to pay")


def refund_payment(
    uow: UnitOfWork, *, payment_id: uuid.UUID, amount: Decimal | str, reason: str
) -> PaymentView:
    """Pay back part of a payment's unallocated money (RefundExceedsUnallocated beyond
    it). The payment is ``refunded`` once refunded in full."""
    pay = table_of(Payment)
    found = uow.session.execute(
        sa.select(pay.c.customer_id, pay.c.currency).where(pay.c.id == payment_id)
    ).one_or_none()
    if found is None:
        raise PaymentNotFound(f"no payment {payment_id}")
    checks = FieldChecks()
    amount_ = checks.run("amount", lambda v: inputs.money_amount(v, found[1]), amount)
    reason_ = checks.run("reason", text(500), reason) or ""
    checks.raise_if_any("the refund is not valid")
    assert amount_ is not None
    lock_customer(uow, found[0])
    payment = (
        uow.session.execute(sa.select(pay).where(pay.c.id == payment_id).with_for_update())
        .mappings()
        .one()
    )
    refundable = unallocated_of(payment)
    if amount_ > refundable:
        raise RefundExceedsUnallocated(
            f"payment {payment['number']} has {refundable} unallocated: refund at most that "
            "(allocated money needs a credit note on its invoice first)",
            extra={"refundable": str(refundable)},
        )
    refunded = pay.c.amount_refunded + sa.literal(amount_, type_=Fixed(4))
    uow.session.execute(
        sa.update(pay)
        .where(pay.c.id == payment_id)
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
                "payment_id": payment_id,
                "customer_id": payment["customer_id"],
                "amount": amount_,
                "currency": payment["currency"],
                "reason": reason_,
                "refunded_on": today,
                "created_by": uow.actor,
                "created_at": clock.now(),
            }
        ],
    )
    method = PaymentMethod(payment["method"])
    journal.post(
        uow,
        entry_date=today,
        currency=payment["currency"],
        source_type="refund",
        source_id=refund_id,
        description=f"Refund of payment {payment['number']}",
        postings=[
            journal.Posting(
                AccountRole.CUSTOMER_CREDIT, debit=amount_, customer_id=payment["customer_id"]
            ),
            journal.Posting(MONEY_ACCOUNT[method], credit=amount_),
        ],
    )
    uow.record(
        PaymentRefunded(
            aggregate_id=payment_id,
            number=payment["number"],
            customer_id=payment["customer_id"],
            refund_id=refund_id,
            amount=amount_,
            currency=payment["currency"],
            reason=reason_,
        )
    )
    return get_payment(uow.session, payment_id)
