import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.errors import ValidationFailed
from ordersmith.fulfillment.kpis import (
    COMPONENTS,
    FailingOrder,
    OrderFacts,
    Percentiles,
    cycle_times,
    fill_rate,
    on_time_dispatch_rate,
    percentiles,
    perfect_order_report,
    ratio,
)

PLACED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY0 = PLACED.date()


def day(n: int, hours: int = 0) -> datetime:
    return PLACED + timedelta(days=n, hours=hours)


def date_of(n: int) -> date:
    return DAY0 + timedelta(days=n)


def facts(number: str, **changes) -> OrderFacts:
    """A single-shipment order of `units` units, dispatched on day 1 unless told."""
    units = changes.pop("units", 1)
    dispatched = changes.pop("dispatched", day(1))
    values = {
        "order_id": uuid.uuid5(uuid.NAMESPACE_OID, number),
        "number": number,
        "placed_at": PLACED,
        "ordered_units": units,
        "dispatched_at": dispatched,
        "fully_dispatched_at": dispatched,
        "shipment_count": 1 if dispatched else 0,
        "shipped_units": units if dispatched else 0,
        "first_shipment_units": units if dispatched else 0,
    }
    return OrderFacts(**(values | changes))


def eight_orders_and_one_waiting() -> list[OrderFacts]:
    return [
        # perfect: on time, promise kept with a day to spare
        facts("SO-1", units=4, delivered_at=day(3), promised_date=date_of(4),
              promised_dispatch_date=date_of(1)),
        # perfect: delivered on the promised day itself, dispatched six hours after placing
        facts("SO-2", units=2, dispatched=day(0, 6), delivered_at=day(2),
              promised_date=date_of(2), promised_dispatch_date=date_of(1)),
        # perfect, but nothing was promised
        facts("SO-3", units=1, delivered_at=day(5)),
        # split in two shipments after a backorder, five days late, dispatched late
        facts("SO-4", units=10, shipment_count=2, first_shipment_units=6, shipped_units=10,
              fully_dispatched_at=day(8), delivered_at=day(10), backordered=True,
              promised_date=date_of(5), promised_dispatch_date=date_of(2)),
        # damaged, dispatched a day late
        facts("SO-5", units=3, dispatched=day(2), delivered_at=day(4), damage_reported=True,
              promised_date=date_of(6), promised_dispatch_date=date_of(1)),
        # packing slip missing, invoice corrected
        facts("SO-6", units=5, delivered_at=day(3), promised_date=date_of(3),
              promised_dispatch_date=date_of(1), documents_missing=("packing_slip",),
              document_corrections=1),
        # short picked, one unit short, a day late
        facts("SO-7", units=6, shipped_units=5, first_shipment_units=5, short_picked=True,
              delivered_at=day(4), promised_date=date_of(3)),
        # on its way, dispatched on the promised day
        facts("SO-8", units=2, dispatched=day(2), promised_date=date_of(9),
              promised_dispatch_date=date_of(2)),
        # still waiting for stock, promised for dispatch on day 1
        facts("SO-9", units=3, dispatched=None, backordered=True,
              promised_dispatch_date=date_of(1)),
    ]  # fmt: skip


# --- the worked example ------------------------------------------------------------------


def test_three_of_the_seven_delivered_orders_are_perfect():
    # when
    report = perfect_order_report(eight_orders_and_one_waiting())
    # then
    assert report.orders == 7
    assert report.perfect == 3
    assert report.rate == Decimal("0.4286")


def test_each_component_counts_the_delivered_orders_that_pass_it():
    # when
    report = perfect_order_report(eight_orders_and_one_waiting())
    # then
    assert [(c.name, c.passed, c.total, c.rate) for c in report.components] == [
        ("complete", 5, 7, Decimal("0.7143")),
        ("on_time", 5, 7, Decimal("0.7143")),
        ("damage_free", 6, 7, Decimal("0.8571")),
        ("correct_documentation", 6, 7, Decimal("0.8571")),
    ]
    assert report.component("damage_free").passed == 6


def test_every_failing_order_says_why_in_machine_codes():
    # when
    report = perfect_order_report(eight_orders_and_one_waiting())
    # then
    assert [(f.number, f.reasons) for f in report.failing] == [
        ("SO-4", ("split_shipment", "backordered", "late_by_5_days")),
        ("SO-5", ("damaged",)),
        ("SO-6", ("missing_packing_slip", "document_corrected")),
        ("SO-7", ("short_shipped", "short_picked", "late_by_1_day")),
    ]
    assert report.failing[0] == FailingOrder(
        uuid.uuid5(uuid.NAMESPACE_OID, "SO-4"), "SO-4", report.failing[0].reasons
    )


def test_an_order_without_a_promise_counts_on_time_and_is_counted_apart():
    # when
    report = perfect_order_report(eight_orders_and_one_waiting())
    # then
    assert report.no_promise == 1
    assert "SO-3" not in {f.number for f in report.failing}


def test_six_of_eight_dispatched_orders_left_complete_in_their_first_shipment():
    # when
    rates = fill_rate(eight_orders_and_one_waiting())
    # then: SO-4 sent 6 of 10 first, SO-7 5 of 6; SO-9 has not shipped
    assert (rates.orders, rates.orders_filled, rates.order_fill_rate) == (
        8,
        6,
        Decimal("0.7500"),
    )
    assert (rates.units_ordered, rates.units_filled, rates.unit_fill_rate) == (
        33,
        28,
        Decimal("0.8485"),
    )


def test_cycle_times_take_the_nearest_rank_median_and_90th_percentile():
    # when
    times = cycle_times(eight_orders_and_one_waiting())
    # then: to dispatch 6h, 1d x5, 2d x2; to delivery 2, 3, 3, 4, 4, 5, 10 days
    assert times.placed_to_first_dispatch == Percentiles(8, timedelta(days=1), timedelta(days=2))
    assert times.placed_to_delivery == Percentiles(7, timedelta(days=4), timedelta(days=10))


def test_four_of_six_dispatched_orders_left_by_their_promised_dispatch_date():
    # when
    rate = on_time_dispatch_rate(eight_orders_and_one_waiting())
    # then: SO-4 (last unit day 8) and SO-5 (day 2) were late; SO-9 has not left
    assert (rate.name, rate.passed, rate.total, rate.rate) == (
        "on_time_dispatch",
        4,
        6,
        Decimal("0.6667"),
    )


def test_an_order_still_waiting_after_its_promised_dispatch_date_counts_late_as_of_today():
    # when
    on_day_3 = on_time_dispatch_rate(eight_orders_and_one_waiting(), as_of=date_of(3))
    on_day_1 = on_time_dispatch_rate(eight_orders_and_one_waiting(), as_of=date_of(1))
    # then
    assert (on_day_3.passed, on_day_3.total, on_day_3.rate) == (4, 7, Decimal("0.5714"))
    assert (on_day_1.passed, on_day_1.total) == (4, 6)


# --- the definitions one by one ----------------------------------------------------------


def test_a_delivered_order_in_one_complete_shipment_on_time_undamaged_and_documented_is_perfect():
    report = perfect_order_report([facts("A", units=3, delivered_at=day(2))])
    assert (report.perfect, report.rate, report.failing) == (1, Decimal("1.0000"), ())


def test_orders_not_yet_delivered_do_not_enter_the_perfect_order_rate():
    # given
    on_the_way = facts("A", damage_reported=True)
    waiting = facts("B", dispatched=None)
    # when
    report = perfect_order_report([on_the_way, waiting])
    # then
    assert (report.orders, report.rate, report.failing) == (0, None, ())


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"shipment_count": 2, "first_shipment_units": 1}, ("split_shipment",)),
        ({"shipped_units": 1, "first_shipment_units": 1}, ("short_shipped",)),
        ({"shipped_units": 3, "first_shipment_units": 3}, ("over_shipped",)),
        ({"backordered": True}, ("backordered",)),
        ({"short_picked": True}, ("short_picked",)),
        ({"delivered_at": day(5)}, ("late_by_2_days",)),
        ({"damage_reported": True}, ("damaged",)),
        ({"documents_missing": ("packing_slip", "invoice")},
         ("missing_invoice", "missing_packing_slip")),
        ({"document_corrections": 2}, ("document_corrected",)),
    ],
)  # fmt: skip
def test_each_failure_gives_its_reason(changes, reasons):
    # given: two units in one shipment, promised for day 3, delivered on day 3
    usual = {"units": 2, "delivered_at": day(3), "promised_date": date_of(3)}
    order = facts("A", **(usual | changes))
    # when
    report = perfect_order_report([order])
    # then
    assert report.failing == (FailingOrder(order.order_id, "A", reasons),)
    assert report.perfect == 0


def test_delivery_on_the_promised_day_is_on_time_and_a_day_later_is_late_by_one_day():
    # given
    on_the_day = facts("A", delivered_at=day(3, 14), promised_date=date_of(3))
    next_day = facts("B", delivered_at=day(4), promised_date=date_of(3))
    # when
    report = perfect_order_report([on_the_day, next_day])
    # then
    assert report.component("on_time").passed == 1
    assert report.failing[0].reasons == ("late_by_1_day",)


def test_the_delivery_date_is_taken_in_the_time_zone_the_timestamp_carries():
    # given: 00:30 on 6 March in Athens (UTC+2) is still 5 March in UTC
    athens = timezone(timedelta(hours=2))
    delivered = datetime(2026, 3, 6, 0, 30, tzinfo=athens)
    late_locally = facts("A", delivered_at=delivered, promised_date=date(2026, 3, 5))
    on_time_in_utc = facts(
        "B", delivered_at=delivered.astimezone(UTC), promised_date=date(2026, 3, 5)
    )
    # when
    report = perfect_order_report([late_locally, on_time_in_utc])
    # then
    assert [f.number for f in report.failing] == ["A"]
    assert report.failing[0].reasons == ("late_by_1_day",)


def test_an_order_failing_several_components_is_one_failing_order():
    # given
    order = facts(
        "A", delivered_at=day(9), promised_date=date_of(2), damage_reported=True, backordered=True
    )
    # when
    report = perfect_order_report([order])
    # then
    assert report.failing[0].reasons == ("backordered", "late_by_7_days", "damaged")
    assert [c.passed for c in report.components] == [0, 0, 0, 1]


def test_a_first_shipment_sent_after_a_backorder_still_fills_the_order():
    # given: nothing could ship at first; it all left together a week later
    order = facts("A", units=4, dispatched=day(7), backordered=True)
    # when
    rates = fill_rate([order])
    # then
    assert (rates.order_fill_rate, rates.unit_fill_rate) == (Decimal("1.0000"), Decimal("1.0000"))


def test_units_shipped_beyond_the_order_do_not_raise_the_unit_fill_rate():
    # given
    over = facts("A", units=2, shipped_units=5, first_shipment_units=5)
    short = facts("B", units=2, shipped_units=1, first_shipment_units=1)
    # when
    rates = fill_rate([over, short])
    # then
    assert (rates.units_ordered, rates.units_filled, rates.unit_fill_rate) == (
        4,
        3,
        Decimal("0.7500"),
    )
    assert (rates.orders_filled, rates.order_fill_rate) == (1, Decimal("0.5000"))


def test_an_order_half_sent_on_time_is_not_dispatched_on_time():
    # given: first parcel on the promised day, the rest three days later
    order = facts(
        "A",
        units=4,
        shipment_count=2,
        first_shipment_units=2,
        shipped_units=4,
        fully_dispatched_at=day(4),
        promised_dispatch_date=date_of(1),
    )
    # when
    rate = on_time_dispatch_rate([order])
    # then
    assert (rate.passed, rate.total) == (0, 1)


def test_orders_without_a_promised_dispatch_date_are_not_measured_for_on_time_dispatch():
    rate = on_time_dispatch_rate([facts("A"), facts("B", dispatched=None)], as_of=date_of(30))
    assert (rate.passed, rate.total, rate.rate) == (0, 0, None)


# --- empty input, percentiles, rounding --------------------------------------------------


def test_no_orders_give_no_rates_rather_than_zero():
    # when
    report = perfect_order_report([])
    rates = fill_rate([])
    times = cycle_times([])
    dispatch = on_time_dispatch_rate([])
    # then
    assert (report.orders, report.perfect, report.rate, report.failing) == (0, 0, None, ())
    assert [(c.name, c.total, c.rate) for c in report.components] == [
        (name, 0, None) for name in COMPONENTS
    ]
    assert (rates.orders, rates.order_fill_rate, rates.unit_fill_rate) == (0, None, None)
    assert times.placed_to_first_dispatch == Percentiles(0, None, None)
    assert times.placed_to_delivery == Percentiles(0, None, None)
    assert (dispatch.total, dispatch.rate) == (0, None)


def hours(*values: int) -> list[timedelta]:
    return [timedelta(hours=v) for v in values]


def test_percentiles_of_an_odd_count_take_the_middle_value():
    assert percentiles(hours(5, 1, 3)) == Percentiles(3, timedelta(hours=3), timedelta(hours=5))


def test_percentiles_of_an_even_count_take_the_lower_middle_value_and_invent_nothing():
    # given: the median by averaging would be 2h30m, which no order took
    durations = hours(4, 2, 3, 1)
    # when / then
    assert percentiles(durations) == Percentiles(4, timedelta(hours=2), timedelta(hours=4))


def test_the_90th_percentile_of_ten_values_is_the_ninth():
    assert percentiles(hours(*range(10, 0, -1))) == Percentiles(
        10, timedelta(hours=5), timedelta(hours=9)
    )


def test_one_value_is_its_own_median_and_90th_percentile():
    assert percentiles(hours(7)) == Percentiles(1, timedelta(hours=7), timedelta(hours=7))


def test_rates_have_four_places_and_round_half_up():
    assert ratio(2, 3) == Decimal("0.6667")
    assert ratio(1, 3) == Decimal("0.3333")
    assert ratio(1, 32) == Decimal("0.0313")  # 0.03125: half up, not half even
    assert ratio(3, 8) == Decimal("0.3750")
    assert ratio(0, 5) == Decimal("0.0000")
    assert ratio(5, 5) == Decimal("1.0000")
    assert ratio(0, 0) is None
    assert str(ratio(1, 2)) == "0.5000"


# --- inconsistent facts are refused ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"placed_at": datetime(2026, 3, 2, 9, 0)}, "placed_at"),
        ({"delivered_at": datetime(2026, 3, 5, 9, 0)}, "delivered_at"),
        ({"ordered_units": -1}, "ordered_units"),
        ({"document_corrections": -1}, "document_corrections"),
        ({"first_shipment_units": 2}, "first_shipment_units"),
        ({"shipment_count": 0}, "shipment_count"),
        ({"shipment_count": 1, "shipped_units": 2}, "first_shipment_units"),
    ],
)
def test_inconsistent_facts_are_refused_with_the_field_named(changes, field):
    # when
    with pytest.raises(ValidationFailed) as caught:
        facts("A", units=1, **changes)
    # then
    assert field in {f.field for f in caught.value.fields}


def test_facts_of_an_order_not_dispatched_cannot_say_it_shipped_or_arrived():
    with pytest.raises(ValidationFailed) as caught:
        facts("A", dispatched=None, shipped_units=1, delivered_at=day(3))
    assert {f.field for f in caught.value.fields} == {"shipped_units", "delivered_at"}


# --- properties --------------------------------------------------------------------------


@st.composite
def order_facts(draw: st.DrawFn) -> OrderFacts:
    number = f"SO-{draw(st.integers(1, 10**6))}"
    units = draw(st.integers(0, 20))
    shipments = draw(st.integers(0, 3))
    dispatched = day(draw(st.integers(0, 5)), draw(st.integers(0, 23))) if shipments else None
    shipped = draw(st.integers(0, 25)) if shipments else 0
    first = shipped if shipments == 1 else draw(st.integers(0, shipped))
    delivered = day(draw(st.integers(1, 15))) if shipments and draw(st.booleans()) else None
    fully = draw(st.sampled_from([dispatched, day(9)])) if shipments else None
    maybe_date = st.none() | st.integers(0, 12).map(date_of)
    return OrderFacts(
        order_id=uuid.uuid4(),
        number=number,
        placed_at=PLACED,
        ordered_units=units,
        promised_date=draw(maybe_date),
        promised_dispatch_date=draw(maybe_date),
        dispatched_at=dispatched,
        fully_dispatched_at=fully,
        delivered_at=delivered,
        shipment_count=shipments,
        shipped_units=shipped,
        first_shipment_units=first,
        backordered=draw(st.booleans()),
        short_picked=draw(st.booleans()),
        damage_reported=draw(st.booleans()),
        documents_missing=draw(st.lists(st.sampled_from(["packing_slip", "invoice"]), max_size=2)),
        document_corrections=draw(st.integers(0, 2)),
    )


def within_unit_interval(value: Decimal | None) -> bool:
    return value is None or Decimal(0) <= value <= Decimal(1)


@given(st.lists(order_facts(), max_size=30), st.none() | st.integers(0, 12).map(date_of))
def test_perfect_orders_never_outnumber_any_component_and_rates_stay_between_0_and_1(orders, as_of):
    # when
    report = perfect_order_report(orders)
    rates = fill_rate(orders)
    dispatch = on_time_dispatch_rate(orders, as_of=as_of)
    # then
    assert all(report.perfect <= c.passed <= c.total == report.orders for c in report.components)
    assert report.perfect + len(report.failing) == report.orders
    assert all(f.reasons for f in report.failing)
    assert 0 <= report.no_promise <= report.orders
    for value in (
        report.rate,
        *(c.rate for c in report.components),
        rates.order_fill_rate,
        rates.unit_fill_rate,
        dispatch.rate,
    ):
        assert within_unit_interval(value)
        assert value is None or value.as_tuple().exponent == -4
    assert rates.units_filled <= rates.units_ordered
    assert 0 <= dispatch.passed <= dispatch.total


@given(st.lists(order_facts(), max_size=20), st.randoms())
def test_the_order_of_the_input_changes_no_figure(orders, random):
    # given
    shuffled = list(orders)
    random.shuffle(shuffled)
    # when
    before, after = perfect_order_report(orders), perfect_order_report(shuffled)
    # then
    assert (before.orders, before.perfect, before.rate, before.components) == (
        after.orders,
        after.perfect,
        after.rate,
        after.components,
    )
    assert set(before.failing) == set(after.failing)
    assert fill_rate(orders) == fill_rate(shuffled)
    assert cycle_times(orders) == cycle_times(shuffled)
