"""The dashboard in a real browser: the numbers, the links to the filtered lists, the
charts from the vendored Chart.js, the widgets a role may see, and no JavaScript needed.

The module's server holds one small shop (arranged once, only read here): Ann phoned an
order that is held by hand, Bob ordered on the web and waits for 2 Anvils, and MAIN has
8 Anvils on hand with a reorder point of 10.
"""

from __future__ import annotations

from typing import Any

import pytest

from ordersmith.config import BackorderPolicy
from ordersmith.inventory.services import set_stock_settings
from ordersmith.orders.models import Channel
from ordersmith.orders.services import hold_order
from ordersmith.orders.status import HoldReason
from tests.browser.conftest import create_user, sign_in_through_form
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> dict[str, Any]:
    db = live_server.db
    shop = make_shop(db)
    stock_up(db, {("MAIN", "A-1"): 8, ("MAIN", "B-2"): 100})
    with db.unit_of_work(actor="test") as uow:
        set_stock_settings(uow, warehouse="MAIN", sku="A-1", reorder_point=10)
    held = place(db, order_request(shop.cash.id, ("B-2", 10)))
    with db.unit_of_work(actor="test") as uow:
        hold_order(uow, order_id=held.id, reason=HoldReason.MANUAL, note="customer will call")
    waiting = place(
        db,
        order_request(
            shop.trade.id,
            ("A-1", 10),
            channel=Channel.WEB,
            backorder_policy=BackorderPolicy.BACKORDER,
        ),
    )
    return {"held": held, "waiting": waiting}


def _widget(page: Any, name: str) -> Any:
    return page.locator(f'[data-widget="{name}"]')


def _rows(page: Any) -> list[str]:
    return page.locator("#results tbody tr[data-order]").evaluate_all(
        "rows => rows.map(r => r.dataset.order)"
    )


def test_the_dashboard_shows_todays_numbers(page, live_server, signed_in, shop):
    # given
    signed_in(page, "admin")
    # when
    page.goto(live_server.url("/dashboard"))
    # then
    today = _widget(page, "orders-today")
    assert "phone" in today.inner_text()
    assert "web" in today.inner_text()
    assert _widget(page, "backorders").locator('[data-value="units"]').inner_text() == "2"
    assert _widget(page, "low-stock").locator('[data-value="count"]').inner_text() == "1"
    assert "A-1" in _widget(page, "low-stock").inner_text()
    assert _widget(page, "overdue-invoices").locator('[data-value="count"]').inner_text() == "0"
    held_row = _widget(page, "on-hold").get_by_role("row", name="manual")
    assert held_row.get_by_role("cell").nth(1).inner_text() == "1"


def test_low_stock_and_overdue_invoices_link_to_the_stock_and_billing_pages(
    page, live_server, signed_in, shop
):
    # given
    signed_in(page, "admin")
    page.goto(live_server.url("/dashboard"))
    # when: the low SKU
    _widget(page, "low-stock").get_by_role("link", name="A-1").click()
    page.wait_for_load_state()
    # then: its stock page
    assert page.url.endswith("/inventory/A-1")
    assert page.get_by_role("heading", level=1).count() == 1
    # when: all low stock, then the overdue invoices
    page.go_back()
    _widget(page, "low-stock").get_by_role("link", name="at or below the reorder point").click()
    page.wait_for_load_state()
    assert page.url.endswith("/inventory?low=1")
    page.go_back()
    _widget(page, "overdue-invoices").get_by_role("link").click()
    page.wait_for_load_state()
    # then
    assert page.url.endswith("/billing?status=overdue")


def test_each_widget_links_to_the_filtered_list_behind_it(page, live_server, signed_in, shop):
    # given
    signed_in(page, "sales")
    page.goto(live_server.url("/dashboard"))
    # when: the manual holds
    _widget(page, "on-hold").get_by_role("link", name="manual").click()
    page.wait_for_load_state()
    # then
    assert page.url.endswith("/orders?status=on_hold&hold_reason=manual")
    assert _rows(page) == [shop["held"].number]
    # when: the backorders
    page.go_back()
    _widget(page, "backorders").get_by_role("link").click()
    page.wait_for_load_state()
    # then
    assert page.url.endswith("/orders?backordered=1")
    assert _rows(page) == [shop["waiting"].number]
    # when: today's web orders
    page.go_back()
    _widget(page, "orders-today").get_by_role("link", name="web").click()
    page.wait_for_load_state()
    # then
    assert "channel=web" in page.url
    assert _rows(page) == [shop["waiting"].number]


def test_the_charts_are_drawn_with_the_vendored_chart_js_and_nothing_leaves_the_server(
    page, live_server, signed_in, shop
):
    # given
    signed_in(page, "admin")
    # when
    page.goto(live_server.url("/dashboard"))
    page.wait_for_load_state("networkidle")
    # then: Chart.js drew on every canvas
    assert page.evaluate("typeof window.Chart") == "function"
    drawn = page.evaluate("[...document.querySelectorAll('canvas')].map(c => !!Chart.getChart(c))")
    assert drawn == [True, True, True, True]
    assert page.recorded.urls
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)


def test_a_warehouse_user_sees_stock_but_not_invoices(page, live_server, signed_in, shop):
    # given
    signed_in(page, "warehouse")
    # when
    page.goto(live_server.url("/dashboard"))
    # then
    assert _widget(page, "low-stock").count() == 1
    assert _widget(page, "dispatches-due").count() == 1
    assert _widget(page, "overdue-invoices").count() == 0


def test_without_javascript_the_numbers_are_in_tables_and_links_work(browser, live_server, shop):
    # given: a browser with JavaScript off
    context = browser.new_context(base_url=live_server.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_through_form(page, live_server, create_user(live_server, "admin"))
        # when
        page.goto(live_server.url("/dashboard"))
        # then
        statuses = _widget(page, "open-orders").get_by_role("row", name="on hold")
        assert statuses.get_by_role("cell").nth(1).inner_text() == "1"
        assert "manual" in _widget(page, "on-hold").inner_text()
        _widget(page, "on-hold").get_by_role("link", name="manual").click()
        page.wait_for_load_state()
        assert _rows(page) == [shop["held"].number]
    finally:
        context.close()
