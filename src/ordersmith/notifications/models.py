from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.db import Base, enum_column
from ordersmith.notifications.status import MessageStatus


class MessageKind(StrEnum):
    ORDER_RECEIVED = "order_received"
    ORDER_DISPATCHED = "order_dispatched"
    ORDER_DELIVERED = "order_delivered"
    BACKORDER_DELAY = "backorder_delay"
    BACKORDER_ALLOCATED = "backorder_allocated"
    INVOICE_ISSUED = "invoice_issued"
    CREDIT_NOTE_ISSUED = "credit_note_issued"
    PAYMENT_REMINDER = "payment_reminder"
    STATEMENT = "statement"
    PURCHASE_ORDER = "purchase_order"  # to a supplier (ordersmith.purchasing)
    RETURN_AUTHORISED = "return_authorised"  # with the RMA number and where to send it
    RETURN_REJECTED = "return_rejected"
    RETURN_RECEIVED = "return_received"
    RETURN_RESOLVED = "return_resolved"  # refunded, credited or exchanged
    ORDER_CHANGED = "order_changed"  # lines, address, dates changed after placing (ADR 0020)
    CASE_REPLY = "case_reply"  # a staff note to the customer on a case (customer_service)
    PORTAL_INVITE = "portal_invite"  # "set your password" link of a portal account
    PORTAL_PASSWORD_RESET = "portal_password_reset"  # a portal account's reset link


class Channel(StrEnum):
    EMAIL = "email"


__all__ = ["Channel", "Communication", "MessageKind", "MessageStatus"]


class Communication(Base):
    """One message to a customer (or, for a purchase order, to a supplier): the
    communication log and the mail queue in one. Exactly one of ``customer_id`` and
    ``supplier_id`` is set.

    ``next_attempt_at`` is when the row is next due: for ``queued`` the (re)try time,
    for ``sending`` the lease's end (= ``lease_until``), so one index serves the claim.
    """

    __tablename__ = "communications"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("customers.id"))
    supplier_id: Mapped[uuid.UUID | None]
    """A supplier's message (no foreign key: notifications do not depend on purchasing)."""
    order_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("orders.id"))
    shipment_id: Mapped[uuid.UUID | None]
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind, 32))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 16))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[MessageStatus] = mapped_column(enum_column(MessageStatus, 16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    source_event_id: Mapped[uuid.UUID | None]
    """The outbox event the message came from (no foreign key: the outbox may be purged)."""
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    """Documents attached when the mail is sent: ``[{"kind": "invoice" | "credit_note" |
    "statement" | "purchase_order", "id": ..., "filename": ...}]``, rendered at send time
    (ordersmith.jobs.attachments), never stored as bytes."""

    __table_args__ = (
        sa.UniqueConstraint("source_event_id", "kind", name="uq_communications_source_event"),
        sa.Index("ix_communications_due", "status", "next_attempt_at"),
        sa.Index("ix_communications_customer", "customer_id", "created_at"),
        sa.Index("ix_communications_order", "order_id", "created_at"),
        sa.Index("ix_communications_supplier", "supplier_id", "created_at"),
        sa.CheckConstraint(
            "(customer_id IS NULL) <> (supplier_id IS NULL)", name="one_recipient_party"
        ),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )
