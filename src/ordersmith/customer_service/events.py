"""Case events (``case.opened``, ``.note_added``, ...), delivered to webhooks through the
outbox. Payload keys are public: keep them stable."""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class _CaseEvent(DomainEvent):
    """aggregate_id is the case."""

    aggregate_type: ClassVar[str] = "case"
    number: str
    customer_id: uuid.UUID
    order_id: uuid.UUID | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseOpened(_CaseEvent):
    type: str
    priority: str
    subject: str
    opened_by: str
    sla_due_at: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseNoteAdded(_CaseEvent):
    note_id: uuid.UUID
    author_kind: str
    visibility: str
    emailed: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseAssigned(_CaseEvent):
    assignee: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CasePriorityChanged(_CaseEvent):
    priority: str
    sla_due_at: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseStatusChanged(_CaseEvent):
    """wait, reopen, resolve or close."""

    action: str
    from_status: str
    to_status: str
    breached: bool
