"""Purchasing events. Payload keys are read by the worker's handlers (the purchase order
email with its PDF) and by webhooks: keep them stable. Amounts are decimal strings."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class SupplierCreated(DomainEvent):
    """``supplier.created``."""

    aggregate_type: ClassVar[str] = "supplier"
    code: str
    name: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class SupplierUpdated(DomainEvent):
    """``supplier.updated``: ``changes`` names the fields that changed."""

    aggregate_type: ClassVar[str] = "supplier"
    code: str
    changes: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class _PurchaseOrderEvent(DomainEvent):
    """aggregate_id is the purchase order."""

    aggregate_type: ClassVar[str] = "purchase_order"
    number: str
    supplier_id: uuid.UUID
    supplier: str
    """The supplier's code."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PurchaseOrderCreated(_PurchaseOrderEvent):
    warehouse: str
    total: Decimal
    currency: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class PurchaseOrderLinesChanged(_PurchaseOrderEvent):
    total: Decimal
    currency: str
    line_count: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PurchaseOrderApproved(_PurchaseOrderEvent):
    total: Decimal
    currency: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class PurchaseOrderSent(_PurchaseOrderEvent):
    """``purchase_order.sent``: with ``email`` the worker mails the PO's PDF to
    ``recipient`` (the supplier's email when it was sent)."""

    email: bool
    recipient: str
    total: Decimal
    currency: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class PurchaseOrderReceived(_PurchaseOrderEvent):
    """One receipt (part or all): ``status`` is partially_received or received."""

    receipt_id: uuid.UUID
    warehouse: str
    delivery_note: str
    status: str
    lines: list[dict[str, object]]
    """``{"line_no", "sku", "quantity"}`` per line received now."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PurchaseOrderClosed(_PurchaseOrderEvent):
    short_closed: bool
    """True when units were still open: they will not come."""
    open_quantity: int
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class PurchaseOrderCancelled(_PurchaseOrderEvent):
    reason: str
