"""Read models of cases, shared by services (their results) and queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from ordersmith.customer_service.models import Visibility
from ordersmith.customer_service.status import CaseAction, CaseStatus, allowed_actions


@dataclass(frozen=True, slots=True)
class CaseNoteView:
    id: uuid.UUID
    author: str
    author_kind: str
    visibility: str
    body: str
    communication_id: uuid.UUID | None
    """The email that carried it to the customer (staff's customer notes)."""
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CaseView:
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
    created_by: str
    created_at: datetime
    updated_at: datetime
    sla_hours: int
    sla_due_at: datetime
    clock_stopped_at: datetime | None
    paused_seconds: int
    breached: bool
    damage_incident_id: uuid.UUID | None
    resolution: str
    resolved_by: str
    resolved_at: datetime | None
    closed_by: str
    closed_at: datetime | None
    note_count: int
    customer_note_count: int
    """Notes the customer sees (``customer`` visibility)."""
    notes: tuple[CaseNoteView, ...] = ()

    @property
    def allowed_actions(self) -> list[CaseAction]:
        return allowed_actions(self.status)

    def for_customer(self) -> CaseView:
        """The case as its customer may see it: without internal notes."""
        shown = tuple(n for n in self.notes if n.visibility == Visibility.CUSTOMER.value)
        return replace(self, notes=shown, note_count=self.customer_note_count)
