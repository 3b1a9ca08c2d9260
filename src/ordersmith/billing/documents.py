"""Billing documents: invoices, credit notes and customer statements, gathered from the
database into ``ordersmith.documents`` dataclasses and rendered to PDF.

An invoice prints what it stored: its lines as issued, the billing address frozen at
issue (``billing_snapshot``), and its amounts; the tax summary sums the stored lines
per tax rate, so it always adds up to the stored tax total. What was paid and credited
is printed as it stands when the PDF is made.

A **statement** is one customer's account in their currency between two days:

    opening balance = invoices - payments - credit notes + refunds, dated before ``date_from``
    lines           = each of those dated from ``date_from`` to ``date_to``, oldest first,
                      with a running balance (invoices and refunds debit the customer,
                      payments and credit notes credit them)
    closing balance = opening balance + debits - credits

so a statement up to today closes on the customer's balance
(``billing.queries.customer_balance``), and the aging printed with it is
``billing.receivables.aging`` as of ``date_to``.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import CreditNote, Invoice, InvoiceLine, Payment, Refund
from ordersmith.billing.queries import get_credit_note, get_invoice
from ordersmith.billing.receivables import aging, check_days
from ordersmith.config import Settings
from ordersmith.customers.models import AddressKind
from ordersmith.customers.queries import CustomerView, default_address, get_customer
from ordersmith.db import table_of
from ordersmith.documents import (
    AgingSummary,
    CreditNoteDocLine,
    CreditNoteDocument,
    InvoiceDocLine,
    InvoiceDocument,
    Party,
    StatementDocument,
    StatementLine,
    TaxSummaryLine,
    credit_note_pdf,
    invoice_pdf,
    statement_pdf,
)
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import ZERO
from ordersmith.orders.models import Order
from ordersmith.shipping.models import Shipment
from ordersmith.shipping.parties import address_party, party

MAX_STATEMENT_DAYS = 3_660


def invoice_document(
    session: Session, settings: Settings, invoice_id: uuid.UUID | str
) -> InvoiceDocument:
    """The invoice (by id or number) as printed. InvoiceNotFound if there is none."""
    view = get_invoice(session, invoice_id)
    receipt = view.kind == "receipt"
    return InvoiceDocument(
        seller=party(settings),
        bill_to=_bill_to(view.billing),
        title="Receipt" if receipt else "Invoice",
        number=view.number,
        customer_number=str(view.billing.get("customer_number") or ""),
        currency=view.currency,
        issue_date=view.issue_date,
        due_date=view.due_date,
        payment_terms=_terms(view.payment_terms_days, receipt=receipt),
        references=_references(session, view.id, view.shipment_id),
        lines=tuple(
            InvoiceDocLine(
                line.line_no,
                line.sku,
                line.name,
                line.quantity,
                line.unit_price,
                line.discount,
                line.net_amount,
                line.tax_rate,
                line.tax_amount,
            )
            for line in view.lines
        ),
        tax_summary=tax_summary((ln.tax_rate, ln.net_amount, ln.tax_amount) for ln in view.lines),
        subtotal=view.subtotal,
        tax_total=view.tax_total,
        total=view.total,
        amount_paid=view.amount_paid,
        amount_credited=view.amount_credited,
        balance_due=view.balance,
    )


def invoice_pdf_bytes(session: Session, settings: Settings, invoice_id: uuid.UUID | str) -> bytes:
    return invoice_pdf(invoice_document(session, settings, invoice_id))


def credit_note_document(
    session: Session, settings: Settings, credit_note_id: uuid.UUID | str
) -> CreditNoteDocument:
    """The credit note (by id or number) as printed. CreditNoteNotFound if none."""
    view = get_credit_note(session, credit_note_id)
    inv = table_of(Invoice)
    billing = (
        session.scalar(sa.select(inv.c.billing_snapshot).where(inv.c.id == view.invoice_id)) or {}
    )
    return CreditNoteDocument(
        seller=party(settings),
        bill_to=_bill_to(billing),
        number=view.number,
        invoice_number=view.invoice_number,
        customer_number=str(billing.get("customer_number") or ""),
        currency=view.currency,
        issue_date=view.issue_date,
        reason=view.reason.replace("_", " ").capitalize(),
        lines=tuple(
            CreditNoteDocLine(
                line.line_no,
                line.sku,
                line.name,
                line.quantity,
                line.net_amount,
                line.tax_rate,
                line.tax_amount,
            )
            for line in view.lines
        ),
        tax_summary=tax_summary((ln.tax_rate, ln.net_amount, ln.tax_amount) for ln in view.lines),
        subtotal=view.subtotal,
        tax_total=view.tax_total,
        total=view.total,
        # as the customer sees it: what came off the invoice's open balance, and what
        # is theirs now (left on the note, or freed on the payments that paid it)
        amount_applied=view.total - view.unapplied - view.freed,
        unapplied=view.unapplied + view.freed,
        note=view.note,
    )


def credit_note_pdf_bytes(
    session: Session, settings: Settings, credit_note_id: uuid.UUID | str
) -> bytes:
    return credit_note_pdf(credit_note_document(session, settings, credit_note_id))


def statement_document(
    session: Session,
    settings: Settings,
    customer_id: uuid.UUID | str,
    *,
    date_from: date,
    date_to: date,
) -> StatementDocument:
    """The customer's (by id or number) statement from ``date_from`` to ``date_to``, both
    included, in their currency (see the module doc). ValidationFailed for a period that
    ends before it starts or is longer than ten years; CustomerNotFound."""
    _check_period(date_from, date_to)
    customer = get_customer(session, customer_id)
    currency = customer.currency
    docs = _documents(session, customer.id, currency)
    opening = sum((debit - credit for day, *_r, debit, credit in docs if day < date_from), ZERO)
    balance = opening
    lines = []
    for day, _order, kind, number, detail, debit, credit in docs:
        if date_from <= day <= date_to:
            balance += debit - credit
            lines.append(StatementLine(day, kind, number, detail, debit, credit, balance))
    report = aging(session, as_of=date_to, customer_id=customer.id)
    row = next((r for r in report.customers if r.currency == currency), None)
    return StatementDocument(
        seller=party(settings),
        customer=_customer_party(session, customer),
        customer_number=customer.number,
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        lines=tuple(lines),
        closing_balance=balance,
        aging=AgingSummary(
            date_to,
            *(
                (row.current, row.days_1_30, row.days_31_60, row.days_61_90, row.over_90)
                if row
                else (ZERO,) * 5
            ),
        ),
    )


def statement_pdf_bytes(
    session: Session,
    settings: Settings,
    customer_id: uuid.UUID | str,
    *,
    date_from: date,
    date_to: date,
) -> bytes:
    return statement_pdf(
        statement_document(session, settings, customer_id, date_from=date_from, date_to=date_to)
    )


def tax_summary(lines: Any) -> tuple[TaxSummaryLine, ...]:
    """(rate, net, tax) triples summed per rate, highest rate first."""
    sums: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for rate, net, tax in lines:
        before = sums.get(rate, (ZERO, ZERO))
        sums[rate] = (before[0] + net, before[1] + tax)
    return tuple(
        TaxSummaryLine(rate, net, tax)
        for rate, (net, tax) in sorted(sums.items(), key=lambda item: -item[0])
    )


def _check_period(date_from: date, date_to: date) -> None:
    check_days(**{"from": date_from, "to": date_to})
    if date_from > date_to:
        raise ValidationFailed(
            "the statement period is not valid",
            fields=[FieldError("to", "must not be before from")],
        )
    if (date_to - date_from).days > MAX_STATEMENT_DAYS:
        raise ValidationFailed(
            "the statement period is not valid",
            fields=[FieldError("from", f"at most {MAX_STATEMENT_DAYS} days before to")],
        )


def _bill_to(billing: dict[str, Any]) -> Party:
    address = dict(billing.get("address") or {})
    name = str(billing.get("name") or address.get("name") or "")
    printed = address_party(address, name)
    company = str(billing.get("company") or "").strip()
    extra = (company,) if company and company != printed.name else ()
    return Party(printed.name, extra + printed.address_lines, str(billing.get("email") or ""))


def _customer_party(session: Session, customer: CustomerView) -> Party:
    address = default_address(session, customer.id, AddressKind.BILLING) or default_address(
        session, customer.id, AddressKind.SHIPPING
    )
    return _bill_to(
        {
            "name": customer.name,
            "company": customer.company,
            "email": customer.email,
            "address": address.snapshot() if address else {},
        }
    )


def _terms(days: int, *, receipt: bool) -> str:
    if receipt:
        return "Cash sale"
    if days == 0:
        return "Due on receipt"
    return f"{days} days net"


def _references(
    session: Session, invoice_id: uuid.UUID, shipment_id: uuid.UUID | None
) -> tuple[tuple[str, str], ...]:
    lines, orders = table_of(InvoiceLine), table_of(Order)
    numbers = list(
        session.scalars(
            sa.select(orders.c.number)
            .where(
                orders.c.id.in_(
                    sa.select(lines.c.order_id).where(
                        lines.c.invoice_id == invoice_id, lines.c.order_id.is_not(None)
                    )
                )
            )
            .order_by(orders.c.number)
        )
    )
    found: list[tuple[str, str]] = []
    if numbers:
        found.append(("Order" if len(numbers) == 1 else "Orders", ", ".join(numbers)))
    if shipment_id is not None:
        shipments = table_of(Shipment)
        number = session.scalar(sa.select(shipments.c.number).where(shipments.c.id == shipment_id))
        if number:
            found.append(("Shipment", str(number)))
    return tuple(found)


_Doc = tuple[date, int, str, str, str, Decimal, Decimal]


def _documents(session: Session, customer_id: uuid.UUID, currency: str) -> list[_Doc]:
    """Every billing document of the customer in ``currency`` as (day, order, kind,
    number, detail, debit, credit), oldest first."""
    inv, pay = table_of(Invoice), table_of(Payment)
    cn, ref = table_of(CreditNote), table_of(Refund)
    docs: list[_Doc] = []
    for r in session.execute(
        sa.select(inv.c.issue_date, inv.c.kind, inv.c.number, inv.c.due_date, inv.c.total).where(
            inv.c.customer_id == customer_id, inv.c.currency == currency
        )
    ):
        kind = "Receipt" if str(r[1]) == "receipt" else "Invoice"
        docs.append((r[0], 0, kind, r[2], f"due {r[3].isoformat()}", r[4], ZERO))
    for r in session.execute(
        sa.select(cn.c.issue_date, cn.c.number, inv.c.number, cn.c.reason, cn.c.total)
        .join(inv, inv.c.id == cn.c.invoice_id)
        .where(cn.c.customer_id == customer_id, cn.c.currency == currency)
    ):
        reason = str(r[3]).replace("_", " ")
        docs.append((r[0], 1, "Credit note", r[1], f"on {r[2]} ({reason})", ZERO, r[4]))
    for r in session.execute(
        sa.select(
            pay.c.received_on, pay.c.number, pay.c.method, pay.c.reference, pay.c.amount
        ).where(pay.c.customer_id == customer_id, pay.c.currency == currency)
    ):
        method = str(r[2]).replace("_", " ")
        detail = f"{method}, {r[3]}" if r[3] else method
        docs.append((r[0], 2, "Payment", r[1], detail, ZERO, r[4]))
    for r in session.execute(
        sa.select(ref.c.refunded_on, pay.c.number, ref.c.reason, ref.c.amount, ref.c.id)
        .join(pay, pay.c.id == ref.c.payment_id)
        .where(ref.c.customer_id == customer_id, ref.c.currency == currency)
    ):
        docs.append((r[0], 3, "Refund", r[1], f"refund: {r[2]}", r[3], ZERO))
    return sorted(docs, key=lambda d: (d[0], d[1], d[3]))
