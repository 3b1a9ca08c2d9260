"""Orders in a real browser: the list's filters, search and pages (live with HTMX, and as
plain forms without JavaScript), the order page with its timeline, and the actions
confirm, hold, release and cancel with their CSRF tokens and permissions."""

from __future__ import annotations

from typing import Any

import pytest

from ordersmith.customers.services import create_customer
from ordersmith.orders.models import Channel
from ordersmith.orders.services import confirm_order
from tests.browser.conftest import create_user, sign_in_through_form
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    shop = make_shop(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000})
    return shop


def new_customer(live_server: Any, name: str) -> Any:
    with live_server.db.unit_of_work(actor="test") as uow:
        return create_customer(
            uow, name=name, email=f"{name.split()[0].lower()}@example.com", account_type="account"
        )


def _rows(page: Any) -> list[str]:
    return page.locator("#results tbody tr[data-order]").evaluate_all(
        "rows => rows.map(r => r.dataset.order)"
    )


def _status(page: Any) -> str:
    return page.get_by_test_id("status").inner_text()


def test_the_list_pages_through_a_customers_orders_newest_first(page, live_server, signed_in, shop):
    # given: Pia has three orders
    pia = new_customer(live_server, "Pia Pages")
    placed = [place(live_server.db, order_request(pia.id, ("A-1", n))) for n in (1, 2, 3)]
    signed_in(page, "sales")
    # when
    page.goto(live_server.url(f"/orders?customer={pia.number}&limit=2"))
    first = _rows(page)
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    second = _rows(page)
    # then
    assert first == [placed[2].number, placed[1].number]
    assert second == [placed[0].number]
    assert page.get_by_role("link", name="Next page").count() == 0
    assert page.get_by_role("link", name="First page").count() == 1


def test_filters_refresh_the_list_live_and_keep_a_bookmarkable_url(
    page, live_server, signed_in, shop
):
    # given: Quinn's order on the web with an external ref, and one by phone
    quinn = new_customer(live_server, "Quinn Filter")
    web = place(
        live_server.db,
        order_request(quinn.id, ("B-2", 4), channel=Channel.WEB, external_ref="SHOP-4711"),
    )
    phone = place(live_server.db, order_request(quinn.id, ("B-2", 5)))
    signed_in(page, "customer_service")
    page.goto(live_server.url(f"/orders?customer={quinn.number}"))
    assert _rows(page) == [phone.number, web.number]
    # when: a channel is chosen (HTMX swaps the results, no page load)
    page.evaluate("window.notReloaded = true")
    with page.expect_response(lambda r: "channel=web" in r.url):
        page.get_by_label("Channel").select_option("web")
    page.wait_for_function("document.querySelectorAll('#results tr[data-order]').length === 1")
    # then
    assert _rows(page) == [web.number]
    assert page.evaluate("window.notReloaded") is True
    assert "channel=web" in page.url
    # and the pushed URL opened afresh shows the same list
    page.goto(page.url)
    assert _rows(page) == [web.number]
    # when: searching by external ref
    page.goto(live_server.url("/orders"))
    page.get_by_label("Search").fill("SHOP-4711")
    page.wait_for_function("document.querySelectorAll('#results tr[data-order]').length === 1")
    assert _rows(page) == [web.number]
    # when: a bad date is typed into the URL
    page.goto(live_server.url("/orders?created_from=yesterday"))
    # then: a message, not an error page
    assert "is not a date" in page.get_by_role("alert").inner_text()
    assert _rows(page) == []


def test_the_order_page_shows_lines_totals_and_the_timeline(page, live_server, signed_in, shop):
    # given
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 2), ("B-2", 7)))
    signed_in(page, "customer_service")
    # when
    page.goto(live_server.url(f"/orders/{order.number}"))
    # then
    assert _status(page) == "placed"
    assert "A-1" in page.get_by_role("region", name="Lines").inner_text()
    assert page.get_by_test_id("total").inner_text() == f"{order.total:.2f} EUR"
    timeline = page.get_by_test_id("timeline")
    assert timeline.locator('li[data-kind="history"]').count() >= 1
    assert "placed" in timeline.inner_text().lower()


def test_confirm_hold_release_and_cancel_through_the_page(page, live_server, signed_in, shop):
    # given
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 3)))
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/{order.number}"))
    # when: confirm
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    # then
    assert _status(page) == "confirmed"
    assert page.get_by_role("status").inner_text() == "The order is confirmed."
    # when: a manual hold without a note
    page.get_by_label("Hold reason").select_option("manual")
    page.get_by_role("button", name="Hold").click()
    page.wait_for_load_state()
    # then: the service's message and code, and nothing changed
    error = page.get_by_test_id("action-error").inner_text()
    assert "note must not be empty" in error
    assert "validation_error" in error
    assert _status(page) == "confirmed"
    # when: with a note
    page.get_by_label("Note (needed for a manual hold)").fill("customer checks the address")
    page.get_by_role("button", name="Hold").click()
    page.wait_for_load_state()
    assert _status(page) == "on hold"
    assert "manual" in page.get_by_test_id("hold").inner_text()
    # when: released with a reason
    page.get_by_label("Why release (required)").fill("address confirmed")
    page.get_by_role("button", name="Release").click()
    page.wait_for_load_state()
    assert _status(page) == "confirmed"
    # when: cancelled
    page.get_by_label("Cancel reason").fill("customer changed their mind")
    page.get_by_role("button", name="Cancel order").click()
    page.wait_for_load_state()
    # then: cancelled, no more actions, and the timeline tells the story
    assert _status(page) == "cancelled"
    assert page.get_by_role("region", name="Actions").count() == 0
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "customer changed their mind" in timeline
    assert "address confirmed" in timeline
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)


def test_a_role_without_orders_manage_sees_no_actions_and_its_post_is_refused(
    page, live_server, signed_in, shop
):
    # given
    order = place(live_server.db, order_request(shop.trade.id, ("B-2", 9)))
    signed_in(page, "warehouse")
    page.goto(live_server.url(f"/orders/{order.number}"))
    assert page.get_by_role("region", name="Actions").count() == 0
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # when: the warehouse user forges the cancel form, with its own valid token
    response = page.request.post(
        live_server.url(f"/orders/{order.number}/cancel"),
        form={"csrf_token": token, "reason": "forged"},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    page.reload()
    assert _status(page) == "placed"


def test_a_post_without_the_sessions_csrf_token_is_refused(page, live_server, signed_in, shop):
    # given: an admin is signed in; another site makes the browser post a cancel
    order = place(live_server.db, order_request(shop.trade.id, ("B-2", 11)))
    signed_in(page, "admin")
    # when
    response = page.request.post(
        live_server.url(f"/orders/{order.number}/cancel"),
        form={"csrf_token": "guessed", "reason": "forged"},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    assert "csrf_failed" in response.text()
    page.goto(live_server.url(f"/orders/{order.number}"))
    assert _status(page) == "placed"


def test_without_javascript_the_list_filters_and_an_order_is_confirmed(browser, live_server, shop):
    # given: a second browser with JavaScript off
    rex = new_customer(live_server, "Rex Nojs")
    order = place(live_server.db, order_request(rex.id, ("A-1", 4)))
    context = browser.new_context(base_url=live_server.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_through_form(page, live_server, create_user(live_server, "sales"))
        # when: the filter form is sent as a plain GET
        page.goto(live_server.url("/orders"))
        page.get_by_label("Customer number").fill(rex.number)
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state()
        # then
        assert f"customer={rex.number}" in page.url
        assert _rows(page) == [order.number]
        # when: the order is confirmed through its form
        page.get_by_role("link", name=order.number).click()
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        # then
        assert _status(page) == "confirmed"
    finally:
        context.close()


def test_a_user_saves_the_lists_filters_under_a_name_and_only_they_find_it_again(
    page, new_page, live_server, signed_in, shop
):
    # given: two orders of Sam, one by phone, and a sales user filtering Sam's phone orders
    sam = new_customer(live_server, "Sam Saved")
    by_phone = place(live_server.db, order_request(sam.id, ("A-1", 1)))
    place(live_server.db, order_request(sam.id, ("B-2", 2), channel=Channel.WEB))
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders?customer={sam.number}"))
    with page.expect_response(lambda r: "channel=phone" in r.url):
        page.get_by_label("Channel").select_option("phone")
    page.wait_for_function("document.querySelectorAll('#results tr[data-order]').length === 1")
    # when: the filters are saved as "Sam by phone" (the form holds the filters shown)
    page.get_by_label("Save these filters as").fill("Sam by phone")
    page.get_by_role("button", name="Save filter").click()
    page.wait_for_load_state()
    # then: back on the list, filtered; and the plain list offers the saved filter
    assert _rows(page) == [by_phone.number]
    page.goto(live_server.url("/orders"))
    page.get_by_role("link", name="Sam by phone").click()
    page.wait_for_load_state()
    assert _rows(page) == [by_phone.number]
    # and: another user does not see it
    other = new_page()
    signed_in(other, "sales")
    other.goto(live_server.url("/orders"))
    assert other.get_by_test_id("my-filter").count() == 0
    # when: its owner deletes it
    page.get_by_role("button", name="Delete saved filter Sam by phone").click()
    page.wait_for_load_state()
    # then
    assert page.get_by_test_id("my-filter").count() == 0


def test_the_order_page_offers_the_follow_ups_the_users_role_may_do(
    page, new_page, live_server, signed_in, shop
):
    # given: an order, and a customer-service and a purchasing user
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 1)))
    signed_in(page, "customer_service")
    buyer = new_page()
    signed_in(buyer, "purchasing")
    # when: both open the order page
    page.goto(live_server.url(f"/orders/{order.number}"))
    buyer.goto(live_server.url(f"/orders/{order.number}"))
    # then: customer service may ask a return or open a case for it; purchasing may not
    links = page.get_by_test_id("follow-ups")
    assert links.get_by_role("link", name="Request a return").get_attribute("href") == (
        f"/returns/new?order={order.number}"
    )
    assert links.get_by_role("link", name="Open a case").count() == 1
    assert buyer.get_by_test_id("follow-ups").count() == 0


def test_a_confirmed_order_offers_the_warehouse_its_packing_page(
    page, live_server, signed_in, shop
):
    # given: a confirmed order and a warehouse user
    order = place(live_server.db, order_request(shop.trade.id, ("B-2", 13)))
    with live_server.db.unit_of_work(actor="test") as uow:
        confirm_order(uow, order_id=order.id)
    signed_in(page, "warehouse")
    # when
    page.goto(live_server.url(f"/orders/{order.number}"))
    page.get_by_test_id("follow-ups").get_by_role("link", name="Pack and ship").click()
    page.wait_for_load_state()
    # then
    assert page.url.endswith(f"/warehouse/pack/{order.number}")
    assert order.number in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("alert").count() == 0
