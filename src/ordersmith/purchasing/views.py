"""What purchasing's queries and use cases answer: plain, frozen data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class SupplierView:
    id: uuid.UUID
    code: str
    name: str
    contact_name: str
    email: str
    phone: str
    currency: str
    payment_terms_days: int
    address: dict[str, Any]
    notes: str
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SupplierProductView:
    id: uuid.UUID
    supplier_id: uuid.UUID
    supplier: str
    """The supplier's code."""
    product_id: uuid.UUID
    sku: str
    name: str
    supplier_sku: str
    unit_cost: Decimal
    currency: str
    lead_time_days: int
    min_order_quantity: int
    pack_multiple: int
    preferred: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PurchaseOrderLineView:
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    name: str
    supplier_sku: str
    quantity: int
    received_quantity: int
    unit_cost: Decimal
    amount: Decimal
    quoted_unit_cost: Decimal
    quoted_lead_time_days: int
    expected_date: date

    @property
    def open_quantity(self) -> int:
        """Still to come (never negative: an over-receipt leaves nothing open)."""
        return max(self.quantity - self.received_quantity, 0)


@dataclass(frozen=True, slots=True)
class ReceiptLineView:
    line_no: int
    sku: str
    quantity: int
    invoiced_unit_cost: Decimal | None


@dataclass(frozen=True, slots=True)
class ReceiptView:
    id: uuid.UUID
    delivery_note: str
    note: str
    received_by: str
    received_at: datetime
    lines: tuple[ReceiptLineView, ...]


@dataclass(frozen=True, slots=True)
class PurchaseOrderSummary:
    id: uuid.UUID
    number: str
    status: str
    supplier_id: uuid.UUID
    supplier: str
    supplier_name: str
    warehouse_id: uuid.UUID
    warehouse: str
    currency: str
    total: Decimal
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class PurchaseOrderView:
    id: uuid.UUID
    number: str
    status: str
    supplier_id: uuid.UUID
    supplier: str
    supplier_name: str
    warehouse_id: uuid.UUID
    warehouse: str
    currency: str
    payment_terms_days: int
    total: Decimal
    notes: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    approved_by: str
    approved_at: datetime | None
    sent_by: str
    sent_at: datetime | None
    closed_by: str
    closed_at: datetime | None
    close_reason: str
    cancelled_by: str
    cancelled_at: datetime | None
    cancel_reason: str
    lines: tuple[PurchaseOrderLineView, ...]
    receipts: tuple[ReceiptView, ...]
    allowed_actions: tuple[str, ...]

    @property
    def open_quantity(self) -> int:
        return sum(line.open_quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class OnOrderView:
    """Units on order for one (warehouse, product): approved, sent or partly received
    purchase orders, what is still to come."""

    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    quantity: int
    next_expected_date: date
    """The earliest expected date of the lines still open."""
