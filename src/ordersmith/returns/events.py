"""Return events (``return.requested``, ``.authorised``, ...). Payload keys are read by the
worker's handlers (customer emails, ordersmith.jobs.returns_mail) and by webhooks: keep
them stable. Amounts are decimal strings."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class _ReturnEvent(DomainEvent):
    """aggregate_id is the return."""

    aggregate_type: ClassVar[str] = "return"
    number: str
    order_id: uuid.UUID
    order_number: str
    customer_id: uuid.UUID


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnRequested(_ReturnEvent):
    requested_by: str
    lines: list[dict[str, object]]
    """``{"line_no", "sku", "quantity", "reason"}`` per line."""
    window_overridden: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnAuthorised(_ReturnEvent):
    warehouse: str
    """The code of the warehouse the goods go back to."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnRejected(_ReturnEvent):
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnShipped(_ReturnEvent):
    """The customer sent the goods (``in_transit``)."""

    carrier: str
    tracking_number: str
    tracking_url: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnReceived(_ReturnEvent):
    lines: list[dict[str, object]]
    """``{"line_no", "sku", "expected", "received"}`` per line."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnInspected(_ReturnEvent):
    dispositions: list[dict[str, object]]
    """``{"line_no", "sku", "disposition", "quantity", "warehouse", "supplier"}``."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnResolved(_ReturnEvent):
    resolution: str
    currency: str
    credited: Decimal
    refunded: Decimal
    credit_notes: list[str]
    replacement_order_id: uuid.UUID | None
    replacement_order_number: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnCancelled(_ReturnEvent):
    reason: str
