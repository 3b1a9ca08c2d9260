"""Request and response models of billing: invoices, payments, refunds, credit notes,
customer credit and balances, and payment providers' webhooks."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from ordersmith.billing.models import CreditReason, PaymentMethod
from ordersmith.web.schemas.common import DecimalStr, Input


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('send amounts as decimal strings, e.g. "12.50"')
    if isinstance(value, str) and len(value) > 40:
        raise ValueError("is not an amount (too long)")
    return value


MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    WithJsonSchema(
        {
            "type": "string",
            "description": "a decimal string with at most the currency's decimals",
            "examples": ["12.50"],
        },
        mode="validation",
    ),
]
"""An amount in: checked by the billing services (positive, the currency's decimals, not
too large), so that every amount problem gets the same message."""


# -- invoices ----------------------------------------------------------------------------


class InvoiceCreate(Input):
    order_id: uuid.UUID | None = Field(None, description="invoice everything not invoiced yet")
    shipment_id: uuid.UUID | None = Field(
        None, description="invoice exactly what a dispatched shipment carried"
    )

    @model_validator(mode="after")
    def _one_of(self) -> InvoiceCreate:
        if (self.order_id is None) == (self.shipment_id is None):
            raise ValueError("give either order_id or shipment_id")
        return self


class InvoiceLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    line_no: int
    kind: str = Field(description="item or shipping")
    order_id: uuid.UUID | None
    order_line_id: uuid.UUID | None
    sku: str
    name: str
    quantity: int
    unit_price: DecimalStr
    discount: DecimalStr
    net_amount: DecimalStr
    tax_rate: DecimalStr
    tax_amount: DecimalStr


class SettlementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str = Field(description="payment or credit_note")
    document_id: uuid.UUID
    number: str
    amount: DecimalStr = Field(description="negative: freed again by a credit note")
    at: datetime
    released_by: str | None = Field(None, description="the credit note that freed it")


class InvoiceCreditNoteOut(BaseModel):
    """A credit note issued against this invoice (it may have gone to other invoices or
    become customer credit if this one was paid)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    reason: str
    issue_date: date
    total: DecimalStr
    amount_applied: DecimalStr
    unapplied: DecimalStr
    freed: DecimalStr = Field(description="freed of the payments that had paid the invoice")


class InvoiceSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    kind: str = Field(description="invoice (account customer) or receipt (cash sale)")
    status: str = Field(description="issued, partially_paid, paid or credited")
    overdue: bool = Field(description="derived: due before today with a balance left")
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    shipment_id: uuid.UUID | None
    currency: str
    issue_date: date
    due_date: date
    total: DecimalStr
    balance: DecimalStr


class InvoiceOut(InvoiceSummaryOut):
    series: str
    payment_terms_days: int
    subtotal: DecimalStr
    tax_total: DecimalStr
    amount_paid: DecimalStr
    amount_credited: DecimalStr
    credit_notes_total: DecimalStr
    billing: dict[str, Any] = Field(description="who it is addressed to, frozen when issued")
    lines: list[InvoiceLineOut]
    payments: list[SettlementOut] = Field(description="payments applied, oldest first")
    credit_notes: list[InvoiceCreditNoteOut] = Field(description="issued against this invoice")
    settlements: list[SettlementOut] = Field(
        description="everything that settled it (payments and credit notes), oldest first"
    )
    created_by: str
    created_at: datetime
    updated_at: datetime


# -- payments and refunds ----------------------------------------------------------------


class AllocationIn(Input):
    invoice_id: uuid.UUID
    amount: MoneyIn


class PaymentCreate(Input):
    customer_id: uuid.UUID
    method: PaymentMethod
    amount: MoneyIn
    currency: str = Field(..., max_length=3, description="the customer's currency")
    reference: str = Field("", max_length=120, description="the remittance or till reference")
    received_on: date | None = Field(None, description="default today; never in the future")
    order_id: uuid.UUID | None = Field(
        None, description="a prepayment for this order: settles its invoices only"
    )
    allocations: list[AllocationIn] | None = Field(
        None,
        max_length=500,
        description="which invoices it pays; [] keeps it all as credit; "
        "omitted: the oldest open invoices first",
    )
    provider: str = Field(
        "manual",
        min_length=1,
        max_length=40,
        description="manual (a card terminal outside the system) or the provider's name",
    )
    provider_reference: str = Field("", max_length=120)
    card_last4: str = Field("", max_length=40, description="the last 4 digits only, never more")


class RefundCreate(Input):
    amount: MoneyIn
    reason: str = Field(..., max_length=500)
    provider_reference: str = Field(
        "",
        max_length=120,
        description="the card terminal's or the provider's id of the refund: one refund "
        "per payment and reference (the provider's webhook finds it by that)",
    )


class AllocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    invoice_id: uuid.UUID
    invoice_number: str
    amount: DecimalStr = Field(description="negative: freed again by a credit note")
    at: datetime
    released_by: str | None = Field(None, description="the credit note that freed it")


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    amount: DecimalStr
    currency: str
    reason: str
    provider_reference: str = Field(description="the terminal's or provider's refund id")
    refunded_on: date
    created_by: str
    created_at: datetime


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    method: str
    amount: DecimalStr
    currency: str
    reference: str
    received_on: date
    provider: str
    provider_reference: str
    card_last4: str
    amount_allocated: DecimalStr
    amount_refunded: DecimalStr
    unallocated: DecimalStr = Field(description="customer credit: can be applied or refunded")
    status: str = Field(description="received, or refunded (in full)")
    created_by: str
    created_at: datetime
    allocations: list[AllocationOut] = Field(description="in the detail only")
    refunds: list[RefundOut] = Field(description="in the detail only")


# -- credit notes ------------------------------------------------------------------------


class CreditLineIn(Input):
    line_no: int = Field(..., ge=1, le=100_000, description="the invoice line")
    quantity: int = Field(..., ge=1, le=2**31 - 1)


class CreditNoteCreate(Input):
    invoice_id: uuid.UUID
    reason: CreditReason
    lines: list[CreditLineIn] | None = Field(
        None, min_length=1, max_length=1000, description="units of invoice lines"
    )
    amount: MoneyIn | None = Field(None, description="an amount, tax included")
    note: str = Field("", max_length=2000)


class CreditNoteLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    line_no: int
    invoice_line_id: uuid.UUID
    sku: str
    name: str
    quantity: int = Field(description="0 when an amount was credited, not units")
    net_amount: DecimalStr
    tax_rate: DecimalStr
    tax_amount: DecimalStr


class CreditNoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    invoice_id: uuid.UUID
    invoice_number: str
    customer_id: uuid.UUID
    currency: str
    reason: str
    issue_date: date
    subtotal: DecimalStr
    tax_total: DecimalStr
    total: DecimalStr
    amount_applied: DecimalStr
    unapplied: DecimalStr = Field(description="customer credit left")
    freed: DecimalStr = Field(
        description="what it freed of the payments (or other credit notes) that had paid "
        "its invoice: customer credit on them again, a payment's refundable"
    )
    note: str
    created_by: str
    created_at: datetime
    lines: list[CreditNoteLineOut] = Field(description="in the detail only")
    applications: list[AllocationOut] = Field(description="in the detail only")
    releases: list[SettlementOut] = Field(
        description="in the detail only: what was freed, newest settlement first"
    )


# -- customer credit and balance ---------------------------------------------------------


class ApplyCreditIn(Input):
    invoice_id: uuid.UUID | None = Field(None, description="only this invoice (default: all)")


class CreditApplicationOut(BaseModel):
    source: str = Field(description="credit_note or payment")
    source_number: str
    invoice_number: str
    amount: DecimalStr


class CreditAppliedOut(BaseModel):
    customer_id: uuid.UUID
    currency: str
    total: DecimalStr
    applications: list[CreditApplicationOut]


class BalanceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    currency: str
    open_invoices: DecimalStr
    overdue: DecimalStr
    unallocated_payments: DecimalStr
    unapplied_credit: DecimalStr
    balance: DecimalStr = Field(description="positive: the customer owes; negative: we owe")


class CustomerBalanceOut(BaseModel):
    customer_id: uuid.UUID
    customer_number: str
    balances: list[BalanceOut] = Field(description="one per currency with documents")


# -- payment providers' webhooks ---------------------------------------------------------


class _Lenient(BaseModel):
    """Providers add fields to their events over time: unknown ones are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ProviderEventIn(_Lenient):
    id: str | None = Field(
        None, min_length=1, max_length=120, description="the event's id (default: webhook-id)"
    )
    type: str = Field(..., min_length=1, max_length=60)
    data: dict[str, Any] = Field(default_factory=dict)


class PaymentSucceededData(_Lenient):
    customer_id: uuid.UUID | None = Field(None, description="or the order_id alone")
    order_id: uuid.UUID | None = None
    amount: MoneyIn
    currency: str = Field(..., max_length=3)
    provider_reference: str = Field(..., max_length=120, description="the payment's id there")
    last4: str = Field("", max_length=40)
    received_on: date | None = None


class RefundSucceededData(_Lenient):
    provider_reference: str = Field(..., max_length=120, description="the refunded payment's")
    refund_reference: str = Field(..., max_length=120, description="the refund's id there")
    amount: MoneyIn
    currency: str = Field(..., max_length=3)
    reason: str = Field("", max_length=400)


class ProviderEventOut(BaseModel):
    event_id: str
    type: str
    status: str = Field(
        description="recorded, duplicate (handled before) or ignored (a type "
        "Ordersmith does not act on)"
    )
    payment: PaymentOut | None
