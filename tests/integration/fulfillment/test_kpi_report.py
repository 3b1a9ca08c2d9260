"""The fulfilment KPIs over a week of real warehouse work (tests/factories/kpi.py).

Every order was placed on Monday 2 March 2026 at 09:00, promised to leave on Tuesday 3
and to arrive on Wednesday 4. The expected figures are worked out by hand in comments.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.errors import ValidationFailed
from ordersmith.fulfillment.kpi_facts import order_facts
from ordersmith.fulfillment.kpi_report import kpi_report
from ordersmith.fulfillment.kpis import Percentiles
from tests.conftest import make_settings
from tests.factories.fulfillment import confirm, label_and_dispatch, make_courier, pack, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.kpi import ADDRESS, SetClock, at, week_of_orders
from tests.factories.orders import order_request, place


@pytest.fixture
def settings(tmp_path, database_url):
    # several one-unit orders of one customer are no suspected duplicates here
    return make_settings(tmp_path, database_url, duplicate_window_minutes=0)


@pytest.fixture
def week(shop, monkeypatch):
    return week_of_orders(shop.db, SetClock(monkeypatch, at(2, 9)), shop.cash.id)


def _statements(db):
    """The SQL statements run on ``db``'s engine while the block runs."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    return seen, lambda: sa.event.remove(db.engine, "before_cursor_execute", count)


def test_the_report_over_march_counts_each_order_against_each_kpi(shop, week):
    # when
    statements, stop = _statements(shop.db)
    with shop.db.reader() as session:
        report = kpi_report(
            session, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), as_of=date(2026, 3, 6)
        )
    stop()
    # then: two statements for all the orders (set-based), whatever their number
    assert len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]) == 2
    # and: six orders were delivered; only "perfect" passes everything (1/6)
    perfect = report.perfect_order
    assert (perfect.orders, perfect.perfect, perfect.rate) == (6, 1, Decimal("0.1667"))
    assert [(c.name, c.passed, c.total, c.rate) for c in perfect.components] == [
        ("complete", 4, 6, Decimal("0.6667")),  # split, short
        ("on_time", 5, 6, Decimal("0.8333")),  # late
        ("damage_free", 5, 6, Decimal("0.8333")),  # damaged
        ("correct_documentation", 5, 6, Decimal("0.8333")),  # no_slip
    ]
    assert [(f.number, f.reasons) for f in perfect.failing] == [
        (week.number("late"), ("late_by_2_days",)),
        (week.number("split"), ("split_shipment",)),
        (week.number("short"), ("short_picked",)),
        (week.number("damaged"), ("damaged",)),
        (week.number("no_slip"), ("missing_packing_slip", "document_corrected")),
    ]
    assert perfect.no_promise == 0
    # fill: six dispatched; the split order's first shipment held 2 of 3 units
    fill = report.fill_rates
    assert (fill.orders, fill.orders_filled, fill.order_fill_rate) == (6, 5, Decimal("0.8333"))
    assert (fill.units_ordered, fill.units_filled, fill.unit_fill_rate) == (
        10,  # 2 + 1 + 3 + 2 + 1 + 1
        9,  # 2 + 1 + 2 + 2 + 1 + 1
        Decimal("0.9000"),
    )
    # placed -> first dispatch: 5, 25, 25, 25, 27, 48 h; median rank 3, p90 rank 6
    # placed -> delivered: 26, 49, 50, 50, 56, 99 h
    hours = timedelta(hours=1)
    assert report.cycle_times.placed_to_first_dispatch == Percentiles(6, 25 * hours, 48 * hours)
    assert report.cycle_times.placed_to_delivery == Percentiles(6, 50 * hours, 99 * hours)
    # on-time dispatch: five left by Tuesday, no_slip left on Wednesday, waiting is
    # still waiting on Friday (as_of) although due on Tuesday: 5 of 7
    dispatch = report.on_time_dispatch
    assert (dispatch.passed, dispatch.total, dispatch.rate) == (5, 7, Decimal("0.7143"))
    with shop.db.reader() as session:
        assert {k: v for k, v in run_checks(session).items() if v} == {}


def test_a_one_day_window_measures_only_what_happened_on_that_day(shop, week):
    # when: Tuesday 3 March alone
    with shop.db.reader() as session:
        report = kpi_report(
            session, date_from=date(2026, 3, 3), date_to=date(2026, 3, 3), as_of=date(2026, 3, 6)
        )
    # then: only "perfect" was delivered on Tuesday
    perfect = report.perfect_order
    assert (perfect.orders, perfect.perfect, perfect.rate, perfect.failing) == (
        1,
        1,
        Decimal("1.0000"),
        (),
    )
    # late, split, short and damaged first left on Tuesday; split held 2 of its 3 units
    fill = report.fill_rates
    assert (fill.orders, fill.orders_filled, fill.order_fill_rate) == (4, 3, Decimal("0.7500"))
    assert (fill.units_ordered, fill.units_filled, fill.unit_fill_rate) == (
        7,
        6,
        Decimal("0.8571"),
    )
    # nothing was placed on Tuesday
    assert report.cycle_times.placed_to_first_dispatch == Percentiles(0, None, None)
    # the same four were fully dispatched on time; waiting was due on Tuesday: 4 of 5
    dispatch = report.on_time_dispatch
    assert (dispatch.passed, dispatch.total, dispatch.rate) == (4, 5, Decimal("0.8000"))


def test_the_facts_of_each_order_come_from_its_shipments_lines_and_incidents(shop, week):
    # when: placed on Monday; delivered on Wednesday
    with shop.db.reader() as session:
        placed = order_facts(session, placed_from=at(2, 0), placed_to=at(3, 0))
        delivered = order_facts(session, delivered_from=at(4, 0), delivered_to=at(5, 0))
    # then: the cancelled order is not measured
    facts = {f.number: f for f in placed}
    assert set(facts) == {week.number(n) for n in week.orders} - {week.number("cancelled")}
    split = facts[week.number("split")]
    assert (split.ordered_units, split.shipment_count, split.shipped_units) == (3, 2, 3)
    assert split.first_shipment_units == 2
    assert (split.dispatched_at, split.fully_dispatched_at) == (at(3, 10), at(3, 16))
    assert split.delivered_at == at(4, 11)  # the last of its two deliveries
    assert (split.promised_dispatch_date, split.promised_date) == (
        date(2026, 3, 3),
        date(2026, 3, 4),
    )
    short = facts[week.number("short")]
    assert (short.short_picked, short.backordered, short.shipment_count) == (True, False, 1)
    no_slip = facts[week.number("no_slip")]
    assert (no_slip.documents_missing, no_slip.document_corrections) == (("packing_slip",), 1)
    assert facts[week.number("damaged")].damage_reported
    waiting = facts[week.number("waiting")]
    assert (waiting.dispatched_at, waiting.shipment_count, waiting.delivered_at) == (None, 0, None)
    # the orders delivered on Wednesday ("perfect" arrived on Tuesday, "late" on Friday)
    assert [f.number for f in delivered] == [
        week.number(n) for n in ("split", "short", "damaged", "no_slip")
    ]


@pytest.mark.parametrize(
    ("date_from", "date_to", "code", "field"),
    [
        (date(2026, 3, 5), date(2026, 3, 4), "validation_error", "from"),
        (date(2025, 1, 1), date(2026, 1, 2), "window_too_long", "to"),
    ],
)
def test_a_window_that_ends_before_it_starts_or_is_too_long_is_refused(
    db, date_from, date_to, code, field
):
    # when
    with pytest.raises(ValidationFailed) as refused, db.reader() as session:
        kpi_report(session, date_from=date_from, date_to=date_to, as_of=date(2026, 3, 6))
    # then
    assert refused.value.code == code
    assert [f.field for f in refused.value.fields] == [field]


def test_a_year_of_366_days_is_allowed_and_an_empty_window_measures_nothing(db):
    # when
    with db.reader() as session:
        report = kpi_report(
            session, date_from=date(2024, 1, 1), date_to=date(2024, 12, 31), as_of=date(2025, 1, 1)
        )
    # then
    assert (report.perfect_order.orders, report.perfect_order.rate) == (0, None)
    assert (report.fill_rates.orders, report.on_time_dispatch.total) == (0, 0)


def test_only_stocked_lines_count_and_an_order_of_services_alone_is_not_measured(shop):
    # given: 3 anvils and an assembly service, dispatched; and an order of services only
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    mixed = confirm(
        shop.db,
        place(
            shop.db, order_request(shop.cash.id, ("A-1", 3), ("SVC", 1), shipping_address=ADDRESS)
        ),
    )
    confirm(shop.db, place(shop.db, order_request(shop.trade.id, ("SVC", 2))))
    pick(shop.db, wave(shop.db))
    label_and_dispatch(shop.db, pack(shop.db, mixed).id)
    # when
    with shop.db.reader() as session:
        facts = order_facts(session)
    # then
    assert [
        (f.number, f.ordered_units, f.shipped_units, f.first_shipment_units) for f in facts
    ] == [(mixed.number, 3, 3, 3)]


def test_a_shipment_no_invoice_bills_leaves_its_order_without_correct_documentation(shop):
    # given: a cash order shipped before anyone invoiced it (payment not required first),
    # and an account customer's order, invoiced by its dispatch (one invoice per shipment)
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    unbilled = confirm(
        shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 1), shipping_address=ADDRESS))
    )
    billed = confirm(
        shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 2), shipping_address=ADDRESS))
    )
    pick(shop.db, wave(shop.db))
    for order in (unbilled, billed):
        label_and_dispatch(shop.db, pack(shop.db, order).id)
    # when
    with shop.db.reader() as session:
        facts = {f.number: f for f in order_facts(session)}
    # then: the slips were never printed either (label_and_dispatch prints none)
    assert facts[unbilled.number].documents_missing == ("invoice", "packing_slip")
    assert facts[billed.number].documents_missing == ("packing_slip",)
