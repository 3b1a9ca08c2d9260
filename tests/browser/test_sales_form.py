"""The sales form in a real browser: phone and in-person orders for an existing or a new
customer, by keyboard alone, with the customer's prices and running totals, once per
form however often it is sent, with a duplicate warning, without JavaScript, and refused
to forged posts and to roles that may not create orders."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest

from ordersmith.catalog.price_lists import PriceItemInput
from ordersmith.customers.services import create_customer
from ordersmith.orders import queries
from ordersmith.orders.views import OrderSummary
from tests.browser.conftest import create_user, sign_in_through_form
from tests.browser.htmx_waits import wait_for_focus, wait_for_htmx, wait_for_lines
from tests.factories.catalog import make_price_list
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    """A-1 (12.50, 20% tax) and B-2 (0.35): 50 and 500 in MAIN, 5 more A-1 in EAST; the
    wholesale group pays 10.00 for A-1 from 3 units."""
    shop = make_shop(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 50, ("MAIN", "B-2"): 500, ("EAST", "A-1"): 5})
    with live_server.db.unit_of_work(actor="test") as uow:
        make_price_list(
            uow, items=[PriceItemInput(sku="A-1", price=Decimal("10.00"), min_quantity=3)]
        )
    return shop


def new_customer(live_server: Any, name: str, group: str = "retail") -> Any:
    with live_server.db.unit_of_work(actor="test") as uow:
        return create_customer(
            uow,
            name=name,
            email=f"{uuid.uuid4().hex[:10]}@example.com",
            account_type="account",
            customer_group=group,
        )


def orders_of(live_server: Any, customer_id: uuid.UUID) -> list[OrderSummary]:
    with live_server.db.reader() as session:
        return queries.list_orders(session, queries.OrderFilter(customer_id=customer_id))


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def tab_to(page: Any, element_id: str, limit: int = 60) -> None:
    """Press Tab until ``element_id`` has the focus (keyboard only)."""
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}; focus is on #{focused_id(page)}")


def form_body(page: Any, **extra: str) -> str:
    """The sales form's fields as the browser would post them, plus ``extra``."""
    body = page.evaluate(
        "() => new URLSearchParams(new FormData(document.getElementById('sales-form'))).toString()"
    )
    return str(body) + ("&" + urlencode(extra) if extra else "")


def post_form(page: Any, live_server: Any, body: str) -> Any:
    return page.request.post(
        live_server.url("/orders/new"),
        data=body,
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
        max_redirects=0,
    )


def test_a_phone_order_for_an_existing_customer_is_placed_with_the_keyboard_alone(
    page, live_server, signed_in, shop
):
    # given: Kim, a wholesale customer, and a sales user on the form
    kim = new_customer(live_server, "Kim Keys", group="wholesale")
    signed_in(page, "sales")
    page.goto(live_server.url("/orders"))
    page.get_by_test_id("new-order").click()
    page.wait_for_load_state()
    assert focused_id(page) == "f-customer_q"
    # when: the customer's number, Enter; a SKU, Tab, a quantity, Enter; twice
    page.keyboard.type(kim.number)
    page.keyboard.press("Enter")
    page.get_by_test_id("customer").wait_for()
    wait_for_focus(page, "f-product_q")
    page.keyboard.type("A-1")
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    wait_for_lines(page, "A-1")
    wait_for_focus(page, "f-product_q")
    page.keyboard.type("bolt")  # the start of the name
    page.keyboard.press("Tab")
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    wait_for_lines(page, "A-1", "B-2")
    preview = page.get_by_test_id("total").inner_text()
    tab_to(page, "f-place")
    page.keyboard.press("Enter")
    page.wait_for_url("**/orders/SO-*")
    # then: one phone order with the two lines at the wholesale price of A-1
    (order,) = orders_of(live_server, kim.id)
    assert order.channel == "phone"
    lines = page.get_by_role("region", name="Lines").inner_text()
    assert "A-1" in lines
    assert "B-2" in lines
    assert order.total == Decimal("52.20")  # (4 x 10.00 + 10 x 0.35) x 1.2
    assert preview == "52.20 EUR"
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)


def test_a_customer_created_on_the_form_is_chosen_and_gets_the_in_person_order(
    page, live_server, signed_in, shop
):
    # given
    signed_in(page, "customer_service")
    page.goto(live_server.url("/orders/new"))
    # when: a cash customer is created with a bad e-mail, then a good one
    page.get_by_text("Or create a cash customer").click()
    page.get_by_label("Name").fill("Nia Newcomer")
    page.get_by_label("E-mail").fill("not-an-email")
    page.get_by_role("button", name="Create customer").click()
    # then: the message is next to the field
    assert "valid email" in page.get_by_test_id("error-qc_email").inner_text()
    wait_for_focus(page, "f-qc_name")  # the form came back, focus on its first field
    # when
    page.get_by_label("E-mail").fill(f"nia-{uuid.uuid4().hex[:6]}@example.com")
    page.get_by_label("Phone number").fill("+49 30 1234567")
    page.get_by_label("Shipping address").fill("2 Side St")
    page.get_by_label("City").fill("Hamburg")
    page.get_by_label("Country (2 letters)").fill("DE")
    page.get_by_role("button", name="Create customer").click()
    page.get_by_test_id("customer").wait_for()
    wait_for_focus(page, "f-product_q")
    assert "Nia Newcomer" in page.get_by_test_id("customer").inner_text()
    page.get_by_label("Find product").fill("A-")
    page.get_by_role("button", name="Add A-1 Anvil").click()
    wait_for_lines(page, "A-1")
    wait_for_htmx(page)
    page.get_by_label("in person").check()
    page.get_by_label("External reference (optional)").fill("TILL-7")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/orders/SO-*")
    # then
    assert "Nia Newcomer" in page.get_by_role("region", name="Order").inner_text()
    assert "in person · ref TILL-7" in page.get_by_role("region", name="Order").inner_text()


def test_the_previewed_total_is_the_placed_orders_total(page, live_server, signed_in, shop):
    # given: a wholesale customer, three units (the price list's break) and some bolts
    lea = new_customer(live_server, "Lea Preview", group="wholesale")
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/new?customer={lea.number}"))
    page.get_by_label("SKU, line 1").fill("A-1")
    page.get_by_label("Quantity, line 1").fill("3")
    page.get_by_label("SKU, line 2").fill("B-2")
    page.get_by_label("Quantity, line 2").fill("7")
    page.get_by_label("Quantity, line 2").press("Tab")  # a change recalculates (HTMX)
    page.wait_for_function(  # the last recalculation is in: 3 anvils and 7 bolts
        "document.querySelector('[data-testid=total]')?.innerText.trim() === '38.94 EUR'"
    )
    wait_for_htmx(page)
    preview = page.get_by_test_id("total").inner_text()
    # when
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/orders/SO-*")
    # then
    assert page.get_by_test_id("total").inner_text() == preview
    (order,) = orders_of(live_server, lea.id)
    assert f"{order.total:.2f} EUR" == preview == "38.94 EUR"  # (30.00 + 2.45) x 1.2


def test_sending_the_same_form_twice_places_one_order(page, live_server, signed_in, shop):
    # given: a filled form
    max_ = new_customer(live_server, "Max Twice")
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/new?customer={max_.number}"))
    page.get_by_label("SKU, line 1").fill("B-2")
    page.get_by_label("Quantity, line 1").fill("2")
    body = form_body(page, intent="place")
    # when: it is sent twice (a double click, a reload after the answer got lost)
    first = post_form(page, live_server, body)
    second = post_form(page, live_server, body)
    # then: both answers lead to the one order
    assert first.status == second.status == 303
    assert first.headers["location"] == second.headers["location"]
    (order,) = orders_of(live_server, max_.id)
    assert first.headers["location"] == f"/orders/{order.number}"


def test_a_suspected_duplicate_is_placed_only_once_confirmed(page, live_server, signed_in, shop):
    # given: Dora ordered 4 A-1 minutes ago
    dora = new_customer(live_server, "Dora Dup")
    earlier = place(live_server.db, order_request(dora.id, ("A-1", 4)))
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/new?customer={dora.number}"))
    # when: the same lines are entered and placed without confirming
    page.get_by_label("SKU, line 1").fill("A-1")
    page.get_by_label("Quantity, line 1").fill("4")
    page.get_by_role("button", name="Place order").click()
    # then: the warning names the earlier order, and nothing was placed
    warning = page.get_by_test_id("duplicate-warning")
    warning.wait_for()
    assert earlier.number in warning.inner_text()
    assert len(orders_of(live_server, dora.id)) == 1
    # when: confirmed
    page.get_by_label("This is not a duplicate: place it anyway").check()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/orders/SO-*")
    # then: placed, and held for review as the rule says
    assert len(orders_of(live_server, dora.id)) == 2
    assert "suspected duplicate" in page.get_by_test_id("hold").inner_text()


def test_errors_show_next_to_their_lines_and_nothing_is_placed(page, live_server, signed_in, shop):
    # given
    ed = new_customer(live_server, "Ed Errors")
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/new?customer={ed.number}"))
    # when: an unknown SKU
    page.get_by_label("SKU, line 1").fill("NOPE-9")
    page.get_by_role("button", name="Place order").click()
    # then
    page.get_by_test_id("row-error").wait_for()
    assert page.get_by_test_id("row-error").inner_text() == "unknown SKU"
    wait_for_focus(page, "f-place")
    # when: more A-1 than there is, refused rather than backordered
    page.get_by_label("SKU, line 1").fill("A-1")
    page.get_by_label("Quantity, line 1").fill("999")
    page.get_by_label("If stock is short").select_option("reject")
    wait_for_htmx(page)
    page.get_by_role("button", name="Place order").click()
    # then
    page.wait_for_function(
        "document.querySelector('[data-testid=row-error]')?.innerText.startsWith('only')"
    )
    assert "insufficient_stock" in page.get_by_test_id("form-error").inner_text()
    assert orders_of(live_server, ed.id) == []


def test_without_javascript_an_order_is_placed_with_the_plain_form(browser, live_server, shop):
    # given: a browser with JavaScript off
    jo = new_customer(live_server, "Jo Nojs")
    context = browser.new_context(base_url=live_server.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_through_form(page, live_server, create_user(live_server, "sales"))
        page.goto(live_server.url("/orders/new"))
        # when: the customer is found and chosen, two rows filled, recalculated, placed
        page.get_by_label("Find customer").fill(jo.number)
        page.get_by_role("button", name="Find customer").click()
        page.get_by_role("button", name=f"Choose Jo Nojs ({jo.number})").click()
        page.get_by_label("SKU, line 1").fill("A-1")
        page.get_by_label("Quantity, line 1").fill("2")
        page.get_by_label("SKU, line 2").fill("B-2")
        page.get_by_label("Quantity, line 2").fill("5")
        page.get_by_role("button", name="Recalculate").click()
        assert page.get_by_test_id("total").inner_text() == "32.10 EUR"  # (25 + 1.75) x 1.2
        page.get_by_role("button", name="Place order").click()
        page.wait_for_url("**/orders/SO-*")
        # then
        (order,) = orders_of(live_server, jo.id)
        assert order.total == Decimal("32.10")
    finally:
        context.close()


def test_a_post_without_the_sessions_csrf_token_places_nothing(page, live_server, signed_in, shop):
    # given
    fay = new_customer(live_server, "Fay Forged")
    signed_in(page, "admin")
    # when: another site makes the browser post a placement
    response = page.request.post(
        live_server.url("/orders/new"),
        form={"customer": fay.number, "sku": "A-1", "qty": "1", "intent": "place"},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    assert "csrf_failed" in response.text()
    assert orders_of(live_server, fay.id) == []


def test_a_warehouse_user_can_neither_open_the_form_nor_post_it(page, live_server, signed_in, shop):
    # given
    gus = new_customer(live_server, "Gus Guarded")
    signed_in(page, "warehouse")
    page.goto(live_server.url("/orders"))
    assert page.get_by_test_id("new-order").count() == 0
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # when
    opened = page.goto(live_server.url("/orders/new"))
    posted = page.request.post(
        live_server.url("/orders/new"),
        form={
            "csrf_token": token,
            "customer": gus.number,
            "sku": "A-1",
            "qty": "1",
            "intent": "place",
            "form_token": "a" * 24,
        },
        headers={"accept": "text/html"},
    )
    # then
    assert opened.status == 403
    assert posted.status == 403
    assert orders_of(live_server, gus.id) == []
