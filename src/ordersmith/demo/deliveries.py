"""The fulfilment simulation's hand-over to the carriers and what they report back.

``dispatch`` hands a labelled shipment over (``shipping.dispatch.dispatch_shipment``)
and plans the carrier's scans (``demo.tracking_plan``); ``report`` sends the scans whose
time has come through ``shipping.tracking.record_tracking``, as a carrier's webhook
would, so deliveries complete orders and fire the delivered mails by the real code.
What billing makes of a damaged or a returned parcel (``on_damage``, ``on_return``,
given the shipment's id) runs the next business day.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import partial

from ordersmith import clock
from ordersmith.demo.carriers import CARRIERS, LOCAL_COURIER
from ordersmith.demo.tracking_plan import Fate, PlannedScan, delivery_day, plan_scans
from ordersmith.demo.warehouse_work import Parcel
from ordersmith.fulfillment.incidents import report_damage
from ordersmith.shipping.dispatch import dispatch_shipment
from ordersmith.shipping.promise import add_business_days
from ordersmith.shipping.queries import get_shipment
from ordersmith.shipping.tracking import MAX_EVENTS, TrackingInput, record_tracking
from ordersmith.uow import Database

# float-ok-module: how often a parcel is late or meets an exception (probabilities)

DISPATCHER, CARRIER_FEED, SERVICE = "demo:warehouse", "demo:carrier", "demo:customer-service"
LATE = 0.08
EXCEPTION = 0.06
STUCK = 2
VAN_LATE = 0.04
DAMAGED = 15  # the 3rd parcel delivered on time arrives damaged, then every 15th
Later = Callable[[datetime, Callable[[], None]], None]
ShipmentAction = Callable[[uuid.UUID], None]


@dataclass
class InFlight:
    carrier: str
    tracking_number: str
    scans: list[PlannedScan]
    sent: int = 0


@dataclass
class Deliveries:
    db: Database
    rng: random.Random
    end: datetime
    warehouses: dict[str, dict[str, object]]
    later: Later
    """Runs an action at a later simulated time (the simulation's timeline)."""
    on_damage: ShipmentAction | None = None
    on_return: ShipmentAction | None = None
    in_flight: list[InFlight] = field(default_factory=list)
    fates: Counter[Fate] = field(default_factory=Counter)
    events: int = 0
    damage_reports: int = 0
    _on_time_parcels: int = 0

    def dispatch(self, parcel: Parcel) -> None:
        with self.db.unit_of_work(actor=DISPATCHER) as uow:
            dispatch_shipment(uow, shipment_id=parcel.id)
            view = get_shipment(uow.session, str(parcel.id))
        now = clock.now()
        van = parcel.carrier == LOCAL_COURIER.code
        fate = self._fate(van, now)
        self.fates[fate] += 1
        carrier = next(c for c in CARRIERS if c.code == parcel.carrier)
        transit = next(
            s.transit_days for s in carrier.services if s.service_level == view.service_level
        )
        arrives = delivery_day(
            now,
            transit_days=transit,
            promised=view.promised_delivery_date,
            fate=fate,
            late_days=1 if van else self.rng.choice((1, 1, 2, 3)),
        )
        scans = plan_scans(
            self.rng,
            van=van,
            dispatched_at=now,
            arrives=arrives,
            fate=fate,
            origin=str(self.warehouses.get(parcel.warehouse, {}).get("city") or parcel.warehouse),
            destination=str(parcel.ship_to.get("city") or ""),
        )
        self.in_flight.append(InFlight(parcel.carrier, view.tracking_number, scans))
        if fate is Fate.ON_TIME and not van:
            self._on_time_parcels += 1
            if self._on_time_parcels % DAMAGED == 3:
                self._customer_calls(scans[-1].at, parcel)
        if fate is Fate.RETURNED and self.on_return is not None:
            self.later(_next_business_day(scans[-1].at, 11), partial(self.on_return, parcel.id))

    def _customer_calls(self, delivered: datetime, parcel: Parcel) -> None:
        """The next business day, about a parcel that arrived damaged."""
        self.later(_next_business_day(delivered, 10), partial(self._damaged, parcel))

    def _damaged(self, parcel: Parcel) -> None:
        """The customer calls: the box arrived crushed."""
        for order_id in parcel.order_ids:
            with self.db.unit_of_work(actor=SERVICE) as uow:
                report_damage(
                    uow,
                    order_id=order_id,
                    note="Customer called: the box arrived crushed and the contents are dented",
                )
            self.damage_reports += 1
        if self.on_damage is not None:
            self.on_damage(parcel.id)

    def _fate(self, van: bool, now: datetime) -> Fate:
        if van:
            return Fate.LATE if self.rng.random() < VAN_LATE else Fate.ON_TIME
        days_left = (self.end - now).days
        if not self.fates[Fate.RETURNED] and days_left >= 6:
            return Fate.RETURNED
        if self.fates[Fate.STUCK] < STUCK and days_left < 6:
            return Fate.STUCK
        draw = self.rng.random()
        return (
            Fate.LATE
            if draw < LATE
            else Fate.EXCEPTION
            if draw < LATE + EXCEPTION
            else Fate.ON_TIME
        )

    def report(self) -> None:
        """Send every planned scan whose time has come, one feed per carrier."""
        now = clock.now()
        feeds: dict[str, list[TrackingInput]] = defaultdict(list)
        for parcel in self.in_flight:
            while parcel.sent < len(parcel.scans) and parcel.scans[parcel.sent].at <= now:
                scan = parcel.scans[parcel.sent]
                parcel.sent += 1
                feeds[parcel.carrier].append(
                    TrackingInput(
                        event_id=f"{parcel.tracking_number}-{parcel.sent}",
                        tracking_number=parcel.tracking_number,
                        status=scan.status.value,
                        occurred_at=scan.at,
                        description=scan.description,
                        location=scan.location,
                    )
                )
        self.in_flight = [p for p in self.in_flight if p.sent < len(p.scans)]
        for carrier in sorted(feeds):
            events = feeds[carrier]
            for start in range(0, len(events), MAX_EVENTS):
                with self.db.unit_of_work(actor=CARRIER_FEED) as uow:
                    record_tracking(
                        uow,
                        carrier=carrier,
                        events=events[start : start + MAX_EVENTS],
                        source="webhook",
                    )
            self.events += len(events)


def _next_business_day(moment: datetime, hour: int) -> datetime:
    return datetime.combine(add_business_days(moment.date(), 1), time(hour), tzinfo=UTC)
