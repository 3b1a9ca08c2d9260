"""Worker and communications tests: test-only events shaped like the shipping and
backorder events (handled by type string and payload), and small read helpers."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa

from ordersmith.db import table_of
from ordersmith.events import DomainEvent
from ordersmith.jobs.worker import deliver_events
from ordersmith.notifications.models import Communication
from ordersmith.outbox.models import OutboxEvent
from ordersmith.uow import Database
from tests.smtp import smtp_port, smtp_server

__all__ = ["smtp_port", "smtp_server"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShipmentDispatched(DomainEvent):
    """Same type and payload as the shipping area's event (test-only copy)."""

    aggregate_type: ClassVar[str] = "shipment"
    number: str
    customer_id: uuid.UUID
    order_ids: list[str]
    order_numbers: list[str]
    carrier: str = "dhl"
    carrier_name: str = "DHL Parcel"
    service_level: str = "standard"
    tracking_number: str = "JJD0099887766"
    tracking_url: str = "https://track.example.com/JJD0099887766?lang=en&x=1"
    promised_delivery_date: str | None = "2026-03-03"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ShipmentDelivered(DomainEvent):
    aggregate_type: ClassVar[str] = "shipment"
    number: str
    customer_id: uuid.UUID
    order_ids: list[str]
    order_numbers: list[str]
    delivered_at: str = "2026-03-03T10:15:00+00:00"


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderBackordered(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    number: str
    customer_id: uuid.UUID
    lines: list[dict[str, Any]]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Pinged(DomainEvent):
    """An event for handler plumbing tests."""

    aggregate_type: ClassVar[str] = "test"
    fail: bool = False


def record(db: Database, *events: DomainEvent) -> None:
    with db.unit_of_work(actor="test") as uow:
        uow.record(*events)


def outbox(db: Database, event_type: str | None = None) -> list[Any]:
    table = table_of(OutboxEvent)
    query = sa.select(table).order_by(table.c.created_at, table.c.id)
    if event_type is not None:
        query = query.where(table.c.event_type == event_type)
    with db.reader() as session:
        return list(session.execute(query))


def communications(db: Database) -> list[Any]:
    table = table_of(Communication)
    with db.reader() as session:
        return list(session.execute(sa.select(table).order_by(table.c.created_at, table.c.id)))


@pytest.fixture
def reconnect() -> Iterator[Callable[..., Database]]:
    """Another Database on the same database, with some settings changed."""
    opened: list[Database] = []

    def connect(db: Database, **overrides: Any) -> Database:
        other = Database.connect(db.settings.model_copy(update=overrides))
        opened.append(other)
        return other

    yield connect
    for each in opened:
        each.dispose()


def received_context(number: str = "SO-TEST-1") -> dict[str, Any]:
    """A complete order_received template context."""
    return {
        "order_number": number,
        "lines": [],
        "total": "10.00",
        "currency": "EUR",
        "backordered": False,
    }


def drain(db: Database) -> None:
    """Mark every pending event delivered without handling it (the set-up's events)."""
    while deliver_events(db, handlers={}, limit=1000):
        pass


@pytest.fixture
def quiet_shop(shop: Any) -> Any:
    """The shop, with the events of its setting up already out of the way."""
    drain(shop.db)
    return shop
