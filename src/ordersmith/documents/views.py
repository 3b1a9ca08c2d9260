"""What a printed document shows: plain, frozen data that the callers fill.

Nothing here reads the database or the settings. The shipping and fulfilment services
build these from their own rows (and the seller from ``Settings.company_*``), so a
document renders the same whoever asks for it. Weights are integer grams and sizes
integer millimetres, as they are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Party:
    """A sender, recipient or seller: a name and the address lines as printed."""

    name: str
    address_lines: tuple[str, ...]
    email: str = ""


@dataclass(frozen=True, slots=True)
class SlipLine:
    order_number: str
    line_no: int
    sku: str
    name: str
    quantity: int
    package_no: int | None
    """The package the units are packed in, or None when not yet assigned."""


@dataclass(frozen=True, slots=True)
class SlipPackage:
    number: int
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True, slots=True)
class PackingSlip:
    seller: Party
    ship_to: Party
    shipment_number: str
    order_numbers: tuple[str, ...]
    customer_number: str
    created_at: datetime
    carrier_name: str
    service_level: str
    tracking_number: str
    lines: tuple[SlipLine, ...]
    packages: tuple[SlipPackage, ...]
    notes: str = ""


@dataclass(frozen=True, slots=True)
class PickLine:
    sequence: int
    bin_location: str
    sku: str
    name: str
    quantity: int
    order_number: str
    line_no: int


@dataclass(frozen=True, slots=True)
class PickListDocument:
    number: str
    warehouse_code: str
    warehouse_name: str
    created_at: datetime
    lines: tuple[PickLine, ...]
    """In walking order: the document prints them as given."""


@dataclass(frozen=True, slots=True)
class ShippingLabel:
    """One package's label (a shipment of three packages prints three labels)."""

    carrier_name: str
    service_level: str
    tracking_number: str
    shipment_number: str
    sender: Party
    recipient: Party
    package_no: int
    package_count: int
    weight_grams: int
    created_at: datetime


# billing documents (filled by ordersmith.billing.documents): amounts are Decimals in the
# document's currency, already rounded; tax rates are fractions (0.2 prints as 20%)


@dataclass(frozen=True, slots=True)
class TaxSummaryLine:
    """The lines of one tax rate: their net amount and tax (sums of the lines' own)."""

    rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceDocLine:
    line_no: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    net_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    seller: Party
    bill_to: Party
    title: str
    """"Invoice", or "Receipt" for a cash sale."""
    number: str
    customer_number: str
    currency: str
    issue_date: date
    due_date: date
    payment_terms: str
    references: tuple[tuple[str, str], ...]
    """(label, value) pairs printed with the facts: orders, shipment."""
    lines: tuple[InvoiceDocLine, ...]
    tax_summary: tuple[TaxSummaryLine, ...]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    amount_credited: Decimal
    balance_due: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteDocLine:
    line_no: int
    sku: str
    name: str
    quantity: int
    """0 when an amount was credited, not units."""
    net_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteDocument:
    seller: Party
    bill_to: Party
    number: str
    invoice_number: str
    customer_number: str
    currency: str
    issue_date: date
    reason: str
    lines: tuple[CreditNoteDocLine, ...]
    tax_summary: tuple[TaxSummaryLine, ...]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    amount_applied: Decimal
    """Taken off the invoice's balance."""
    unapplied: Decimal
    """Left to the customer as credit."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class StatementLine:
    day: date
    kind: str
    """Invoice, Receipt, Payment, Credit note or Refund."""
    number: str
    detail: str
    debit: Decimal
    """What the customer came to owe (invoices, refunds paid out)."""
    credit: Decimal
    """What they paid or were credited."""
    balance: Decimal
    """Running balance after this line."""


@dataclass(frozen=True, slots=True)
class AgingSummary:
    """Open invoice balances by days past due, as of a date."""

    as_of: date
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal

    @property
    def total(self) -> Decimal:
        return self.current + self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90


@dataclass(frozen=True, slots=True)
class StatementDocument:
    seller: Party
    customer: Party
    customer_number: str
    currency: str
    date_from: date
    date_to: date
    opening_balance: Decimal
    lines: tuple[StatementLine, ...]
    closing_balance: Decimal
    """Positive: the customer owes us; negative: we owe the customer (credit)."""
    aging: AgingSummary
