"""What a carrier will report about a demo shipment, planned when it leaves. Pure.

The fulfilment simulation (``ordersmith.demo.fulfilment``) plans each dispatched
shipment's scans here and records them through ``shipping.tracking.record_tracking``
as the simulated clock passes their times, so statuses, delivery dates and the
perfect-order KPI come out of the real tracking code.

Fates: most parcels arrive on the carrier's normal day; some arrive 1-3 business days
after the date promised to the customer; some meet an exception (nobody at home) and
arrive the next business day; a few get stuck in a hub for a week and more; one is
returned to the sender after the address could not be found. The van fleet has no
hubs: loaded, out for delivery, delivered.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from ordersmith.shipping.promise import add_business_days
from ordersmith.shipping.status import TrackingStatus


class Fate(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    EXCEPTION = "exception"
    STUCK = "stuck"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class PlannedScan:
    at: datetime
    status: TrackingStatus
    description: str
    location: str


HUBS = ("Hub Hannover", "Hub Frankfurt", "Hub Nürnberg", "Hub Dortmund")
STUCK_DAYS = 8


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _minutes(rng: random.Random, start: datetime, low: int, high: int) -> datetime:
    return start + timedelta(minutes=rng.randint(low, high))


def delivery_day(
    dispatched_at: datetime, *, transit_days: int, promised: date | None, fate: Fate, late_days: int
) -> date:
    """The day the parcel arrives (or is first tried): the carrier's normal day, or for a
    late one ``late_days`` business days after the promise (or the normal day if later)."""
    normal = add_business_days(dispatched_at.date(), transit_days)
    if fate is Fate.LATE:
        return add_business_days(max(normal, promised or normal), late_days)
    if fate is Fate.STUCK:
        return add_business_days(normal, STUCK_DAYS)
    return normal


def plan_scans(
    rng: random.Random,
    *,
    van: bool,
    dispatched_at: datetime,
    arrives: date,
    fate: Fate,
    origin: str,
    destination: str,
) -> list[PlannedScan]:
    """The carrier's scans of one shipment, oldest first."""
    if van:
        return _van(rng, dispatched_at, arrives, origin, destination)
    scans = [
        PlannedScan(
            _minutes(rng, dispatched_at, 20, 50),
            TrackingStatus.DISPATCHED,
            "Picked up by ParcelNet",
            origin,
        ),
        PlannedScan(
            _at(dispatched_at.date(), 21, rng.randint(0, 59)),
            TrackingStatus.IN_TRANSIT,
            "Arrived at the sorting hub",
            rng.choice(HUBS),
        ),
    ]
    day = add_business_days(dispatched_at.date(), 1)
    while day < arrives:
        scans.append(
            PlannedScan(
                _at(day, 4, rng.randint(0, 59)),
                TrackingStatus.IN_TRANSIT,
                "Held at the hub: capacity shortage" if fate is Fate.STUCK else "Left the hub",
                rng.choice(HUBS),
            )
        )
        day = add_business_days(day, 1)
    return scans + _last_mile(rng, arrives, fate, destination)


def _van(
    rng: random.Random, dispatched_at: datetime, arrives: date, origin: str, destination: str
) -> list[PlannedScan]:
    loaded = _minutes(rng, dispatched_at, 5, 20)
    same_day = arrives <= loaded.date()
    out = loaded + timedelta(minutes=15) if same_day else _at(arrives, 7, 30)
    delivered = _minutes(rng, out, 40, 150 if same_day else 480)
    return [
        PlannedScan(loaded, TrackingStatus.DISPATCHED, "Loaded onto the van", origin),
        PlannedScan(out, TrackingStatus.OUT_FOR_DELIVERY, "Out for delivery", destination),
        PlannedScan(delivered, TrackingStatus.DELIVERED, "Delivered", destination),
    ]


def _last_mile(
    rng: random.Random, arrives: date, fate: Fate, destination: str
) -> list[PlannedScan]:
    out = _at(arrives, 7, rng.randint(0, 59))
    first_try = _minutes(rng, out, 90, 660)
    scans = [PlannedScan(out, TrackingStatus.OUT_FOR_DELIVERY, "Out for delivery", destination)]
    if fate is Fate.RETURNED:
        back = add_business_days(arrives, 2)
        return [
            *scans,
            PlannedScan(first_try, TrackingStatus.EXCEPTION, "Address not found", destination),
            PlannedScan(
                _at(back, 10, rng.randint(0, 59)),
                TrackingStatus.RETURNED_TO_SENDER,
                "Returned to the sender",
                destination,
            ),
        ]
    if fate is Fate.EXCEPTION:
        retry = add_business_days(arrives, 1)
        again = _at(retry, 7, rng.randint(0, 59))
        return [
            *scans,
            PlannedScan(
                first_try,
                TrackingStatus.EXCEPTION,
                "Recipient not at home: a second attempt tomorrow",
                destination,
            ),
            PlannedScan(again, TrackingStatus.OUT_FOR_DELIVERY, "Out for delivery", destination),
            PlannedScan(
                _minutes(rng, again, 90, 600), TrackingStatus.DELIVERED, "Delivered", destination
            ),
        ]
    return [*scans, PlannedScan(first_try, TrackingStatus.DELIVERED, "Delivered", destination)]
