"""Request and response models of fulfilment and shipping."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ordersmith.web.schemas.common import Input


class AllocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    line_no: int
    sku: str
    warehouse: str
    quantity: int
    picked_quantity: int
    packed_quantity: int
    shipped_quantity: int
    status: str
    pick_list_id: uuid.UUID | None
    decision_id: uuid.UUID


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    at: datetime
    actor: str
    trigger: str
    ship_policy: str
    rules: list[str]
    decided_by: str = Field(description="the rule that chose between the candidate plans")
    summary: str
    trace: dict[str, Any] = Field(description="sites, lines, every candidate plan and its scores")


class AllocationsOut(BaseModel):
    allocations: list[AllocationOut]
    decisions: list[DecisionOut]


class AllocateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    order_id: uuid.UUID
    number: str
    allocated: int
    backordered: int
    summary: str
    decided_by: str
    fulfilment_status: str


class BackorderDateIn(Input):
    expected_date: date


class PickListCreate(Input):
    warehouse: str = Field(..., min_length=1, max_length=40)
    max_orders: int = Field(50, ge=1, le=500)
    order_ids: list[uuid.UUID] | None = Field(None, max_length=500)


class PickLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    sequence: int
    bin_location: str
    sku: str
    name: str
    quantity: int
    order_number: str
    line_no: int


class PickListOut(BaseModel):
    id: uuid.UUID
    number: str
    warehouse: str
    status: str
    created_by: str
    created_at: datetime
    completed_at: datetime | None
    lines: list[PickLineOut]


class PickedIn(Input):
    sequence: int = Field(..., ge=1)
    quantity: int = Field(..., ge=0)


class PickConfirmIn(Input):
    picked: list[PickedIn] = Field(
        default_factory=list,
        max_length=10_000,
        description="units found per line; lines not named were picked in full",
    )

    @field_validator("picked")
    @classmethod
    def _each_line_once(cls, picked: list[PickedIn]) -> list[PickedIn]:
        sequences = [p.sequence for p in picked]
        if len(set(sequences)) != len(sequences):
            raise ValueError("name each line (sequence) once")
        return picked


class PickConfirmOut(BaseModel):
    lines: int
    short_lines: int


class ServiceIn(Input):
    service_level: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=120)
    transit_days: int = Field(..., ge=0, le=60)
    is_default: bool = False


class CarrierCreate(Input):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=120)
    kind: Literal["local_courier", "generic"]
    tracking_url_template: str = Field("", max_length=500)
    services: list[ServiceIn] = Field(..., min_length=1, max_length=20)


class ServiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    service_level: str
    name: str
    transit_days: int
    is_default: bool


class CarrierOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    kind: str
    tracking_url_template: str
    active: bool
    services: list[ServiceOut]


class ContentIn(Input):
    line_id: uuid.UUID
    quantity: int = Field(..., ge=1)


class PackageIn(Input):
    weight_grams: int = Field(..., ge=1, le=1_000_000)
    length_mm: int = Field(..., ge=1, le=10_000)
    width_mm: int = Field(..., ge=1, le=10_000)
    height_mm: int = Field(..., ge=1, le=10_000)
    contents: list[ContentIn] = Field(default_factory=list, max_length=1_000)

    @field_validator("contents")
    @classmethod
    def _each_line_once(cls, contents: list[ContentIn]) -> list[ContentIn]:
        lines = [c.line_id for c in contents]
        if len(set(lines)) != len(lines):
            raise ValueError("name each line once per package")
        return contents


class ShipmentCreate(Input):
    order_ids: list[uuid.UUID] = Field(..., min_length=1, max_length=100)
    warehouse: str = Field(..., min_length=1, max_length=40)
    carrier: str = Field(..., min_length=1, max_length=20)
    service_level: str | None = Field(None, max_length=20)
    packages: list[PackageIn] = Field(..., min_length=1, max_length=100)
    consolidate: bool | None = Field(
        None, description="add the customer's other picked orders to the same address"
    )


class ShipmentLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    order_id: uuid.UUID
    order_number: str
    line_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    package_no: int


class PackageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    package_no: int
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


class TrackingEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    event_id: str
    status: str
    occurred_at: datetime
    description: str
    location: str
    source: str
    received_at: datetime


class ShipmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    warehouse: str
    carrier: str
    service_level: str
    status: str
    ship_to: dict[str, Any]
    tracking_number: str
    tracking_url: str
    promised_delivery_date: date | None
    label_printed_at: datetime | None
    packing_slip_printed_at: datetime | None
    dispatched_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    lines: list[ShipmentLineOut]
    packages: list[PackageOut]
    tracking: list[TrackingEventOut]


class LabelIn(Input):
    tracking_number: str | None = Field(
        None, max_length=40, description="for a generic carrier: the number its site gave"
    )


class CancelShipmentIn(Input):
    reason: str = Field("", max_length=500)


class TrackingEventIn(Input):
    event_id: str = Field(..., min_length=1, max_length=120)
    status: Literal[
        "dispatched",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "exception",
        "returned_to_sender",
    ]
    occurred_at: datetime
    description: str = Field("", max_length=500)
    location: str = Field("", max_length=200)


class CarrierTrackingEventIn(TrackingEventIn):
    tracking_number: str = Field(..., min_length=1, max_length=40)


class TrackingIn(Input):
    events: list[TrackingEventIn] = Field(..., min_length=1, max_length=500)


class TrackingWebhookIn(Input):
    events: list[CarrierTrackingEventIn] = Field(..., min_length=1, max_length=500)


class TrackingOut(BaseModel):
    received: int
    duplicates: int
    shipments: dict[str, str]


class ConsolidationOfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    customer_id: uuid.UUID
    warehouse: str
    order_ids: list[uuid.UUID]
    order_numbers: list[str]
