from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ordersmith.config import BackorderPolicy, ShipPolicy
from ordersmith.orders.models import Channel
from ordersmith.orders.status import HoldReason
from ordersmith.web.schemas.common import AddressIn, DecimalStr, Input


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('send amounts as decimal strings, e.g. "12.50"')
    return value


AmountIn = Annotated[
    Decimal, BeforeValidator(_no_float), Field(ge=0, max_digits=15, decimal_places=4)
]


class OrderLineIn(Input):
    sku: str = Field(..., min_length=1, max_length=64)
    quantity: int = Field(..., ge=1, le=1_000_000)
    discount: AmountIn = Field(Decimal("0"), description="amount off this line")
    warehouse: str | None = Field(None, description="reserve only from this warehouse code")


class OrderCreate(Input):
    customer_id: uuid.UUID
    channel: Channel
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=500)
    external_ref: str | None = Field(
        None,
        min_length=1,
        max_length=120,
        description="the order's id in the source channel; unique per channel",
    )
    billing_address: AddressIn | None = None
    shipping_address: AddressIn | None = None
    backorder_policy: BackorderPolicy | None = Field(
        None, description="reject (default) or backorder lines that cannot be reserved in full"
    )
    ship_policy: ShipPolicy | None = Field(
        None,
        description="ship_as_available (default: ship what is in stock now) or ship_complete",
    )
    requested_delivery_date: date | None = None
    notes: str = Field("", max_length=10_000)
    shipping_amount: AmountIn = Decimal("0")
    draft: bool = Field(False, description="save without reserving stock; place it later")


class HoldIn(Input):
    reason: HoldReason = HoldReason.MANUAL
    note: str = Field("", max_length=2000)


class ReleaseIn(Input):
    note: str = Field(..., min_length=1, max_length=2000, description="why the hold is lifted")


class CancelIn(Input):
    reason: str = Field("", max_length=2000)


class ConfirmIn(Input):
    note: str = Field("", max_length=2000)


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    line_no: int
    sku: str
    name: str
    quantity: int
    reserved_quantity: int
    backordered_quantity: int
    shipped_quantity: int
    delivered_quantity: int
    warehouse_id: uuid.UUID | None = Field(description="the warehouse the line was pinned to")
    unit_price: DecimalStr
    discount: DecimalStr
    tax_rate: DecimalStr
    net_amount: DecimalStr
    tax_amount: DecimalStr
    price_source: str
    product_id: uuid.UUID


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    status: str
    hold_reason: str | None
    channel: str
    external_ref: str | None
    customer_id: uuid.UUID
    currency: str
    subtotal: DecimalStr
    discount_total: DecimalStr
    tax_total: DecimalStr
    shipping_total: DecimalStr
    total: DecimalStr
    backordered: bool
    backorder_policy: str
    ship_policy: str
    fulfilment_status: str = Field(
        description="unfulfilled, allocated, backordered, partially_shipped, shipped, delivered"
    )
    promised_dispatch_date: date | None
    promised_delivery_date: date | None
    duplicate_of_id: uuid.UUID | None
    billing_address: dict[str, Any]
    shipping_address: dict[str, Any]
    requested_delivery_date: date | None
    notes: str
    lines: list[OrderLineOut]
    allowed_actions: list[str]
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="1 when placed; each change after placing adds one")


class OrderSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    status: str
    hold_reason: str | None
    channel: str
    external_ref: str | None
    customer_id: uuid.UUID
    currency: str
    total: DecimalStr
    created_at: datetime


class HistoryEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str
    details: dict[str, Any]


class CurrencyVolumeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    currency: str
    order_count: int
    lifetime_value: DecimalStr


class CustomerHistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    customer_id: uuid.UUID
    order_count: int
    open_order_count: int
    cancelled_order_count: int
    suspected_duplicate_count: int = Field(
        description="orders held as likely duplicates, not counted above"
    )
    units_ordered: int
    lifetime_value: list[CurrencyVolumeOut]
    first_order_at: datetime | None
    last_order_at: datetime | None
    recent_orders: list[OrderSummaryOut]


# --- changes after placing (ADR 0020) ---


class AddLineIn(Input):
    sku: str = Field(..., min_length=1, max_length=64)
    quantity: int = Field(..., ge=1, le=1_000_000)
    discount: AmountIn = Field(Decimal("0"), description="amount off this line")


class LineQuantityIn(Input):
    line_no: int = Field(..., ge=1)
    quantity: int = Field(..., ge=1, le=1_000_000, description="the line's new quantity")


class OrderChangeIn(Input):
    reason: str = Field(..., min_length=1, max_length=2000, description="why; the customer sees it")
    quantities: list[LineQuantityIn] = Field(default_factory=list, max_length=500)
    add_lines: list[AddLineIn] = Field(default_factory=list, max_length=500)
    cancel_lines: list[int] = Field(default_factory=list, max_length=500)
    shipping_address: AddressIn | None = None
    requested_delivery_date: date | None = None
    notes: str | None = Field(None, max_length=10_000)
    expected_version: int | None = Field(
        None, ge=1, description="refuse (409 order_version_conflict) unless the order is at it"
    )


class SplitMoveIn(Input):
    line_no: int = Field(..., ge=1)
    quantity: int = Field(..., ge=1, le=1_000_000, description="units moved to the new order")


class OrderSplitIn(Input):
    moves: list[SplitMoveIn] = Field(..., min_length=1, max_length=500)
    reason: str = Field(..., min_length=1, max_length=2000)
    expected_version: int | None = Field(None, ge=1)


class OrderMergeIn(Input):
    other: str = Field(
        ..., min_length=1, max_length=64, description="the order (id or number) merged in"
    )
    reason: str = Field(..., min_length=1, max_length=2000)
    expected_version: int | None = Field(None, ge=1, description="of the surviving order")


class OrderSplitOut(BaseModel):
    original: OrderOut
    new_order: OrderOut


class OrderChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    version: int
    kind: str
    summary: str
    before: dict[str, Any]
    after: dict[str, Any]
    total_before: DecimalStr
    total_after: DecimalStr
    actor: str
    reason: str
    created_at: datetime
