"""Fulfilment events (aggregate: the order they belong to)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class _OrderFulfilmentEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    number: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderAllocated(_OrderFulfilmentEvent):
    trigger: str
    warehouses: list[str]
    summary: str
    fulfilment_status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderBackordered(_OrderFulfilmentEvent):
    """Units of the order wait for stock; the customer is told (with dates when known)."""

    customer_id: uuid.UUID
    lines: list[dict[str, Any]]  # sku, name, quantity, expected_date


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderShortPicked(_OrderFulfilmentEvent):
    warehouse: str
    sku: str
    short: int
    reallocated: int
    backordered: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PickListCreated(DomainEvent):
    aggregate_type: ClassVar[str] = "pick_list"
    number: str
    warehouse: str
    lines: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PickListCompleted(DomainEvent):
    aggregate_type: ClassVar[str] = "pick_list"
    number: str
    warehouse: str
    short_lines: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderDamageReported(_OrderFulfilmentEvent):
    """Goods of the order arrived (or left) damaged: it fails the perfect order."""

    incident_id: uuid.UUID
    line_no: int | None
    sku: str | None
    quantity: int  # 0: not counted
    note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderWrongItemReported(_OrderFulfilmentEvent):
    """The customer got a wrong item (a return says so): the order was not complete."""

    incident_id: uuid.UUID
    line_no: int | None
    sku: str | None
    quantity: int  # 0: not counted
    note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderDocumentCorrected(_OrderFulfilmentEvent):
    """A document of the order (packing slip, invoice, label...) had to be corrected."""

    incident_id: uuid.UUID
    document: str
    note: str
