"""What ``record_payment`` checks and plans before it writes: the payer's order and
currency, and which invoices the payment settles (ordersmith.billing.payments)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith.billing.errors import InvoiceNotFound, OverAllocation
from ordersmith.billing.models import Invoice, InvoiceLine
from ordersmith.billing.settlement import balance_of, open_invoices, spread
from ordersmith.db import table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.orders.models import Order
from ordersmith.uow import UnitOfWork


def lock_payers_order(uow: UnitOfWork, order_id: uuid.UUID, customer_id: uuid.UUID) -> None:
    """Lock the order a payment is for, before the customer (ADR 0013, lock order: the
    cash-sale subscriber releases and receipts it in this transaction). ValidationFailed
    unless it is the customer's order."""
    orders = table_of(Order)
    owner = uow.session.scalar(
        sa.select(orders.c.customer_id).where(orders.c.id == order_id).with_for_update()
    )
    if owner != customer_id:
        raise ValidationFailed(
            "the payment is not valid",
            fields=[FieldError("order_id", "no such order of this customer")],
        )


def check_currency(uow: UnitOfWork, customer: Any, currency: str) -> None:
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


def plan_allocations(
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
