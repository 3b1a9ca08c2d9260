from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class WarehouseCreated(DomainEvent):
    aggregate_type: ClassVar[str] = "warehouse"
    code: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class _StockEvent(DomainEvent):
    """aggregate_id is the product; the warehouse is named too."""

    aggregate_type: ClassVar[str] = "stock"
    warehouse_id: uuid.UUID | None
    warehouse: str
    sku: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReceived(_StockEvent):
    quantity: int
    on_hand: int
    reference: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockAdjusted(_StockEvent):
    delta: int
    on_hand: int
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockLow(_StockEvent):
    """Available stock fell to or below the reorder point."""

    available: int
    reorder_point: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockOut(_StockEvent):
    """Nothing left to promise, or demand that could not be reserved in full."""

    available: int
    requested: int
    shortfall: int
    source: str
