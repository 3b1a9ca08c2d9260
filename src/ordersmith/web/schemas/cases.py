"""Customer service cases and the order timeline: request and response models."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ordersmith.customer_service.models import CaseType, Visibility
from ordersmith.customer_service.sla import CasePriority
from ordersmith.customer_service.status import CaseAction, CaseStatus
from ordersmith.validation import MAX_QUANTITY
from ordersmith.web.schemas.common import Input


class CaseCreate(Input):
    customer: str | None = Field(
        None, min_length=1, max_length=64, description="id or number; a customer token: its own"
    )
    type: CaseType
    priority: CasePriority = CasePriority.NORMAL
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=10_000, description="the first note")
    order: str | None = Field(None, min_length=1, max_length=64, description="id or number")
    shipment: str | None = Field(None, min_length=1, max_length=64, description="id or number")
    return_: str | None = Field(
        None, alias="return", min_length=1, max_length=64, description="id or RMA number"
    )
    assignee: str = Field("", max_length=120)
    damage_line_no: int | None = Field(
        None, ge=1, le=MAX_QUANTITY, description="damage_report: the order line damaged"
    )
    damage_quantity: int = Field(0, ge=0, le=MAX_QUANTITY, description="damage_report: units")


class NoteIn(Input):
    body: str = Field(..., min_length=1, max_length=10_000)
    visibility: Visibility = Field(
        Visibility.INTERNAL, description="a customer token's notes are always `customer`"
    )
    wait: bool = Field(
        False, description="a staff note to the customer: wait for their answer (clock stops)"
    )


class AssignIn(Input):
    assignee: str = Field(..., max_length=120, description="a staff member; empty: unassigned")


class PriorityIn(Input):
    priority: CasePriority


class ResolveIn(Input):
    resolution: str = Field(..., min_length=1, max_length=2_000)


class CaseNoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    author: str
    author_kind: str
    visibility: str
    body: str
    communication_id: uuid.UUID | None
    created_at: datetime


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    number: str
    status: CaseStatus
    type: str
    priority: str
    subject: str
    customer_id: uuid.UUID
    customer_number: str
    customer_name: str
    order_id: uuid.UUID | None
    order_number: str | None
    shipment_id: uuid.UUID | None
    shipment_number: str | None
    return_id: uuid.UUID | None
    return_number: str | None
    assignee: str
    opened_by: str
    sla_hours: int
    sla_due_at: datetime
    breached: bool
    clock_stopped_at: datetime | None
    paused_seconds: int
    damage_incident_id: uuid.UUID | None
    resolution: str
    resolved_by: str
    resolved_at: datetime | None
    closed_by: str
    closed_at: datetime | None
    note_count: int
    allowed_actions: list[CaseAction]
    notes: list[CaseNoteOut] = Field(
        default_factory=list, description="empty in lists; see GET /cases/{id}"
    )
    created_by: str
    created_at: datetime
    updated_at: datetime


class TimelineEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    kind: str
    title: str
    detail: str
    reference: str
    reference_id: uuid.UUID | None
    actor: str


class TimelineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    order_id: uuid.UUID
    order_number: str
    status: str
    entries: list[TimelineEntryOut]
