from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ordersmith.inventory.models import AdjustmentReason
from ordersmith.web.schemas.common import AddressIn, Input


class WarehouseCreate(Input):
    code: str = Field(
        ...,
        min_length=1,
        max_length=20,
        pattern="^[A-Za-z0-9_-]+$",
        examples=["MAIN"],
        description="letters A-Z, digits, '-' or '_'; stored upper-case, matched in any case",
    )
    name: str = Field(..., min_length=1, max_length=200)
    address: AddressIn | None = None
    priority: int = Field(100, ge=0, le=10_000, description="lower is preferred for sourcing")


class WarehouseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    code: str
    name: str
    address: dict[str, Any]
    priority: int
    active: bool
    created_at: datetime


class StockLevelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    warehouse: str
    sku: str
    on_hand: int
    reserved: int
    available: int
    reorder_point: int
    bin_location: str
    warehouse_id: uuid.UUID
    product_id: uuid.UUID
    updated_at: datetime


class AvailabilityOut(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    available: int
    warehouses: list[StockLevelOut]


class ReceiptCreate(Input):
    warehouse: str = Field(..., description="warehouse code")
    sku: str
    quantity: int = Field(..., ge=1, le=1_000_000_000)
    reference: str = Field("", max_length=64, description="delivery note, PO number...")
    note: str = Field("", max_length=200)


class ReturnCreate(Input):
    warehouse: str = Field(..., description="warehouse code")
    sku: str
    quantity: int = Field(..., ge=1, le=1_000_000_000)
    reference: str = Field(
        "", max_length=64, description="what came back: a return, a returned parcel, an order"
    )
    note: str = Field("", max_length=200, description="why, and its condition")


class AdjustmentCreate(Input):
    warehouse: str
    sku: str
    delta: int = Field(..., description="signed change of on-hand units (not 0)")
    reason: AdjustmentReason
    note: str = Field("", max_length=150)


class StockSettingsUpdate(Input):
    reorder_point: int | None = Field(None, ge=0)
    bin_location: str | None = Field(None, max_length=40)


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    warehouse: str
    sku: str
    kind: str
    on_hand_delta: int
    reserved_delta: int
    reason: str
    source_type: str
    source_id: str
    actor: str
    created_at: datetime
