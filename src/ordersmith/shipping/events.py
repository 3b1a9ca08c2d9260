"""Shipment events (aggregate: the shipment). Payload keys are read by the worker's
email handlers (ordersmith.notifications): keep them stable."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import ClassVar

from ordersmith.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class _ShipmentEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "shipment"
    number: str
    customer_id: uuid.UUID
    order_ids: list[str]
    order_numbers: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShipmentPacked(_ShipmentEvent):
    warehouse: str
    packages: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShipmentDispatched(_ShipmentEvent):
    carrier: str
    carrier_name: str
    service_level: str
    tracking_number: str
    tracking_url: str
    promised_delivery_date: date | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShipmentTrackingUpdated(_ShipmentEvent):
    status: str
    previous_status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShipmentDelivered(_ShipmentEvent):
    delivered_at: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShipmentCancelled(_ShipmentEvent):
    reason: str
