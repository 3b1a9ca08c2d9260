"""Replenishment events (past tense), written to the outbox by the unit of work.
Payload keys are read by webhooks: keep them stable."""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class _RequestEvent(DomainEvent):
    """aggregate_id is the request."""

    aggregate_type: ClassVar[str] = "replenishment_request"
    warehouse: str
    sku: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplenishmentRequestRaised(_RequestEvent):
    """``replenishment_request.raised``: a new open request."""

    kind: str
    quantity: int
    reason: str
    supplier: str
    source_warehouse: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplenishmentRequestEdited(_RequestEvent):
    changes: list[str]
    quantity: int
    supplier: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplenishmentRequestApproved(_RequestEvent):
    kind: str
    quantity: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplenishmentRequestRejected(_RequestEvent):
    reason: str
    automatic: bool
    """Rejected by a review that found it no longer needed, not by a person."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplenishmentRequestOrdered(_RequestEvent):
    kind: str
    quantity: int
    document: str
    """The purchase order's or transfer's number."""
    document_id: uuid.UUID


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReplenishmentRunCompleted(DomainEvent):
    """``replenishment_run.completed``."""

    aggregate_type: ClassVar[str] = "replenishment_run"
    evaluated: int
    raised: int
    updated: int
    withdrawn: int
