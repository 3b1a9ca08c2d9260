"""Carrier tracking events: recorded once, in any order, resolving the shipment's state.

Events arrive by the signed inbound webhook, the API or the CLI. Each is stored once
per (carrier, event id) — a replayed or retried delivery changes nothing. The shipment's
status is then resolved from all its stored points (ordersmith.shipping.status), so
out-of-order events leave the right final state. A carrier scan of a shipment we have
not yet marked dispatched dispatches it first: the carrier has the goods.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import insert_ignoring_conflicts, table_of
from ordersmith.errors import NotFound
from ordersmith.ids import new_id
from ordersmith.shipping.carriers import get_carrier
from ordersmith.shipping.dispatch import dispatch_shipment, mark_delivered
from ordersmith.shipping.events import ShipmentTrackingUpdated
from ordersmith.shipping.models import Shipment, TrackingEvent
from ordersmith.shipping.shipments import lock_shipment
from ordersmith.shipping.status import (
    PRE_DISPATCH,
    ShipmentStatus,
    TrackingPoint,
    TrackingStatus,
    deciding_point,
    resolve_status,
)
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, one_of, text

MAX_EVENTS = 500
_SKEW = timedelta(hours=1)  # carrier clocks run a little ahead
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no parcel was scanned before; no overflow


@dataclass(frozen=True, slots=True)
class TrackingInput:
    event_id: str
    tracking_number: str
    status: str
    occurred_at: datetime
    description: str = ""
    location: str = ""


@dataclass(frozen=True, slots=True)
class TrackingResult:
    received: int
    duplicates: int
    shipments: dict[str, str]  # shipment number -> status after


def record_tracking(
    uow: UnitOfWork, *, carrier: str, events: Sequence[TrackingInput], source: str
) -> TrackingResult:
    uow.authorize(Permission.FULFILMENT_WRITE)
    carrier_view = get_carrier(uow.session, carrier)
    _check(events)
    shipments = table_of(Shipment)
    numbers = sorted({e.tracking_number for e in events})
    found = {
        r.tracking_number: r.id
        for r in uow.session.execute(
            sa.select(shipments.c.tracking_number, shipments.c.id).where(
                shipments.c.carrier_id == carrier_view.id,
                shipments.c.tracking_number.in_(numbers),
            )
        )
    }
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise NotFound(
            f"no shipment of {carrier_view.code} with tracking number {unknown[0]}",
            code="unknown_tracking_number",
            extra={"unknown": unknown[:20]},
        )
    for shipment_id in sorted(set(found.values()), key=str):
        lock_shipment(uow, shipment_id)  # before the inserts: see _resolve
    now = clock.now()
    inserted = sum(
        insert_ignoring_conflicts(
            uow.session,
            table_of(TrackingEvent),
            {
                "id": new_id(),
                "shipment_id": found[e.tracking_number],
                "carrier_id": carrier_view.id,
                "event_id": e.event_id,
                "status": e.status,
                "occurred_at": clock.as_utc(e.occurred_at),
                "description": e.description,
                "location": e.location,
                "source": source,
                "received_at": now,
            },
        )
        for e in events
    )
    touched = sorted(set(found.values()), key=str)
    statuses = {}
    for shipment_id in touched:
        number, status = _resolve(uow, shipment_id)
        statuses[number] = status
    return TrackingResult(inserted, len(events) - inserted, statuses)


def _check(events: Sequence[TrackingInput]) -> None:
    checks = FieldChecks()
    if not 1 <= len(events) <= MAX_EVENTS:
        checks.fail("events", f"from 1 to {MAX_EVENTS} events")
    seen: set[str] = set()
    for i, e in enumerate(events):
        checks.run(f"events.{i}.event_id", text(120), e.event_id)
        checks.run(f"events.{i}.tracking_number", text(40), e.tracking_number)
        checks.run(f"events.{i}.status", one_of(TrackingStatus), e.status)
        checks.run(f"events.{i}.description", text(500, required=False), e.description)
        checks.run(f"events.{i}.location", text(200, required=False), e.location)
        if e.occurred_at.tzinfo is None:
            checks.fail(f"events.{i}.occurred_at", "must carry a time zone")
        elif not EARLIEST < e.occurred_at <= clock.now() + _SKEW:
            checks.fail(f"events.{i}.occurred_at", "from the year 2000 to now")
        if e.event_id in seen:
            checks.fail(f"events.{i}.event_id", "given twice in one request")
        seen.add(e.event_id)
    checks.raise_if_any("the tracking events are not valid")


def _resolve(uow: UnitOfWork, shipment_id: uuid.UUID) -> tuple[str, str]:
    row = lock_shipment(uow, shipment_id)
    events = table_of(TrackingEvent)
    points = [
        TrackingPoint(r.event_id, TrackingStatus(r.status), clock.as_utc(r.occurred_at))
        for r in uow.session.execute(
            sa.select(events.c.event_id, events.c.status, events.c.occurred_at).where(
                events.c.shipment_id == shipment_id
            )
        )
    ]
    current = ShipmentStatus(row["status"])
    target = resolve_status(current, points)
    if target == current:
        return row["number"], current.value
    first_scan = min(p.occurred_at for p in points)
    if current in PRE_DISPATCH:
        dispatch_shipment(uow, shipment_id=shipment_id, at=first_scan)
        row = lock_shipment(uow, shipment_id)
    deciding = deciding_point(points)
    at = deciding.occurred_at if deciding else clock.now()
    shipments = table_of(Shipment)
    uow.session.execute(
        sa.update(shipments)
        .where(shipments.c.id == shipment_id)
        .values(
            status=target.value,
            last_tracking_at=at,
            delivered_at=row["delivered_at"]
            or (at if target is ShipmentStatus.DELIVERED else None),
            updated_at=clock.now(),
        )
    )
    if target is ShipmentStatus.DELIVERED and row["delivered_at"] is None:
        mark_delivered(uow, row, at)  # once per shipment, whatever the carrier sends later
    uow.record(
        ShipmentTrackingUpdated(
            aggregate_id=shipment_id,
            number=row["number"],
            customer_id=row["customer_id"],
            order_ids=[],
            order_numbers=[],
            status=target.value,
            previous_status=current.value,
        )
    )
    return row["number"], target.value
