"""What replenishment's queries and use cases answer: plain, frozen data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class PolicyView:
    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    kind: str
    min_quantity: int | None
    max_quantity: int | None
    note: str
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RequestView:
    id: uuid.UUID
    status: str
    kind: str
    reason: str
    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    product_name: str
    supplier_id: uuid.UUID | None
    supplier: str
    """The supplier's code ("" when there is none)."""
    source_warehouse_id: uuid.UUID | None
    source_warehouse: str
    suggested_quantity: int
    quantity: int | None
    numbers: dict[str, Any]
    explanation: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    evaluated_at: datetime
    edited_by: str
    edited_at: datetime | None
    approved_by: str
    approved_at: datetime | None
    rejected_by: str
    rejected_at: datetime | None
    reject_reason: str
    ordered_by: str
    ordered_at: datetime | None
    ordered_quantity: int | None
    purchase_order_id: uuid.UUID | None
    transfer_id: uuid.UUID | None
    document_number: str
    allowed_actions: tuple[str, ...] = ()

    @property
    def order_quantity(self) -> int:
        """What would be ordered: the edited quantity, else the suggested one."""
        return self.quantity if self.quantity is not None else self.suggested_quantity


@dataclass(frozen=True, slots=True)
class RunView:
    id: uuid.UUID
    started_at: datetime
    finished_at: datetime
    actor: str
    evaluated: int
    raised: int
    updated: int
    withdrawn: int
    unchanged: int
    transfers: int
    without_supplier: int
    note: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An approved request that was not ordered, and why."""

    request_id: uuid.UUID
    warehouse: str
    sku: str
    reason: str


@dataclass(frozen=True, slots=True)
class OrderedDocument:
    """A purchase order or transfer made from approved requests."""

    id: uuid.UUID
    number: str
    kind: str
    """``purchase_order`` or ``transfer``."""
    supplier: str
    """The supplier's code, or the source warehouse's for a transfer."""
    warehouse: str
    status: str
    request_ids: tuple[uuid.UUID, ...]
    lines: tuple[tuple[str, int], ...]
    """(SKU, quantity) per line."""


@dataclass(frozen=True, slots=True)
class OrderingResult:
    documents: list[OrderedDocument] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
