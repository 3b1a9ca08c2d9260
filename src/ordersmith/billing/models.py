"""Billing tables: invoices, payments, credit notes, refunds, the journal, counters.

An invoice copies what was sold (lines with their prices, discounts and tax rates) and
never changes its lines or amounts after it is issued; only what has been paid and
credited against it moves (``amount_paid``, ``amount_credited``), and with them its
status. An invoice is voided only by a credit note. Money is ``Fixed(4)`` everywhere and
rounded per line to the currency's minor unit (ADR 0004, ADR 0012); the CHECK
constraints are the database's backstop for the sums the services keep.

Customer credit is not a table of its own: it is the unallocated part of payments
(``amount - amount_allocated - amount_refunded``) plus the unapplied part of credit
notes (``total - amount_applied``). Allocations and credit applications are append-only:
money a credit note frees again is a negative row naming that credit note.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, Fixed, enum_column


class InvoiceKind(StrEnum):
    INVOICE = "invoice"  # an account customer's invoice, due after the payment terms
    RECEIPT = "receipt"  # a cash customer's sale, paid up front (simplified invoice)


class InvoiceStatus(StrEnum):
    """Stored: issued -> partially_paid -> paid, or credited (fully, by credit notes).
    ``overdue`` is derived (due date passed, balance open), never stored."""

    ISSUED = "issued"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CREDITED = "credited"


class InvoiceLineKind(StrEnum):
    ITEM = "item"  # units of an order line
    SHIPPING = "shipping"  # the order's shipping charge, invoiced once


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    CHEQUE = "cheque"
    OTHER = "other"


class PaymentStatus(StrEnum):
    RECEIVED = "received"
    REFUNDED = "refunded"  # refunded in full


class CreditReason(StrEnum):
    RETURN = "return"
    DAMAGE = "damage"
    PRICING_ERROR = "pricing_error"
    GOODWILL = "goodwill"
    DOCUMENTATION_ERROR = "documentation_error"


class DocumentCounter(Base):
    """Gapless counters (invoices, receipts, credit notes, payments, journal entries):
    taken inside the issuing transaction (ordersmith.billing.numbering)."""

    __tablename__ = "document_counters"

    series: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (sa.CheckConstraint("next_value >= 1", name="next_value_positive"),)


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    series: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[InvoiceKind] = mapped_column(enum_column(InvoiceKind, 16))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    order_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("orders.id"))
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("shipments.id"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    issue_date: Mapped[date]
    due_date: Mapped[date]
    payment_terms_days: Mapped[int]
    status: Mapped[InvoiceStatus] = mapped_column(enum_column(InvoiceStatus, 16))
    subtotal: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_total: Mapped[Decimal] = mapped_column(Fixed(4))
    total: Mapped[Decimal] = mapped_column(Fixed(4))
    amount_paid: Mapped[Decimal] = mapped_column(Fixed(4))
    amount_credited: Mapped[Decimal] = mapped_column(Fixed(4))
    """What credit notes (its own or another's excess) took off this invoice's balance."""
    billing_snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """{"name", "customer_number", "email", "address": {...}} as it was when issued."""
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        # NULLs are distinct on both databases: at most one invoice per shipment
        sa.UniqueConstraint("shipment_id", name="uq_invoices_shipment_id"),
        sa.Index("ix_invoices_customer_issued", "customer_id", "issue_date", "number"),
        sa.Index("ix_invoices_status_due", "status", "due_date"),
        sa.Index("ix_invoices_issued", "issue_date", "number"),
        sa.Index("ix_invoices_order", "order_id"),
        sa.CheckConstraint("total = subtotal + tax_total", name="total_adds_up"),
        sa.CheckConstraint(
            "amount_paid >= 0 AND amount_credited >= 0", name="settled_not_negative"
        ),
        sa.CheckConstraint("amount_paid + amount_credited <= total", name="settled_within_total"),
        sa.CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        sa.CheckConstraint("payment_terms_days >= 0", name="terms_not_negative"),
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("invoices.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    kind: Mapped[InvoiceLineKind] = mapped_column(enum_column(InvoiceLineKind, 16))
    order_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("orders.id"))
    order_line_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("order_lines.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    unit_price: Mapped[Decimal] = mapped_column(Fixed(4))
    discount: Mapped[Decimal] = mapped_column(Fixed(4))
    net_amount: Mapped[Decimal] = mapped_column(Fixed(4))
    """quantity x unit price, less the discount, rounded (ADR 0012)."""
    tax_rate: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_amount: Mapped[Decimal] = mapped_column(Fixed(4))

    __table_args__ = (
        sa.UniqueConstraint("invoice_id", "line_no", name="uq_invoice_lines_invoice_line_no"),
        sa.Index("ix_invoice_lines_order_line", "order_line_id"),
        sa.Index("ix_invoice_lines_order", "order_id", "kind"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "discount >= 0 AND net_amount >= 0 AND tax_amount >= 0", name="amounts_not_negative"
        ),
    )


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    order_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("orders.id"))
    """A cash sale's prepayment: allocated to the order's receipt when it is issued."""
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod, 16))
    amount: Mapped[Decimal] = mapped_column(Fixed(4))
    currency: Mapped[str] = mapped_column(sa.String(3))
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    received_on: Mapped[date]
    provider: Mapped[str] = mapped_column(sa.String(40), default="manual")
    provider_reference: Mapped[str] = mapped_column(sa.String(120), default="")
    card_last4: Mapped[str] = mapped_column(sa.String(4), default="")
    """The last four digits only: a card number is never stored."""
    amount_allocated: Mapped[Decimal] = mapped_column(Fixed(4))
    amount_refunded: Mapped[Decimal] = mapped_column(Fixed(4))
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus, 16))
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_payments_customer_received", "customer_id", "received_on", "number"),
        sa.Index("ix_payments_order", "order_id"),
        sa.Index("ix_payments_received", "received_on", "number"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint(
            "amount_allocated >= 0 AND amount_refunded >= 0", name="used_not_negative"
        ),
        sa.CheckConstraint(
            "amount_allocated + amount_refunded <= amount", name="used_within_amount"
        ),
    )


# a settlement row is positive, or negative and freed by a credit note on its invoice
_RELEASED = (
    "(amount > 0 AND released_by_credit_note_id IS NULL) OR "
    "(amount < 0 AND released_by_credit_note_id IS NOT NULL)"
)


class PaymentAllocation(Base):
    """Append-only: part of a payment settling part of an invoice, or (a negative row)
    part of that freed again by a credit note on the invoice (ordersmith.billing.releases)."""

    __tablename__ = "payment_allocations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("payments.id"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("invoices.id"))
    amount: Mapped[Decimal] = mapped_column(Fixed(4))
    released_by_credit_note_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("credit_notes.id")
    )
    """Set on a negative row: the credit note that freed the money."""
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_payment_allocations_payment", "payment_id"),
        sa.Index("ix_payment_allocations_invoice", "invoice_id"),
        sa.Index("ix_payment_allocations_released_by", "released_by_credit_note_id"),
        sa.CheckConstraint(_RELEASED, name="positive_or_released"),
    )


class CreditNote(Base):
    __tablename__ = "credit_notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("invoices.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    reason: Mapped[CreditReason] = mapped_column(enum_column(CreditReason, 24))
    issue_date: Mapped[date]
    subtotal: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_total: Mapped[Decimal] = mapped_column(Fixed(4))
    total: Mapped[Decimal] = mapped_column(Fixed(4))
    amount_applied: Mapped[Decimal] = mapped_column(Fixed(4))
    """Taken off invoices' balances (its own first); the rest is customer credit."""
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_credit_notes_customer_issued", "customer_id", "issue_date", "number"),
        sa.Index("ix_credit_notes_invoice", "invoice_id"),
        sa.CheckConstraint("total = subtotal + tax_total", name="total_adds_up"),
        sa.CheckConstraint("total > 0", name="total_positive"),
        sa.CheckConstraint(
            "amount_applied >= 0 AND amount_applied <= total", name="applied_within_total"
        ),
    )


class CreditNoteLine(Base):
    """What a credit note takes back from one invoice line: units (quantity > 0) or an
    amount only (quantity 0)."""

    __tablename__ = "credit_note_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    credit_note_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("credit_notes.id", ondelete="CASCADE")
    )
    line_no: Mapped[int]
    invoice_line_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("invoice_lines.id"))
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    net_amount: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_rate: Mapped[Decimal] = mapped_column(Fixed(4))
    tax_amount: Mapped[Decimal] = mapped_column(Fixed(4))

    __table_args__ = (
        sa.UniqueConstraint("credit_note_id", "line_no", name="uq_credit_note_lines_line_no"),
        sa.Index("ix_credit_note_lines_invoice_line", "invoice_line_id"),
        sa.CheckConstraint(
            "quantity >= 0 AND net_amount >= 0 AND tax_amount >= 0", name="not_negative"
        ),
    )


class CreditApplication(Base):
    """Append-only: part of a credit note taken off an invoice's balance, or (a negative
    row) part of another invoice's credit note freed again by a credit note on it."""

    __tablename__ = "credit_applications"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    credit_note_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("credit_notes.id"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("invoices.id"))
    amount: Mapped[Decimal] = mapped_column(Fixed(4))
    released_by_credit_note_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("credit_notes.id")
    )
    """Set on a negative row: the credit note that freed the credit."""
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_credit_applications_credit_note", "credit_note_id"),
        sa.Index("ix_credit_applications_invoice", "invoice_id"),
        sa.Index("ix_credit_applications_released_by", "released_by_credit_note_id"),
        sa.CheckConstraint(_RELEASED, name="positive_or_released"),
    )


class Refund(Base):
    """Money paid back from the unallocated part of a payment."""

    __tablename__ = "refunds"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("payments.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    amount: Mapped[Decimal] = mapped_column(Fixed(4))
    currency: Mapped[str] = mapped_column(sa.String(3))
    reason: Mapped[str] = mapped_column(sa.String(500))
    provider_reference: Mapped[str] = mapped_column(sa.String(120), default="")
    """The provider's (or the card terminal's) id of the refund; "" if none was given.
    One refund per payment and reference: the provider's webhook finds it by that."""
    refunded_on: Mapped[date]
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_refunds_payment", "payment_id"),
        sa.Index("ix_refunds_customer", "customer_id", "refunded_on"),
        sa.Index(
            "uq_refunds_payment_provider_reference",
            "payment_id",
            "provider_reference",
            unique=True,
            sqlite_where=sa.text("provider_reference <> ''"),
            postgresql_where=sa.text("provider_reference <> ''"),
        ),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )


class JournalEntry(Base):
    """One balanced double-entry posting per business event; append-only except for
    the export marks (``exported_at``, ``export_batch``)."""

    __tablename__ = "journal_entries"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    entry_date: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3))
    source_type: Mapped[str] = mapped_column(sa.String(24))
    """invoice, payment, credit_note, credit_application, payment_allocation or refund."""
    source_id: Mapped[uuid.UUID]
    description: Mapped[str] = mapped_column(sa.String(300))
    exported_at: Mapped[datetime | None]
    export_batch: Mapped[str | None] = mapped_column(sa.String(64))
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_journal_entries_date_exported", "entry_date", "exported_at"),
        sa.Index("ix_journal_entries_unexported", "exported_at", "entry_date", "number"),
        sa.Index("ix_journal_entries_source", "source_type", "source_id"),
    )


class JournalLine(Base):
    __tablename__ = "journal_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    entry_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("journal_entries.id", ondelete="CASCADE")
    )
    line_no: Mapped[int]
    account_role: Mapped[str] = mapped_column(sa.String(32))
    """The account's role (receivable, revenue, ...): stable if the chart's codes change."""
    account_code: Mapped[str] = mapped_column(sa.String(20))
    account_name: Mapped[str] = mapped_column(sa.String(120))
    debit: Mapped[Decimal] = mapped_column(Fixed(4))
    credit: Mapped[Decimal] = mapped_column(Fixed(4))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("customers.id"))

    __table_args__ = (
        sa.UniqueConstraint("entry_id", "line_no", name="uq_journal_lines_entry_line_no"),
        sa.Index("ix_journal_lines_account", "account_code"),
        sa.Index("ix_journal_lines_customer", "customer_id", "account_role"),
        sa.CheckConstraint(
            "debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0) AND debit + credit > 0",
            name="one_sided",
        ),
    )
