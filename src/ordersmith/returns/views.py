"""Read models of returns, shared by services (their results) and queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ordersmith.returns.status import ReturnAction, ReturnStatus, allowed_actions


@dataclass(frozen=True, slots=True)
class DispositionView:
    disposition: str
    quantity: int
    warehouse: str | None
    supplier: str | None
    note: str


@dataclass(frozen=True, slots=True)
class ReturnLineView:
    line_no: int
    """The order line's number."""
    order_line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    received_quantity: int
    reason: str
    note: str
    dispositions: tuple[DispositionView, ...] = ()


@dataclass(frozen=True, slots=True)
class ReturnView:
    id: uuid.UUID
    number: str
    status: ReturnStatus
    order_id: uuid.UUID
    order_number: str
    customer_id: uuid.UUID
    requested_by: str
    comment: str
    warehouse_id: uuid.UUID
    warehouse: str
    window_override_reason: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    authorised_by: str
    authorised_at: datetime | None
    rejected_by: str
    rejected_at: datetime | None
    reject_reason: str
    carrier: str | None
    tracking_number: str
    tracking_url: str
    shipped_at: datetime | None
    received_by: str
    received_at: datetime | None
    inspected_by: str
    inspected_at: datetime | None
    resolved_by: str
    resolved_at: datetime | None
    resolution: str | None
    resolution_note: str
    currency: str
    credited_total: Decimal
    refunded_total: Decimal
    credit_notes: tuple[str, ...]
    replacement_order_id: uuid.UUID | None
    replacement_order_number: str | None
    cancelled_by: str
    cancelled_at: datetime | None
    cancel_reason: str
    line_count: int
    units: int
    lines: tuple[ReturnLineView, ...] = ()

    @property
    def allowed_actions(self) -> list[ReturnAction]:
        return allowed_actions(self.status)

    @property
    def received_units(self) -> int:
        return sum(line.received_quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    """What of one order line may still be asked back, and until when."""

    line_no: int
    order_line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    shipped: int
    claimed: int
    """Units on other returns that are open or completed (rejected and cancelled ones
    claim nothing; received ones claim what arrived)."""
    delivered_at: datetime | None
    """When the goods reached the customer: the latest delivery scan of the shipments
    carrying the line, or their dispatch when the carrier never scanned a delivery."""
    warehouse_id: uuid.UUID | None
    """The warehouse the line's latest shipment left from."""

    @property
    def returnable(self) -> int:
        return max(self.shipped - self.claimed, 0)
