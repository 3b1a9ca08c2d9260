"""Order incident request and response models."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from ordersmith.fulfillment.incidents import MAX_NOTE, DocumentKind, ReportedKind, document_of
from ordersmith.fulfillment.queries import IncidentView
from ordersmith.orders.views import OrderLineView
from ordersmith.web.schemas.common import Input


class IncidentCreate(Input):
    kind: ReportedKind
    note: str = Field(..., max_length=MAX_NOTE, description="what happened, in a few words")
    line_no: int | None = Field(None, description="damage: the order line damaged, if known")
    quantity: int = Field(0, description="damage: units damaged (0: not counted)")
    document: DocumentKind | None = Field(None, description="document_correction: which one")


class IncidentOut(BaseModel):
    id: uuid.UUID
    kind: str = Field(
        description="backorder, short_pick, damage, document_correction or wrong_item"
    )
    line_no: int | None
    sku: str | None
    quantity: int
    document: str | None
    note: str
    actor: str
    at: datetime

    @classmethod
    def of(cls, incident: IncidentView, lines: dict[uuid.UUID, OrderLineView]) -> IncidentOut:
        line = lines.get(incident.line_id) if incident.line_id is not None else None
        return cls(
            id=incident.id,
            kind=incident.kind,
            line_no=line.line_no if line else None,
            sku=line.sku if line else None,
            quantity=incident.quantity,
            document=document_of(incident),
            note=incident.note,
            actor=incident.actor,
            at=incident.at,
        )
