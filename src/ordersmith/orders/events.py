from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class _OrderEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    number: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderPlaced(_OrderEvent):
    customer_id: uuid.UUID
    channel: str
    status: str
    total: str
    currency: str
    backordered: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderDrafted(_OrderEvent):
    customer_id: uuid.UUID
    channel: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderConfirmed(_OrderEvent):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderHeld(_OrderEvent):
    reason: str
    note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderReleased(_OrderEvent):
    status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderCompleted(_OrderEvent):
    """Everything ordered was delivered (a system transition, ordersmith.shipping)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderCancelled(_OrderEvent):
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderChanged(_OrderEvent):
    """A confirmed order was changed (lines, address, dates, notes, split or merge)."""

    customer_id: uuid.UUID
    version: int
    kind: str
    summary: str
    reason: str
    total: str
    currency: str
