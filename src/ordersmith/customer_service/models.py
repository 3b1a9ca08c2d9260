"""Customer service cases (tickets) and their threaded notes.

A case belongs to one customer and may name one of their orders, shipments or returns.
Its SLA due time is ``opened_at`` plus the hours of its priority, moved later by every
span its clock was stopped (waiting on the customer, resolved and reopened);
``clock_stopped_at`` is set while the clock is stopped (``customer_service.sla``).
Notes are append-only; a ``customer`` note from staff is emailed to the customer and
names its ``communications`` row (ADR 0021).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ordersmith.customer_service.sla import CasePriority
from ordersmith.customer_service.status import CaseStatus
from ordersmith.db import Base, enum_column


class CaseType(StrEnum):
    ENQUIRY = "enquiry"
    COMPLAINT = "complaint"
    DELIVERY_PROBLEM = "delivery_problem"
    DAMAGE_REPORT = "damage_report"  # records a damage incident on the order
    BILLING = "billing"


class Party(StrEnum):
    """Who opened a case or wrote a note."""

    STAFF = "staff"
    CUSTOMER = "customer"


class Visibility(StrEnum):
    INTERNAL = "internal"  # staff only, never shown to the customer
    CUSTOMER = "customer"  # shown to the customer; staff's are emailed to them


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"))
    order_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("orders.id"))
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("shipments.id"))
    return_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("returns.id"))
    type: Mapped[CaseType] = mapped_column(enum_column(CaseType, 24))
    priority: Mapped[CasePriority] = mapped_column(enum_column(CasePriority, 16))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, 24))
    subject: Mapped[str] = mapped_column(sa.String(200))
    assignee: Mapped[str] = mapped_column(sa.String(120), default="")
    """A staff member's name (free text: there is no users table)."""
    opened_by: Mapped[Party] = mapped_column(enum_column(Party, 16))
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime]
    """When the case was opened (its SLA clock started)."""
    updated_at: Mapped[datetime]
    sla_hours: Mapped[int]
    """The hours of its priority when the priority was last set."""
    sla_due_at: Mapped[datetime]
    clock_stopped_at: Mapped[datetime | None]
    """Set while the SLA clock is stopped (waiting, resolved, closed)."""
    paused_seconds: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    """Seconds the clock was stopped before the case was open again (the due time
    moved later by as much)."""
    damage_incident_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("order_incidents.id")
    )
    """A damage report's incident on the order (perfect order: not damage free)."""
    resolution: Mapped[str] = mapped_column(sa.Text, default="")
    resolved_by: Mapped[str] = mapped_column(sa.String(120), default="")
    resolved_at: Mapped[datetime | None]
    closed_by: Mapped[str] = mapped_column(sa.String(120), default="")
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index("ix_cases_created", "created_at", "id"),
        sa.Index("ix_cases_status_due", "status", "sla_due_at"),
        sa.Index("ix_cases_status_created", "status", "created_at", "id"),
        sa.Index("ix_cases_customer_created", "customer_id", "created_at", "id"),
        sa.Index("ix_cases_order_created", "order_id", "created_at", "id"),
        sa.Index("ix_cases_assignee_created", "assignee", "created_at", "id"),
        sa.Index("ix_cases_shipment", "shipment_id"),
        sa.Index("ix_cases_return", "return_id"),
        sa.CheckConstraint("paused_seconds >= 0", name="paused_not_negative"),
        sa.CheckConstraint("sla_hours > 0", name="sla_hours_positive"),
        sa.CheckConstraint(
            "(status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)",
            name="resolved_when_done",
        ),
        sa.CheckConstraint(
            "(status = 'open') = (clock_stopped_at IS NULL)", name="clock_runs_when_open"
        ),
    )


class CaseNote(Base):
    """One note of a case's thread (append-only)."""

    __tablename__ = "case_notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(sa.String(120))
    author_kind: Mapped[Party] = mapped_column(enum_column(Party, 16))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, 16))
    body: Mapped[str] = mapped_column(sa.Text)
    communication_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("communications.id"))
    """The email that carried a staff note to the customer."""
    created_at: Mapped[datetime]

    __table_args__ = (
        sa.Index("ix_case_notes_case", "case_id", "created_at", "id"),
        sa.CheckConstraint(
            "communication_id IS NULL OR visibility = 'customer'", name="only_customer_notes_mailed"
        ),
    )
