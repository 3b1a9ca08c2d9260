"""Weekly demand per SKU and warehouse from the order history, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.catalog.queries import product_id_for_sku
from ordersmith.config import BackorderPolicy
from ordersmith.forecasting.demand import last_complete_week, monday_of, weekly_demand
from ordersmith.orders.history_import import (
    HistoricalLine,
    HistoricalOrder,
    import_historical_orders,
)
from ordersmith.orders.models import Channel
from ordersmith.orders.requests import LineRequest, PlaceOrder
from ordersmith.orders.services import cancel_order
from ordersmith.orders.status import OrderStatus
from tests.conftest import make_settings
from tests.factories.forecasting import LAST_WEEK, TODAY, tuesday_of
from tests.factories.fulfillment import confirm
from tests.factories.inventory import make_warehouse, stock_up
from tests.factories.kpi import SetClock
from tests.factories.orders import order_request, place

FEB_2 = date(2026, 2, 2)
BACKORDER = BackorderPolicy.BACKORDER


@pytest.fixture
def settings(tmp_path, database_url):
    # orders of one customer close together are no suspected duplicates here
    return make_settings(tmp_path, database_url, duplicate_window_minutes=0)


@pytest.fixture
def clock_(monkeypatch):
    return SetClock(monkeypatch, TODAY)


def historical(customer_id, ref, at, lines, status=OrderStatus.COMPLETED):
    return HistoricalOrder(
        customer_id=customer_id,
        channel=Channel.IMPORT,
        external_ref=ref,
        created_at=at,
        status=status,
        lines=[HistoricalLine(sku, qty, Decimal("1.00")) for sku, qty in lines],
    )


def read(db, first_week=FEB_2, **filters):
    with db.reader() as session:
        return weekly_demand(session, first_week=first_week, last_week=LAST_WEEK, **filters)


def at(day: int, hour: int, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def test_the_last_complete_week_is_the_one_before_the_current_iso_week():
    assert last_complete_week(date(2026, 3, 4)) == date(2026, 2, 23)  # a Wednesday
    assert last_complete_week(date(2026, 3, 2)) == date(2026, 2, 23)  # a Monday
    assert last_complete_week(date(2026, 3, 1)) == date(2026, 2, 16)  # a Sunday
    assert monday_of(date(2026, 3, 8)) == date(2026, 3, 2)


def test_weekly_demand_counts_what_was_ordered_backorders_included_and_leaves_out_the_rest(
    shop, clock_
):
    # given imported history: week of 2 Feb 3 + 2 units (the 2 late on Sunday night),
    # a cancelled order in the week of 16 Feb, an unstocked service in the week of 9 Feb
    cash = shop.cash.id
    with shop.db.unit_of_work(actor="test") as uow:
        import_historical_orders(
            uow,
            [
                historical(cash, "h1", tuesday_of(FEB_2), [("A-1", 3)]),
                historical(cash, "h2", at(8, 23), [("A-1", 2)]),
                historical(cash, "h3", at(9, 10), [("SVC", 4)]),
                historical(cash, "h4", at(17, 10), [("A-1", 7)], status=OrderStatus.CANCELLED),
            ],
        )
    # and live orders in the week of 23 Feb: 8 of A-1 with only 5 in stock (3 backordered)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    clock_.set(at(24, 10))
    backordered = place(shop.db, order_request(cash, ("A-1", 8), backorder_policy=BACKORDER))
    confirm(shop.db, backordered)
    # and 2 of B-2 pinned to EAST, which has none (placed, not confirmed)
    clock_.set(at(25, 10))
    pinned = LineRequest(sku="B-2", quantity=2, warehouse="EAST")
    place(
        shop.db,
        PlaceOrder(cash, Channel.PHONE, lines=[pinned], backorder_policy=BACKORDER),
    )
    # and orders that are not demand: cancelled, a draft, and one in the current week
    clock_.set(at(26, 10))
    cancelled = place(shop.db, order_request(cash, ("A-1", 6), backorder_policy=BACKORDER))
    with shop.db.unit_of_work(actor="test") as uow:
        cancel_order(uow, order_id=cancelled.id, reason="changed their mind")
    clock_.set(at(27, 10))
    place(shop.db, order_request(cash, ("A-1", 9), draft=True))
    clock_.set(at(3, 10, month=3))
    place(shop.db, order_request(cash, ("A-1", 1), backorder_policy=BACKORDER))
    clock_.set(TODAY)
    # when
    series = read(shop.db)
    # then: zero-filled from each series' first week with demand to the last full week
    assert [(s.sku, s.warehouse, s.start, s.values) for s in series] == [
        ("A-1", "MAIN", FEB_2, (5, 0, 0, 8)),
        ("B-2", "EAST", LAST_WEEK, (2,)),
    ]


def test_a_line_split_over_two_warehouses_is_demand_at_each_for_its_allocated_units(shop, clock_):
    # given 2 of B-2 at MAIN and 3 at EAST, and an order for 5 confirmed last week
    stock_up(shop.db, {("MAIN", "B-2"): 2, ("EAST", "B-2"): 3})
    clock_.set(at(24, 10))
    confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("B-2", 5))))
    clock_.set(TODAY)
    # when
    series = read(shop.db)
    # then
    assert [(s.warehouse, s.values) for s in series] == [("EAST", (3,)), ("MAIN", (2,))]


def test_unallocated_demand_goes_to_the_default_warehouse_the_lowest_priority_number(shop, clock_):
    # given history without warehouses, and a new warehouse FIRST with priority 1
    with shop.db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="FIRST", priority=1)
    with shop.db.unit_of_work(actor="test") as uow:
        import_historical_orders(
            uow, [historical(shop.cash.id, "h1", tuesday_of(LAST_WEEK), [("A-1", 4)])]
        )
    # when
    series = read(shop.db)
    # then
    assert [(s.sku, s.warehouse, s.values) for s in series] == [("A-1", "FIRST", (4,))]


def test_demand_is_read_in_one_statement_and_can_be_narrowed_to_products_and_warehouses(
    shop, clock_
):
    # given history for two products over three weeks
    cash = shop.cash.id
    with shop.db.unit_of_work(actor="test") as uow:
        import_historical_orders(
            uow,
            [
                historical(cash, f"h{i}", tuesday_of(week), [("A-1", 1 + i), ("B-2", 10)])
                for i, week in enumerate([date(2026, 2, 9), date(2026, 2, 16), LAST_WEEK])
            ],
        )
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(shop.db.engine, "before_cursor_execute", count)
    # when
    everything = read(shop.db)
    sa.event.remove(shop.db.engine, "before_cursor_execute", count)
    with shop.db.reader() as session:
        a1 = product_id_for_sku(session, "A-1")
    only_a1 = read(shop.db, product_ids=[a1])
    recent = read(shop.db, first_week=LAST_WEEK)
    # then
    assert len([s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]) == 1
    assert [(s.sku, s.values) for s in everything] == [("A-1", (1, 2, 3)), ("B-2", (10, 10, 10))]
    assert [(s.sku, s.values) for s in only_a1] == [("A-1", (1, 2, 3))]
    assert [(s.sku, s.start, s.values) for s in recent] == [
        ("A-1", LAST_WEEK, (3,)),
        ("B-2", LAST_WEEK, (10,)),
    ]
