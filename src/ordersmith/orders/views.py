"""Read models of an order, shared by services (their results) and queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class OrderLineView:
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    reserved_quantity: int
    backordered_quantity: int
    shipped_quantity: int
    delivered_quantity: int
    warehouse_id: uuid.UUID | None
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    price_source: str


@dataclass(frozen=True, slots=True)
class OrderView:
    id: uuid.UUID
    number: str
    channel: str
    external_ref: str | None
    customer_id: uuid.UUID
    status: str
    hold_reason: str | None
    held_from: str | None
    duplicate_of_id: uuid.UUID | None
    backorder_policy: str
    ship_policy: str
    fulfilment_status: str
    promised_dispatch_date: date | None
    promised_delivery_date: date | None
    currency: str
    billing_address: dict[str, Any]
    shipping_address: dict[str, Any]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    shipping_total: Decimal
    total: Decimal
    requested_delivery_date: date | None
    notes: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLineView]
    allowed_actions: list[str]
    version: int = 1  # bumped by every change after placing (ordersmith.orders.changes)

    @property
    def backordered(self) -> bool:
        return any(line.backordered_quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class OrderSummary:
    id: uuid.UUID
    number: str
    channel: str
    external_ref: str | None
    customer_id: uuid.UUID
    status: str
    hold_reason: str | None
    currency: str
    total: Decimal
    created_at: datetime


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str
    details: dict[str, Any]
