"""The carrier scans the fulfilment simulation plans for a dispatched demo shipment."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from ordersmith.demo.fulfilment import last_working_day
from ordersmith.demo.schedule import business_days_before
from ordersmith.demo.tracking_plan import Fate, delivery_day, plan_scans
from ordersmith.shipping.status import ShipmentStatus, TrackingPoint, resolve_status

WEDNESDAY_4PM = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


def _scans(fate: Fate, *, van: bool = False, arrives: date = date(2026, 3, 6), seed: int = 1):
    return plan_scans(
        random.Random(seed),
        van=van,
        dispatched_at=WEDNESDAY_4PM,
        arrives=arrives,
        fate=fate,
        origin="Kassel",
        destination="Berlin",
    )


def _final_status(scans) -> ShipmentStatus:
    points = [TrackingPoint(f"e{i}", s.status, s.at) for i, s in enumerate(scans)]
    return resolve_status(ShipmentStatus.DISPATCHED, points)


@pytest.mark.parametrize("fate", list(Fate))
@pytest.mark.parametrize("seed", range(20))
def test_scans_come_in_time_order_after_the_dispatch(fate, seed):
    # when
    scans = _scans(fate, seed=seed)
    # then
    times = [s.at for s in scans]
    assert times == sorted(times)
    assert times[0] > WEDNESDAY_4PM


def test_an_on_time_parcel_is_picked_up_sorted_and_delivered_on_its_day():
    # when
    scans = _scans(Fate.ON_TIME)
    # then
    statuses = [s.status.value for s in scans]
    assert statuses == ["dispatched", "in_transit", "in_transit", "out_for_delivery", "delivered"]
    assert scans[-1].at.date() == date(2026, 3, 6)
    assert _final_status(scans) is ShipmentStatus.DELIVERED


def test_a_parcel_nobody_was_home_for_is_delivered_the_next_business_day():
    # when: due on Friday
    scans = _scans(Fate.EXCEPTION)
    # then: Monday
    assert [s.status.value for s in scans][-4:] == [
        "out_for_delivery",
        "exception",
        "out_for_delivery",
        "delivered",
    ]
    assert scans[-1].at.date() == date(2026, 3, 9)


def test_a_parcel_whose_address_was_not_found_goes_back_to_the_sender():
    # when
    scans = _scans(Fate.RETURNED)
    # then
    assert [s.status.value for s in scans][-2:] == ["exception", "returned_to_sender"]
    assert _final_status(scans) is ShipmentStatus.RETURNED_TO_SENDER


def test_the_van_fleet_delivers_without_hubs_and_express_the_same_evening():
    # when
    scans = _scans(Fate.ON_TIME, van=True, arrives=WEDNESDAY_4PM.date())
    # then
    assert [s.status.value for s in scans] == ["dispatched", "out_for_delivery", "delivered"]
    assert scans[-1].at.date() == WEDNESDAY_4PM.date()


def test_a_late_parcel_arrives_business_days_after_the_promise():
    # when: promised for Thursday, normal day Friday, two days late
    day = delivery_day(
        WEDNESDAY_4PM,
        transit_days=2,
        promised=date(2026, 3, 5),
        fate=Fate.LATE,
        late_days=2,
    )
    # then: the later of the two, plus two business days
    assert day == date(2026, 3, 10)


def test_a_stuck_parcel_arrives_more_than_a_week_late():
    # when
    day = delivery_day(WEDNESDAY_4PM, transit_days=2, promised=None, fate=Fate.STUCK, late_days=1)
    # then
    assert day == date(2026, 3, 18)


@pytest.mark.parametrize(
    ("today", "last"),
    [
        (date(2026, 3, 2), date(2026, 2, 27)),  # Monday -> Friday
        (date(2026, 3, 1), date(2026, 2, 27)),  # Sunday -> Friday
        (date(2026, 3, 4), date(2026, 3, 3)),  # Wednesday -> Tuesday
    ],
)
def test_the_story_ends_on_the_last_weekday_before_today(today, last):
    assert last_working_day(today) == last


def test_business_days_before_skip_the_weekend():
    assert business_days_before(date(2026, 3, 3), 3) == date(2026, 2, 26)
