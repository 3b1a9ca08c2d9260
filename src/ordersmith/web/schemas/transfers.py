"""Stock transfers between warehouses: request and response models."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ordersmith.inventory.services import MAX_QUANTITY
from ordersmith.inventory.transfer_status import TransferAction, TransferStatus
from ordersmith.inventory.transfers import MAX_LINES
from ordersmith.web.schemas.common import Input


class TransferLineIn(Input):
    sku: str = Field(..., min_length=1, max_length=64, examples=["A-1"])
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)


class TransferCreate(Input):
    from_warehouse: str = Field(..., description="code of the warehouse the goods leave")
    to_warehouse: str = Field(..., description="code of the warehouse they go to")
    lines: list[TransferLineIn] = Field(
        ..., min_length=1, max_length=MAX_LINES, description="one line per SKU"
    )
    note: str = Field("", max_length=500)
    dispatch: bool = Field(
        False, description="dispatch at once: stock leaves the source in the same request"
    )


class TransferReceiveIn(Input):
    lines: list[TransferLineIn] | None = Field(
        None,
        min_length=1,
        max_length=MAX_LINES,
        description="what arrived; leave out to receive everything still on the way",
    )
    note: str = Field("", max_length=120)


class TransferCancelIn(Input):
    reason: str = Field("", max_length=150)


class TransferLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    line_no: int
    sku: str
    product_id: uuid.UUID
    quantity: int
    shipped_quantity: int
    received_quantity: int
    in_transit: int = Field(description="shipped and not received yet (0 once closed)")


class TransferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    status: TransferStatus
    from_warehouse: str
    to_warehouse: str
    note: str
    line_count: int
    units: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    dispatched_by: str
    dispatched_at: datetime | None
    received_at: datetime | None
    cancelled_by: str
    cancelled_at: datetime | None
    cancel_reason: str
    allowed_actions: list[TransferAction]
    lines: list[TransferLineOut] = Field(
        default_factory=list, description="empty in lists; see GET /transfers/{id}"
    )
    from_warehouse_id: uuid.UUID
    to_warehouse_id: uuid.UUID


class InTransitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    sku: str
    warehouse: str = Field(description="the destination")
    quantity: int
    product_id: uuid.UUID
    warehouse_id: uuid.UUID
