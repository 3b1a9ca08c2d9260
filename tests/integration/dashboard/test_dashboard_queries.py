"""The dashboard's widgets over a small shop (tests/integration/conftest.py), on both
databases: each number, and the filtered list its link leads to."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.config import BackorderPolicy
from ordersmith.dashboard import queries as dash
from ordersmith.inventory.services import set_stock_settings
from ordersmith.orders.models import Channel
from ordersmith.orders.queries import OrderFilter, list_orders, search_orders
from ordersmith.orders.services import hold_order
from ordersmith.orders.status import HoldReason, OrderStatus
from tests.conftest import make_settings
from tests.factories.billing import bill_order
from tests.factories.fulfillment import confirm
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock, at, week_of_orders
from tests.factories.orders import order_request, place


@pytest.fixture
def settings(tmp_path, database_url):
    # repeat orders of one customer are no suspected duplicates here
    return make_settings(tmp_path, database_url, duplicate_window_minutes=0)


@pytest.fixture
def busy_day(shop):
    """Today: Ann phoned twice (one order held by hand), Bob ordered on the web and waits
    for 2 Anvils; MAIN has 8 Anvils on hand and reorders at 10."""
    stock_up(shop.db, {("MAIN", "A-1"): 8, ("MAIN", "B-2"): 100})
    with shop.db.unit_of_work(actor="test") as uow:
        set_stock_settings(uow, warehouse="MAIN", sku="A-1", reorder_point=10)
    first = place(shop.db, order_request(shop.cash.id, ("A-1", 3)))
    held = place(shop.db, order_request(shop.cash.id, ("B-2", 10)))
    with shop.db.unit_of_work(actor="user:sam") as uow:
        hold_order(uow, order_id=held.id, reason=HoldReason.MANUAL, note="customer will call")
    waiting = place(
        shop.db,
        order_request(
            shop.trade.id,
            ("A-1", 7),
            channel=Channel.WEB,
            external_ref="WEB-1001",
            backorder_policy=BackorderPolicy.BACKORDER,
        ),
    )
    return {"first": first, "held": held, "waiting": waiting}


def _listed(shop, **filters):
    with shop.db.reader() as session:
        return {o.number for o in list_orders(session, OrderFilter(**filters))}


def test_todays_orders_are_counted_per_channel_with_a_link_to_that_days_list(shop, busy_day):
    # when
    with shop.db.reader() as session:
        counts = dash.orders_today(session, clock.today())
    # then
    assert [(c.key, c.count) for c in counts] == [("phone", 2), ("web", 1)]
    day = clock.today().isoformat()
    assert counts[0].link == f"/orders?channel=phone&created_from={day}&created_to={day}"


def test_open_orders_are_counted_per_status_and_holds_per_reason(shop, busy_day):
    # when
    with shop.db.reader() as session:
        open_orders = {c.key: c.count for c in dash.open_orders(session)}
        holds = dash.on_hold(session)
    # then
    assert open_orders == {"draft": 0, "placed": 2, "confirmed": 0, "on_hold": 1}
    assert [(c.key, c.count, c.link) for c in holds] == [
        ("manual", 1, "/orders?status=on_hold&hold_reason=manual")
    ]
    # and the link's filter lists exactly that order
    assert _listed(shop, status=OrderStatus.ON_HOLD, hold_reason="manual") == {
        busy_day["held"].number
    }


def test_backorders_count_orders_lines_and_units_and_lead_to_those_orders(shop, busy_day):
    # when: 8 Anvils, 3 reserved for Ann, so Bob's 7 get 5 and wait for 2
    with shop.db.reader() as session:
        waiting = dash.backorders(session)
    # then
    assert (waiting.orders, waiting.lines, waiting.units) == (1, 1, 2)
    assert waiting.link == "/orders?backordered=1"
    assert _listed(shop, backordered=True) == {busy_day["waiting"].number}


def test_a_sku_at_or_below_its_reorder_point_is_low_stock(shop, busy_day):
    # when: 0 Anvils available at MAIN, reorder point 10; Bolts have no reorder point
    with shop.db.reader() as session:
        low = dash.low_stock(session)
    # then
    assert low.count == 1
    (anvil,) = low.items
    assert (anvil.sku, anvil.warehouse, anvil.available, anvil.reorder_point) == (
        "A-1",
        "MAIN",
        0,
        10,
    )
    assert anvil.link == "/inventory/A-1"


def test_an_invoice_past_its_due_date_with_a_balance_is_overdue(shop, busy_day):
    # given: Bob's order is confirmed and invoiced on account terms
    confirm(shop.db, busy_day["waiting"])
    invoice = bill_order(shop.db, busy_day["waiting"].id)
    # when
    with shop.db.reader() as session:
        on_due_day = dash.overdue_invoices(session, invoice.due_date)
        day_after = dash.overdue_invoices(session, invoice.due_date + timedelta(days=1))
    # then
    assert on_due_day.count == 0
    assert day_after.count == 1
    assert [(a.currency, a.amount) for a in day_after.amounts] == [("EUR", invoice.total)]


def test_the_sales_trend_has_eight_weeks_ending_with_this_one(shop, busy_day):
    # when
    today = clock.today()
    with shop.db.reader() as session:
        weeks = dash.sales_trend(session, today)
    # then: the three orders are this week's; the held one counts, it is a sale
    assert len(weeks) == 8
    assert weeks[-1].week_start == today - timedelta(days=today.weekday())
    assert [w.orders for w in weeks] == [0] * 7 + [3]
    expected = sum((o.total for o in busy_day.values()), Decimal(0))
    assert [(a.currency, a.amount) for a in weeks[-1].amounts] == [("EUR", expected)]
    assert _listed(
        shop,
        created_from=dash.day_start(weeks[-1].week_start),
        created_to=dash.day_start(today + timedelta(days=1)),
    ) == {o.number for o in busy_day.values()}


def test_the_perfect_order_rate_is_given_per_week_of_deliveries(shop, monkeypatch):
    # given: the KPI week (tests/factories/kpi.py): six orders delivered 3-6 March 2026,
    # only one of them perfect
    week_of_orders(shop.db, SetClock(monkeypatch, at(2, 9)), shop.cash.id)
    # when
    with shop.db.reader() as session:
        weeks = dash.perfect_order_weeks(session, date(2026, 3, 6))
    # then
    assert [w.week_start for w in weeks][-2:] == [date(2026, 2, 23), date(2026, 3, 2)]
    assert [w.orders for w in weeks] == [0, 0, 0, 0, 0, 6]
    assert (weeks[-1].perfect, weeks[-1].rate) == (1, Decimal("0.1667"))
    assert set(weeks[-1].components) == {
        "complete",
        "on_time",
        "damage_free",
        "correct_documentation",
    }


def test_dispatches_due_count_confirmed_orders_promised_to_leave_by_today(shop, monkeypatch):
    # given: the KPI week leaves one order allocated and never picked, due on 3 March
    week = week_of_orders(shop.db, SetClock(monkeypatch, at(2, 9)), shop.cash.id)
    # when
    with shop.db.reader() as session:
        before = dash.dispatches_due(session, date(2026, 3, 2))
        due = dash.dispatches_due(session, date(2026, 3, 6))
    # then
    assert before.orders == 0
    assert due.orders == 1
    assert _listed(shop, dispatch_due=date(2026, 3, 6)) == {week.number("waiting")}


def test_the_whole_dashboard_is_a_few_statements_and_hides_what_a_role_may_not_see(shop, busy_day):
    # given
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(shop.db.engine, "before_cursor_execute", count)
    # when
    with shop.db.reader() as session:
        everything = dash.dashboard(session, clock.today())
    sa.event.remove(shop.db.engine, "before_cursor_execute", count)
    with shop.db.reader() as session:
        warehouse_view = dash.dashboard(
            session, clock.today(), allowed=frozenset({Permission.INVENTORY_READ})
        )
    # then: a fixed number of reads, whatever the data
    assert len([s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]) <= 12
    assert everything.overdue_invoices is not None
    assert everything.low_stock is not None
    assert warehouse_view.low_stock is not None
    assert warehouse_view.orders_today is None
    assert warehouse_view.overdue_invoices is None


def test_a_search_finds_orders_by_number_external_ref_customer_number_and_name(shop, busy_day):
    # when / then
    def found(text):
        with shop.db.reader() as session:
            match = search_orders(session, text)
            return {o.number for o in list_orders(session, OrderFilter(search=match))}

    assert found(busy_day["first"].number.lower()) == {busy_day["first"].number}
    assert found("WEB-1001") == {busy_day["waiting"].number}
    assert found(shop.trade.number) == {busy_day["waiting"].number}
    assert found("Ann") == {busy_day["first"].number, busy_day["held"].number}
    assert found("ann@example.com") == {busy_day["first"].number, busy_day["held"].number}
    assert found("nobody") == set()
    assert found("\x00") == set()
