"""Billing invariants for ``ordersmith check`` (each query returns only what is wrong).

- ``journal_balances``: every journal entry balances; per customer and currency, the
  receivable account equals their invoices' open balances, and the customer credit
  account their unallocated payments plus unapplied credit notes.
- ``billing_documents_add_up``: every stored header equals the sum of its rows
  (invoice and credit note lines, allocations, applications, refunds), and every
  invoice's status agrees with its amounts. Allocations and applications freed again
  (negative rows) never take more from a (payment or credit note, invoice) pair than
  it had settled, and are freed only by a credit note on that very invoice.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.accounts import AccountRole
from ordersmith.billing.models import (
    CreditApplication,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    JournalEntry,
    JournalLine,
    Payment,
    PaymentAllocation,
    Refund,
)
from ordersmith.checks import Violation
from ordersmith.db import table_of

_Key = tuple[uuid.UUID, str]


def journal_balances(session: Session) -> list[Violation]:
    entries, lines = table_of(JournalEntry), table_of(JournalLine)
    found = [
        Violation("journal_balances", f"entry {r[0]}: debits {r[1]} != credits {r[2]}")
        for r in session.execute(
            sa.select(entries.c.number, sa.func.sum(lines.c.debit), sa.func.sum(lines.c.credit))
            .join(lines, lines.c.entry_id == entries.c.id)
            .group_by(entries.c.number)
            .having(
                sa.or_(
                    sa.func.sum(lines.c.debit) != sa.func.sum(lines.c.credit),
                    sa.func.count() < 2,
                )
            )
        )
    ]
    ledger = {
        role: _per_customer(
            session,
            sa.select(
                lines.c.customer_id,
                entries.c.currency,
                sa.func.sum(lines.c.debit) - sa.func.sum(lines.c.credit),
            )
            .join(entries, entries.c.id == lines.c.entry_id)
            .where(lines.c.account_role == role.value)
            .group_by(lines.c.customer_id, entries.c.currency),
            sign=1 if role is AccountRole.RECEIVABLE else -1,
        )
        for role in (AccountRole.RECEIVABLE, AccountRole.CUSTOMER_CREDIT)
    }
    inv, pay, cn = table_of(Invoice), table_of(Payment), table_of(CreditNote)
    open_invoices = _per_customer(
        session,
        sa.select(
            inv.c.customer_id,
            inv.c.currency,
            sa.func.sum(inv.c.total - inv.c.amount_paid - inv.c.amount_credited),
        ).group_by(inv.c.customer_id, inv.c.currency),
    )
    credit = _per_customer(
        session,
        sa.select(
            pay.c.customer_id,
            pay.c.currency,
            sa.func.sum(pay.c.amount - pay.c.amount_allocated - pay.c.amount_refunded),
        ).group_by(pay.c.customer_id, pay.c.currency),
    )
    for key, value in _per_customer(
        session,
        sa.select(
            cn.c.customer_id, cn.c.currency, sa.func.sum(cn.c.total - cn.c.amount_applied)
        ).group_by(cn.c.customer_id, cn.c.currency),
    ).items():
        credit[key] = credit.get(key, Decimal(0)) + value
    for role, documents in (
        (AccountRole.RECEIVABLE, open_invoices),
        (AccountRole.CUSTOMER_CREDIT, credit),
    ):
        for key in sorted(set(ledger[role]) | set(documents), key=str):
            booked, held = ledger[role].get(key, Decimal(0)), documents.get(key, Decimal(0))
            if booked != held:
                found.append(
                    Violation(
                        "journal_balances",
                        f"customer {key[0]} {key[1]}: {role.value} account {booked}, "
                        f"documents {held}",
                    )
                )
    return found


def _per_customer(session: Session, query: sa.Select[Any], sign: int = 1) -> dict[_Key, Decimal]:
    return {
        (r[0], r[1]): Decimal(r[2]) * sign
        for r in session.execute(query)
        if r[0] is not None and r[2] is not None and r[2] != 0
    }


def billing_documents_add_up(session: Session) -> list[Violation]:
    inv, il = table_of(Invoice), table_of(InvoiceLine)
    pay, alloc, ref = table_of(Payment), table_of(PaymentAllocation), table_of(Refund)
    cn, cl, apps = table_of(CreditNote), table_of(CreditNoteLine), table_of(CreditApplication)
    pairs: list[tuple[str, sa.Table, sa.Column[Any], sa.Column[Any], sa.Column[Any], str]] = [
        ("invoice", inv, inv.c.subtotal, il.c.invoice_id, il.c.net_amount, "subtotal"),
        ("invoice", inv, inv.c.tax_total, il.c.invoice_id, il.c.tax_amount, "tax"),
        ("invoice", inv, inv.c.amount_paid, alloc.c.invoice_id, alloc.c.amount, "paid"),
        ("invoice", inv, inv.c.amount_credited, apps.c.invoice_id, apps.c.amount, "credited"),
        ("payment", pay, pay.c.amount_allocated, alloc.c.payment_id, alloc.c.amount, "allocated"),
        ("payment", pay, pay.c.amount_refunded, ref.c.payment_id, ref.c.amount, "refunded"),
        ("credit note", cn, cn.c.subtotal, cl.c.credit_note_id, cl.c.net_amount, "subtotal"),
        ("credit note", cn, cn.c.tax_total, cl.c.credit_note_id, cl.c.tax_amount, "tax"),
        ("credit note", cn, cn.c.amount_applied, apps.c.credit_note_id, apps.c.amount, "applied"),
    ]
    found: list[Violation] = []
    for what, head, column, key, amount, name in pairs:
        sums = sa.select(key.label("k"), sa.func.sum(amount).label("s")).group_by(key).subquery()
        for number, stored, summed in session.execute(
            sa.select(head.c.number, column, sums.c.s)
            .outerjoin(sums, sums.c.k == head.c.id)
            .where(column != sa.func.coalesce(sums.c.s, sa.literal(0, type_=column.type)))
        ):
            found.append(
                Violation(
                    "billing_documents_add_up",
                    f"{what} {number}: {name} {stored}, its rows {summed or 0}",
                )
            )
    settled = inv.c.amount_paid + inv.c.amount_credited
    wrong_status = sa.or_(
        sa.and_(inv.c.status == InvoiceStatus.ISSUED.value, settled != 0),
        sa.and_(
            inv.c.status == InvoiceStatus.PARTIALLY_PAID.value,
            sa.or_(settled == 0, settled >= inv.c.total),
        ),
        sa.and_(inv.c.status == InvoiceStatus.PAID.value, settled != inv.c.total),
    )
    found += [
        Violation("billing_documents_add_up", f"invoice {r[0]} is {r[1]} but settled {r[2]}")
        for r in session.execute(sa.select(inv.c.number, inv.c.status, settled).where(wrong_status))
    ]
    return found + _released_settlements(session)


def _released_settlements(session: Session) -> list[Violation]:
    """Freed (negative) settlement rows: per pair never more than was settled, and
    always by a credit note on the row's invoice."""
    inv, cn, freed_by = table_of(Invoice), table_of(CreditNote), table_of(CreditNote).alias()
    pay, alloc, apps = table_of(Payment), table_of(PaymentAllocation), table_of(CreditApplication)
    found: list[Violation] = []
    for what, head, rows, key in (
        ("payment", pay, alloc, alloc.c.payment_id),
        ("credit note", cn, apps, apps.c.credit_note_id),
    ):
        net = sa.func.sum(rows.c.amount)
        for source, invoice, total in session.execute(
            sa.select(head.c.number, inv.c.number, net)
            .join(head, head.c.id == key)
            .join(inv, inv.c.id == rows.c.invoice_id)
            .group_by(head.c.number, inv.c.number)
            .having(net < sa.literal(0, type_=rows.c.amount.type))
        ):
            found.append(
                Violation(
                    "billing_documents_add_up",
                    f"{what} {source} on invoice {invoice}: {total} settled (freed too much)",
                )
            )
        for source, invoice in session.execute(
            sa.select(head.c.number, inv.c.number)
            .join(head, head.c.id == key)
            .join(inv, inv.c.id == rows.c.invoice_id)
            .join(freed_by, freed_by.c.id == rows.c.released_by_credit_note_id)
            .where(freed_by.c.invoice_id != rows.c.invoice_id)
        ):
            found.append(
                Violation(
                    "billing_documents_add_up",
                    f"{what} {source} on invoice {invoice}: freed by another invoice's credit note",
                )
            )
    return found
