"""Communications log response models."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ordersmith.notifications.models import Channel, MessageKind
from ordersmith.notifications.queries import CommunicationDetail
from ordersmith.notifications.status import MessageStatus


class CommunicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    customer_id: uuid.UUID | None = Field(description="the customer, for a customer's message")
    supplier_id: uuid.UUID | None = Field(
        None, description="the supplier, for a purchase order sent to a supplier"
    )
    order_id: uuid.UUID | None
    shipment_id: uuid.UUID | None
    kind: MessageKind
    channel: Channel
    recipient: str
    subject: str
    status: MessageStatus = Field(
        description="queued → sending → sent; dead after the last failed try (replayable)"
    )
    attempts: int
    next_attempt_at: datetime = Field(description="when a queued message is tried (again)")
    last_error: str = Field(description="why the last try failed; empty once sent")
    created_at: datetime
    sent_at: datetime | None
    source_event_id: uuid.UUID | None = Field(description="the outbox event it came from")


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str = Field(description="invoice, credit_note, statement, ...")
    id: uuid.UUID = Field(description="the document's id (its PDF is under its own resource)")
    filename: str


class CommunicationDetailOut(CommunicationOut):
    body_text: str
    body_html: str
    attachments: list[AttachmentOut] = Field(
        description="documents attached when the mail is sent, rendered as they stood then"
    )

    @classmethod
    def of(cls, detail: CommunicationDetail) -> CommunicationDetailOut:
        return cls.model_validate(
            {
                **CommunicationOut.model_validate(detail.message).model_dump(),
                "body_text": detail.body_text,
                "body_html": detail.body_html,
                "attachments": [AttachmentOut.model_validate(a) for a in detail.attachments],
            }
        )
