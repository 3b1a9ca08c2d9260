"""Billing events. Payload keys are read by the worker's handlers (the invoice email with
its PDF, webhooks): keep them stable. Amounts are decimal strings in the payload."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from decimal import Decimal
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class InvoiceIssued(DomainEvent):
    """``invoice.issued`` (aggregate: the invoice)."""

    aggregate_type: ClassVar[str] = "invoice"
    number: str
    kind: str
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    shipment_id: uuid.UUID | None
    total: Decimal
    currency: str
    issue_date: date
    due_date: date


@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentReceived(DomainEvent):
    """``payment.received`` (aggregate: the payment)."""

    aggregate_type: ClassVar[str] = "payment"
    number: str
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    method: str
    amount: Decimal
    currency: str
    received_on: date
    allocated: Decimal
    invoice_numbers: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentRefunded(DomainEvent):
    """``payment.refunded`` (aggregate: the payment)."""

    aggregate_type: ClassVar[str] = "payment"
    number: str
    customer_id: uuid.UUID
    refund_id: uuid.UUID
    amount: Decimal
    currency: str
    reason: str
    provider_reference: str
    """The provider's or the card terminal's id of the refund ("" if none given)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CreditNoteIssued(DomainEvent):
    """``credit_note.issued`` (aggregate: the credit note)."""

    aggregate_type: ClassVar[str] = "credit_note"
    number: str
    invoice_id: uuid.UUID
    invoice_number: str
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    reason: str
    total: Decimal
    currency: str
    applied: Decimal
    """Taken off the invoice's open balance; ``total - applied`` became customer credit."""
    freed: Decimal
    """Of that customer credit, what was freed from the payments (or other invoices'
    credit notes) that had paid the invoice: a payment's is refundable."""
    freed_from: list[str]
    """The numbers of those payments and credit notes, newest settlement first."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerCreditApplied(DomainEvent):
    """``customer.credit_applied`` (aggregate: the customer): unallocated payments or
    unapplied credit notes settled open invoices."""

    aggregate_type: ClassVar[str] = "customer"
    amount: Decimal
    currency: str
    invoice_numbers: list[str]
