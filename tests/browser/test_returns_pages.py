"""Returns in a real browser: the list's filters and pages, a whole return from the
request to the restock and the credit note through the pages (customer service asks and
resolves, the warehouse receives and inspects), refused actions shown as messages, and
the permissions and CSRF tokens of the forms."""

from __future__ import annotations

from typing import Any

import pytest

from ordersmith.customers.services import create_customer
from ordersmith.inventory.queries import stock_levels
from tests.browser.conftest import create_user, sign_in_through_form
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import ask, delivered_order
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    shop = make_shop(live_server.db)
    make_courier(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000})
    return shop


def _status(page: Any) -> str:
    return page.get_by_test_id("status").inner_text()


def _rows(page: Any) -> list[str]:
    return page.locator("#results tbody tr[data-return]").evaluate_all(
        "rows => rows.map(r => r.dataset.return)"
    )


def _on_hand(live_server: Any, sku: str) -> int:
    with live_server.db.reader() as session:
        return sum(r.on_hand for r in stock_levels(session, sku=sku) if r.warehouse == "MAIN")


def _click(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def test_a_return_goes_from_request_to_restock_and_credit_note_through_the_pages(
    page, new_page, live_server, signed_in, shop
):
    # given: Bob's delivered and invoiced order of 3 anvils
    order = delivered_order(live_server.db, shop.trade.id, ("A-1", 3))
    on_hand_before = _on_hand(live_server, "A-1")
    signed_in(page, "customer_service")
    # when: customer service asks 2 back from the order's returnable lines
    page.goto(live_server.url(f"/returns/new?order={order.number}"))
    page.get_by_label("Units of line 1 (A-1) to return").fill("2")
    page.get_by_label("Reason for line 1").select_option("no_longer_needed")
    _click(page, "Request the return")
    # then
    assert _status(page) == "requested"
    assert page.get_by_role("status").inner_text() == "The return is requested."
    number = page.locator("h1").inner_text().split()[1]
    # when: authorised to go back to MAIN
    page.get_by_label("Warehouse to return to").select_option("MAIN")
    _click(page, "Authorise")
    assert _status(page) == "authorised"
    # when: the warehouse receives the parcel, then decides too few units at first
    goods_in = new_page()
    signed_in(goods_in, "warehouse")
    goods_in.goto(live_server.url(f"/returns/{number}"))
    _click(goods_in, "Receive")
    assert _status(goods_in) == "received"
    goods_in.get_by_label("Line 1 restock").fill("1")
    _click(goods_in, "Record inspection")
    # then: the service's message and code, and nothing changed
    error = goods_in.get_by_test_id("action-error").inner_text()
    assert "2 received, 1 decided" in error
    assert "validation_error" in error
    assert _status(goods_in) == "received"
    assert _on_hand(live_server, "A-1") == on_hand_before
    # when: both restocked
    goods_in.get_by_label("Line 1 restock").fill("2")
    _click(goods_in, "Record inspection")
    assert _status(goods_in) == "inspected"
    assert "2 restock at MAIN" in goods_in.get_by_test_id("dispositions").inner_text()
    assert _on_hand(live_server, "A-1") == on_hand_before + 2
    # when: customer service resolves with a credit note
    page.reload()
    page.get_by_label("Resolution", exact=True).select_option("credit_note")
    _click(page, "Resolve")
    # then: resolved, credited 2 x 15.00, and the history tells the story
    assert _status(page) == "resolved"
    assert page.get_by_test_id("credited").inner_text() == "30.00 EUR"
    assert page.get_by_test_id("credit-notes").inner_text().startswith("CN-")
    assert page.get_by_role("region", name="Actions").count() == 0
    history = page.get_by_test_id("history").inner_text().lower()
    for step in ("requested", "authorised", "received", "inspected", "resolved"):
        assert f"return {step}" in history
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)


def test_the_list_filters_pages_and_reports_bad_filters(page, live_server, signed_in, shop):
    # given: Cleo has three returns, one of them of damaged goods
    with live_server.db.unit_of_work(actor="test") as uow:
        cleo = create_customer(
            uow, name="Cleo Returns", email="cleo@example.com", account_type="account"
        )
    order = delivered_order(live_server.db, cleo.id, ("A-1", 3), ("B-2", 5))
    first = ask(live_server.db, order, (1, 1, "damaged"))
    second = ask(live_server.db, order, (2, 2, "no_longer_needed"))
    third = ask(live_server.db, order, (2, 1, "other"))
    signed_in(page, "accounting")
    # when: a page of two, then the next
    page.goto(live_server.url(f"/returns?customer={cleo.number}&limit=2"))
    one = _rows(page)
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    # then
    assert one == [third.number, second.number]
    assert _rows(page) == [first.number]
    # when: the reason is chosen (HTMX swaps the results)
    page.goto(live_server.url(f"/returns?order={order.number}"))
    with page.expect_response(lambda r: "reason=damaged" in r.url):
        page.get_by_label("Reason").select_option("damaged")
    page.wait_for_function("document.querySelectorAll('#results tr[data-return]').length === 1")
    assert _rows(page) == [first.number]
    assert "reason=damaged" in page.url
    # when: a bad status is typed into the URL
    page.goto(live_server.url("/returns?status=lost"))
    # then: a message, not an error page
    assert "is not one of" in page.get_by_role("alert").inner_text()
    assert _rows(page) == []


def test_a_role_without_returns_write_sees_no_actions_and_its_post_is_refused(
    page, live_server, signed_in, shop
):
    # given: a requested return; a sales user may read returns but not decide them
    order = delivered_order(live_server.db, shop.trade.id, ("B-2", 4))
    rma = ask(live_server.db, order, (1, 4, "late"))
    signed_in(page, "sales")
    page.goto(live_server.url(f"/returns/{rma.number}"))
    assert page.get_by_role("region", name="Actions").count() == 0
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # when: the form is forged with the user's own valid token
    forged = page.request.post(
        live_server.url(f"/returns/{rma.number}/authorise"),
        form={"csrf_token": token, "warehouse": "MAIN"},
        headers={"accept": "text/html"},
    )
    # and: the request form too
    new = page.request.get(
        live_server.url(f"/returns/new?order={order.number}"), headers={"accept": "text/html"}
    )
    # then
    assert forged.status == 403
    assert new.status == 403
    page.reload()
    assert _status(page) == "requested"


def test_a_post_without_the_sessions_csrf_token_is_refused(page, live_server, signed_in, shop):
    # given
    order = delivered_order(live_server.db, shop.trade.id, ("B-2", 2))
    rma = ask(live_server.db, order, (1, 2, "late"))
    signed_in(page, "admin")
    # when
    response = page.request.post(
        live_server.url(f"/returns/{rma.number}/reject"),
        form={"csrf_token": "guessed", "reason": "forged"},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    assert "csrf_failed" in response.text()
    page.goto(live_server.url(f"/returns/{rma.number}"))
    assert _status(page) == "requested"


def test_without_javascript_a_return_is_found_and_rejected(browser, live_server, shop):
    # given: a second browser with JavaScript off
    order = delivered_order(live_server.db, shop.trade.id, ("A-1", 1))
    rma = ask(live_server.db, order, (1, 1, "other"))
    context = browser.new_context(base_url=live_server.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_through_form(page, live_server, create_user(live_server, "customer_service"))
        # when: the filter form is sent as a plain GET
        page.goto(live_server.url("/returns"))
        page.get_by_label("Order number").fill(order.number)
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state()
        assert _rows(page) == [rma.number]
        # when: rejected without a reason, then with one
        page.get_by_role("link", name=rma.number).click()
        _click(page, "Reject")
        assert "validation_error" in page.get_by_test_id("action-error").inner_text()
        assert _status(page) == "requested"
        page.get_by_label("Why reject (told to the customer)").fill("opened and used")
        _click(page, "Reject")
        # then
        assert _status(page) == "rejected"
        assert "opened and used" in page.get_by_test_id("history").inner_text()
    finally:
        context.close()
