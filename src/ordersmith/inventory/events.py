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
class StockReturned(_StockEvent):
    """Goods came back from a customer into stock (a ``return`` movement)."""

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


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockTransferReceived(_StockEvent):
    """Units of a transfer arrived at ``warehouse`` (its destination): backorders waiting
    for the product may now be allocated (ordersmith.wiring)."""

    quantity: int
    on_hand: int
    transfer_id: uuid.UUID
    transfer: str
    from_warehouse: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockTransferReturned(_StockEvent):
    """A transfer cancelled in transit put its units back on ``warehouse`` (its source)."""

    quantity: int
    on_hand: int
    transfer_id: uuid.UUID
    transfer: str
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class _TransferEvent(DomainEvent):
    """aggregate_id is the transfer."""

    aggregate_type: ClassVar[str] = "transfer"
    number: str
    from_warehouse: str
    to_warehouse: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransferCreated(_TransferEvent):
    lines: list[dict[str, object]]
    """``{"sku": ..., "quantity": ...}`` per line."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransferDispatched(_TransferEvent):
    units: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransferReceived(_TransferEvent):
    """A receipt (part or all): ``status`` is partially_received or received."""

    status: str
    lines: list[dict[str, object]]
    """``{"sku": ..., "quantity": ...}`` per line received now."""
    outstanding: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransferCancelled(_TransferEvent):
    reason: str
    returned_units: int
