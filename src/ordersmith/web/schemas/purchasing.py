"""Request and response models of purchasing: suppliers, supplier products, purchase
orders, receipts, scorecards and quantities on order.

Inputs check shape only; the services check values (ranges, decimals, codes), so the
API and the CLI give the same messages."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ordersmith.purchasing.scorecard import Scorecard
from ordersmith.purchasing.views import PurchaseOrderView
from ordersmith.web.schemas.common import AddressIn, DecimalStr, Input


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('send amounts as decimal strings, e.g. "12.50"')
    if isinstance(value, str) and len(value) > 40:
        raise ValueError("is not an amount (too long)")
    return value


CostIn = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    WithJsonSchema(
        {
            "type": "string",
            "description": "a decimal string, at most 4 decimals",
            "examples": ["2.40"],
        },
        mode="validation",
    ),
]
Days = Annotated[int, Field(ge=0, le=3_660)]
Units = Annotated[int, Field(ge=1, le=2**31 - 1)]


# -- suppliers ---------------------------------------------------------------------------


class SupplierCreate(Input):
    code: str = Field(..., min_length=1, max_length=20, description="letters, digits, - or _")
    name: str = Field(..., min_length=1, max_length=200)
    currency: str | None = Field(None, description="ISO 4217; default: the shop's currency")
    contact_name: str = Field("", max_length=200)
    email: str = Field("", max_length=254, description="purchase orders are emailed here")
    phone: str = Field("", max_length=40)
    payment_terms_days: Days = 30
    address: AddressIn | None = None
    notes: str = Field("", max_length=10_000)


class SupplierUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    currency: str | None = Field(
        None, description="only while the supplier has no products and no purchase orders"
    )
    contact_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    payment_terms_days: Days | None = None
    address: AddressIn | None = None
    notes: str | None = Field(None, max_length=10_000)
    active: bool | None = None


class SupplierOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
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


class SupplierProductCreate(Input):
    sku: str = Field(..., min_length=1, max_length=64, description="our SKU (or product id)")
    unit_cost: CostIn = Field(..., description="in the supplier's currency")
    lead_time_days: Days
    supplier_sku: str = Field("", max_length=64)
    min_order_quantity: Units = 1
    pack_multiple: Units = Field(1, description="order in multiples of this")
    preferred: bool = Field(False, description="the one supplier to buy this product from")


class SupplierProductUpdate(Input):
    unit_cost: CostIn | None = None
    lead_time_days: Days | None = None
    supplier_sku: str | None = Field(None, max_length=64)
    min_order_quantity: Units | None = None
    pack_multiple: Units | None = None
    preferred: bool | None = None


class SupplierProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    supplier_id: uuid.UUID
    supplier: str = Field(description="the supplier's code")
    product_id: uuid.UUID
    sku: str
    name: str
    supplier_sku: str
    unit_cost: DecimalStr
    currency: str
    lead_time_days: int
    min_order_quantity: int
    pack_multiple: int
    preferred: bool
    updated_at: datetime


class ScorecardOut(BaseModel):
    """Each rate is a decimal string from 0 to 1 (`"0.8333"`), null without history."""

    model_config = ConfigDict(from_attributes=True)
    supplier_id: uuid.UUID
    supplier: str
    currency: str
    purchase_orders_sent: int
    receipt_lines: int
    on_time_receipt_lines: int
    on_time_rate: DecimalStr | None
    ordered_quantity: int = Field(description="on received and closed purchase orders")
    received_quantity: int = Field(description="of those, received (at most ordered per line)")
    fill_rate: DecimalStr | None
    lead_time_median_days: DecimalStr | None = Field(description="sent to received, actual")
    lead_time_p90_days: int | None
    quoted_lead_time_median_days: DecimalStr | None
    quoted_value: DecimalStr = Field(description="units received x quoted unit cost")
    paid_value: DecimalStr = Field(description="units received x invoiced (else PO) unit cost")
    price_variance: DecimalStr = Field(description="paid - quoted: positive, paid more")
    price_variance_rate: DecimalStr | None

    @classmethod
    def of(cls, card: Scorecard) -> ScorecardOut:
        return cls.model_validate(card)


class SupplierDetailOut(SupplierOut):
    products: list[SupplierProductOut]
    scorecard: ScorecardOut


# -- purchase orders ---------------------------------------------------------------------


class PurchaseOrderLineIn(Input):
    sku: str = Field(..., min_length=1, max_length=64)
    quantity: Units
    unit_cost: CostIn | None = Field(None, description="default: the supplier's quoted cost")
    expected_date: date | None = Field(None, description="default: today + the lead time")


class PurchaseOrderCreate(Input):
    supplier: str = Field(..., min_length=1, max_length=64, description="code or id")
    warehouse: str = Field(..., min_length=1, max_length=64, description="deliver to: code")
    lines: list[PurchaseOrderLineIn] = Field(..., min_length=1, max_length=500)
    notes: str = Field("", max_length=10_000, description="printed on the purchase order")


class PurchaseOrderLinesIn(Input):
    lines: list[PurchaseOrderLineIn] = Field(..., min_length=1, max_length=500)


class SendIn(Input):
    email: bool = Field(
        True, description="email the PDF to the supplier (false: ordered otherwise)"
    )


class ReceiptLineIn(Input):
    line_no: Units
    quantity: Units
    unit_cost: CostIn | None = Field(None, description="what the supplier invoiced per unit")


class ReceiveIn(Input):
    lines: list[ReceiptLineIn] | None = Field(
        None, min_length=1, max_length=500, description="leave out to receive everything open"
    )
    delivery_note: str = Field("", max_length=64)
    note: str = Field("", max_length=500)


class ReasonIn(Input):
    reason: str = Field("", max_length=500)


class PurchaseOrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    name: str
    supplier_sku: str
    quantity: int
    received_quantity: int
    open_quantity: int
    unit_cost: DecimalStr
    amount: DecimalStr
    quoted_unit_cost: DecimalStr
    quoted_lead_time_days: int
    expected_date: date


class ReceiptLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    line_no: int
    sku: str
    quantity: int
    invoiced_unit_cost: DecimalStr | None


class ReceiptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    delivery_note: str
    note: str
    received_by: str
    received_at: datetime
    lines: list[ReceiptLineOut]


class PurchaseOrderSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    status: str
    supplier_id: uuid.UUID
    supplier: str
    supplier_name: str
    warehouse_id: uuid.UUID
    warehouse: str
    currency: str
    total: DecimalStr
    created_at: datetime
    sent_at: datetime | None


class PurchaseOrderOut(PurchaseOrderSummaryOut):
    payment_terms_days: int
    notes: str
    open_quantity: int
    created_by: str
    updated_at: datetime
    approved_by: str
    approved_at: datetime | None
    sent_by: str
    closed_by: str
    closed_at: datetime | None
    close_reason: str
    cancelled_by: str
    cancelled_at: datetime | None
    cancel_reason: str
    lines: list[PurchaseOrderLineOut]
    receipts: list[ReceiptOut]
    allowed_actions: list[str]

    @classmethod
    def of(cls, view: PurchaseOrderView) -> PurchaseOrderOut:
        return cls.model_validate(view)


class OnOrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    quantity: int
    next_expected_date: date
