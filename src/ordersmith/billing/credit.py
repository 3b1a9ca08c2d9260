"""Customer credit: unallocated payments and unapplied credit notes settling open
invoices, oldest invoice first.

Credit notes are used before payments (a credit note's excess can only ever be used
this way, a payment's can also be refunded), each source oldest first. One journal
entry moves the sum from customer credit to receivables.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.billing import journal
from ordersmith.billing.accounts import AccountRole
from ordersmith.billing.errors import InvoiceNotFound, NoCustomerCredit
from ordersmith.billing.events import CustomerCreditApplied
from ordersmith.billing.models import Invoice
from ordersmith.billing.settlement import (
    allocate_payment,
    apply_credit_note,
    balance_of,
    lock_customer,
    open_invoices,
    unallocated_of,
    unallocated_payments,
    unapplied_credit_notes,
)
from ordersmith.billing.views import CreditApplied
from ordersmith.db import table_of
from ordersmith.money import ZERO
from ordersmith.uow import UnitOfWork


def apply_customer_credit(
    uow: UnitOfWork, *, customer_id: uuid.UUID, invoice_id: uuid.UUID | None = None
) -> CreditApplied:
    """Settle the customer's open invoices (or just ``invoice_id``) from their credit:
    unapplied credit notes first, then unallocated payments, oldest first each.
    NoCustomerCredit when there is no credit or no open invoice to use it on."""
    uow.authorize(Permission.BILLING_WRITE)
    customer = lock_customer(uow, customer_id)
    currency = customer["currency"]
    if invoice_id is not None:
        inv = table_of(Invoice)
        found = uow.session.execute(
            sa.select(inv.c.currency).where(
                inv.c.id == invoice_id, inv.c.customer_id == customer_id
            )
        ).scalar_one_or_none()
        if found is None:
            raise InvoiceNotFound(f"customer {customer['number']} has no invoice {invoice_id}")
        currency = found
    invoices = open_invoices(
        uow, customer_id, currency, only=[invoice_id] if invoice_id is not None else None
    )
    result = use_credit(
        uow,
        customer_id=customer_id,
        currency=currency,
        invoices=invoices,
        credit_notes=unapplied_credit_notes(uow, customer_id, currency),
        payments=unallocated_payments(uow, customer_id, currency),
    )
    if result.total == 0:
        what = "that invoice has no balance" if invoice_id else "nothing to apply"
        raise NoCustomerCredit(
            f"customer {customer['number']}: {what} (credit needs an open invoice in {currency})"
        )
    return result


def use_credit(
    uow: UnitOfWork,
    *,
    customer_id: uuid.UUID,
    currency: str,
    invoices: Sequence[Any],
    credit_notes: Sequence[Any],
    payments: Sequence[Any],
) -> CreditApplied:
    """Apply the given (locked) credit notes, then payments, to the given (locked) open
    invoices in order; post one journal entry and record one event for the sum."""
    balances = [[row, balance_of(row)] for row in invoices]
    applications: list[tuple[str, str, str, Decimal]] = []
    sources: list[tuple[str, Any, Decimal]] = [
        ("credit_note", cn, Decimal(cn["total"] - cn["amount_applied"])) for cn in credit_notes
    ] + [("payment", p, unallocated_of(p)) for p in payments]
    for kind, source, available in sources:
        for slot in balances:
            if available <= 0:
                break
            invoice, balance = slot
            amount = min(available, balance)
            if amount <= 0:
                continue
            if kind == "credit_note":
                apply_credit_note(
                    uow, credit_note_id=source["id"], invoice_id=invoice["id"], amount=amount
                )
            else:
                allocate_payment(
                    uow, payment_id=source["id"], invoice_id=invoice["id"], amount=amount
                )
            slot[1] = balance - amount
            available -= amount
            applications.append((kind, source["number"], invoice["number"], amount))
    total = sum((a[3] for a in applications), ZERO)
    if total > 0:
        journal.post(
            uow,
            entry_date=clock.today(),
            currency=currency,
            source_type="credit_application",
            source_id=customer_id,
            description="Customer credit applied to "
            + ", ".join(sorted({a[2] for a in applications})),
            postings=[
                journal.Posting(AccountRole.CUSTOMER_CREDIT, debit=total, customer_id=customer_id),
                journal.Posting(AccountRole.RECEIVABLE, credit=total, customer_id=customer_id),
            ],
        )
        uow.record(
            CustomerCreditApplied(
                aggregate_id=customer_id,
                amount=total,
                currency=currency,
                invoice_numbers=sorted({a[2] for a in applications}),
            )
        )
    return CreditApplied(customer_id, currency, total, applications)
