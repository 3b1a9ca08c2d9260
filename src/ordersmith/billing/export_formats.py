"""The CSV layouts of the accounting exports (docs/accounting-export.md): our journal CSV,
Xero's Manual Journal import, and the invoice lines. RFC 4180 (CRLF line ends), UTF-8,
amounts with the currency's decimals and a dot, dates ISO 8601 except Xero's
``dd/mm/yyyy``."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import Invoice, InvoiceLine, JournalEntry, JournalLine
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.money import money_str

XERO_TAX_RATE = "Tax Exempt"
"""The Xero tax rate name put on every line: tax is already its own journal line. Use
your region's name for "no tax" (No VAT, BAS Excluded, No GST...)."""

JOURNAL_COLUMNS = (
    "entry_number",
    "entry_date",
    "currency",
    "source_type",
    "source_id",
    "description",
    "line_no",
    "account_code",
    "account_name",
    "account_role",
    "debit",
    "credit",
    "customer_number",
)
XERO_COLUMNS = (
    "*Narration",
    "*Date",
    "Description",
    "*AccountCode",
    "*TaxRate",
    "*Amount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
)
INVOICE_COLUMNS = (
    "invoice_number",
    "kind",
    "issue_date",
    "due_date",
    "customer_number",
    "customer_name",
    "currency",
    "line_no",
    "sku",
    "description",
    "quantity",
    "unit_price",
    "discount",
    "net_amount",
    "tax_rate",
    "tax_amount",
    "invoice_subtotal",
    "invoice_tax",
    "invoice_total",
)


def invoices_of(date_from: date, date_to: date, until: datetime) -> list[sa.ColumnElement[bool]]:
    """Invoices issued in the period that existed at ``until``."""
    inv = table_of(Invoice)
    return [inv.c.issue_date >= date_from, inv.c.issue_date <= date_to, inv.c.created_at <= until]


def journal_lines(session: Session, batch_id: uuid.UUID) -> list[Any]:
    entries, lines, customers = table_of(JournalEntry), table_of(JournalLine), table_of(Customer)
    return list(
        session.execute(
            sa.select(
                entries.c.number,
                entries.c.entry_date,
                entries.c.currency,
                entries.c.source_type,
                entries.c.source_id,
                entries.c.description,
                lines.c.line_no,
                lines.c.account_code,
                lines.c.account_name,
                lines.c.account_role,
                lines.c.debit,
                lines.c.credit,
                customers.c.number.label("customer_number"),
            )
            .join(lines, lines.c.entry_id == entries.c.id)
            .outerjoin(customers, customers.c.id == lines.c.customer_id)
            .where(entries.c.export_batch == str(batch_id))
            .order_by(entries.c.entry_date, entries.c.number, lines.c.line_no)
        ).mappings()
    )


def journal_rows(lines: Iterable[Any]) -> Iterable[Sequence[str]]:
    for r in lines:
        yield (
            r["number"],
            r["entry_date"].isoformat(),
            r["currency"],
            r["source_type"],
            str(r["source_id"]),
            text_cell(r["description"]),
            str(r["line_no"]),
            r["account_code"],
            text_cell(r["account_name"]),
            r["account_role"],
            money_str(r["debit"], r["currency"]),
            money_str(r["credit"], r["currency"]),
            r["customer_number"] or "",
        )


def xero_rows(lines: Iterable[Any], tax_rate: str) -> Iterable[Sequence[str]]:
    """One Xero journal per entry: lines with the same narration and date form one."""
    for r in lines:
        narration = f"{r['number']} {r['description']}"[:255]
        detail = r["account_name"] + (f" ({r['customer_number']})" if r["customer_number"] else "")
        yield (
            text_cell(narration),
            r["entry_date"].strftime("%d/%m/%Y"),
            text_cell(detail),
            r["account_code"],
            tax_rate,
            money_str(r["debit"] - r["credit"], r["currency"]),
            "",
            "",
            "",
            "",
        )


def invoice_rows(
    session: Session, date_from: date, date_to: date, until: datetime
) -> Iterable[Sequence[str]]:
    """One row per line of the invoices issued in the period that existed at ``until``."""
    inv, lines = table_of(Invoice), table_of(InvoiceLine)
    rows = session.execute(
        sa.select(inv, *(lines.c[c].label(f"l_{c}") for c in _LINE_COLUMNS))
        .join(lines, lines.c.invoice_id == inv.c.id)
        .where(*invoices_of(date_from, date_to, until))
        .order_by(inv.c.issue_date, inv.c.number, lines.c.line_no)
    ).mappings()
    for r in rows:
        currency, billing = r["currency"], r["billing_snapshot"] or {}
        yield (
            r["number"],
            str(r["kind"]),
            r["issue_date"].isoformat(),
            r["due_date"].isoformat(),
            str(billing.get("customer_number") or ""),
            text_cell(str(billing.get("company") or billing.get("name") or "")),
            currency,
            str(r["l_line_no"]),
            text_cell(r["l_sku"]),
            text_cell(r["l_name"]),
            str(r["l_quantity"]),
            money_str(r["l_unit_price"], currency),
            money_str(r["l_discount"], currency),
            money_str(r["l_net_amount"], currency),
            f"{r['l_tax_rate'].normalize():f}",
            money_str(r["l_tax_amount"], currency),
            money_str(r["subtotal"], currency),
            money_str(r["tax_total"], currency),
            money_str(r["total"], currency),
        )


_LINE_COLUMNS = (
    "line_no",
    "sku",
    "name",
    "quantity",
    "unit_price",
    "discount",
    "net_amount",
    "tax_rate",
    "tax_amount",
)


def text_cell(value: str) -> str:
    """Text a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR
    first) gets a leading apostrophe (CSV injection); amounts are never passed here."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
