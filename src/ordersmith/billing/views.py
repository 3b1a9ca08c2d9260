"""Read models of billing documents, shared by services (their results) and queries.

Amounts are Decimals in the document's currency, rounded to its minor unit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class InvoiceLineView:
    line_no: int
    kind: str  # item or shipping
    order_id: uuid.UUID | None
    order_line_id: uuid.UUID | None
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    net_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal

    @property
    def gross_amount(self) -> Decimal:
        """Quantity x unit price as invoiced, before the discount."""
        return self.net_amount + self.discount


@dataclass(frozen=True, slots=True)
class SettlementView:
    """Money that settled part of an invoice: a payment's allocation or a credit note's
    application; negative when a credit note on the invoice freed it again."""

    kind: str  # payment or credit_note
    document_id: uuid.UUID
    number: str
    amount: Decimal
    at: datetime
    released_by: str | None = None
    """The credit note that freed it (a negative settlement), else None."""


@dataclass(frozen=True, slots=True)
class InvoiceSummary:
    id: uuid.UUID
    number: str
    kind: str
    status: str
    overdue: bool
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    shipment_id: uuid.UUID | None
    currency: str
    issue_date: date
    due_date: date
    total: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceView:
    id: uuid.UUID
    number: str
    series: str
    kind: str  # invoice or receipt
    status: str  # issued, partially_paid, paid or credited
    overdue: bool
    """Derived: due date before today and a balance left (never stored)."""
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    shipment_id: uuid.UUID | None
    currency: str
    issue_date: date
    due_date: date
    payment_terms_days: int
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    amount_credited: Decimal
    balance: Decimal
    credit_notes_total: Decimal
    """All credit notes issued against this invoice (some may have become credit)."""
    billing: dict[str, Any]
    created_by: str
    created_at: datetime
    updated_at: datetime
    lines: list[InvoiceLineView]
    settlements: list[SettlementView]


@dataclass(frozen=True, slots=True)
class AllocationView:
    """Part of a payment (or credit note) settling an invoice; negative when a credit
    note on that invoice freed it again (``released_by`` names it)."""

    invoice_id: uuid.UUID
    invoice_number: str
    amount: Decimal
    at: datetime
    released_by: str | None = None


@dataclass(frozen=True, slots=True)
class RefundView:
    id: uuid.UUID
    payment_id: uuid.UUID
    amount: Decimal
    currency: str
    reason: str
    provider_reference: str
    """The provider's or the card terminal's id of the refund ("" if none given)."""
    refunded_on: date
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    method: str
    amount: Decimal
    currency: str
    reference: str
    received_on: date
    provider: str
    provider_reference: str
    card_last4: str
    amount_allocated: Decimal
    amount_refunded: Decimal
    unallocated: Decimal
    """Customer credit: amount - allocated - refunded."""
    status: str
    created_by: str
    created_at: datetime
    allocations: list[AllocationView]
    refunds: list[RefundView]


@dataclass(frozen=True, slots=True)
class CreditNoteLineView:
    line_no: int
    invoice_line_id: uuid.UUID
    sku: str
    name: str
    quantity: int  # 0 when an amount was credited, not units
    net_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteView:
    id: uuid.UUID
    number: str
    invoice_id: uuid.UUID
    invoice_number: str
    customer_id: uuid.UUID
    currency: str
    reason: str
    issue_date: date
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    amount_applied: Decimal
    unapplied: Decimal
    """Customer credit: total - applied."""
    freed: Decimal
    """What it freed of the payments (or other invoices' credit notes) that had paid its
    invoice: customer credit on them again (a payment's can be refunded)."""
    note: str
    created_by: str
    created_at: datetime
    lines: list[CreditNoteLineView]
    applications: list[AllocationView]
    releases: list[SettlementView]
    """What ``freed`` came from, newest settlement first (amounts positive); detail only."""


@dataclass(frozen=True, slots=True)
class CreditApplied:
    """What ``apply_customer_credit`` settled: (source kind, source number, invoice
    number, amount) per application, and the sum."""

    customer_id: uuid.UUID
    currency: str
    total: Decimal
    applications: list[tuple[str, str, str, Decimal]]


@dataclass(frozen=True, slots=True)
class CustomerBalance:
    """What a customer owes in one currency. ``balance`` = ``open_invoices`` -
    ``unallocated_payments`` - ``unapplied_credit``: positive, the customer owes us;
    negative, we owe the customer (credit they can use or have refunded)."""

    customer_id: uuid.UUID
    currency: str
    open_invoices: Decimal
    overdue: Decimal
    unallocated_payments: Decimal
    unapplied_credit: Decimal
    balance: Decimal
