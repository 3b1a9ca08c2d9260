"""Changing an order through its page in a real browser: lines, address, date and notes as
one change set with a reason, a change made meanwhile refused, a split into a new order,
invoicing from the order page, and the roles that may not."""

from __future__ import annotations

from typing import Any

import pytest

from ordersmith.billing.queries import InvoiceFilter, list_invoices
from ordersmith.orders.queries import get_order
from tests.browser.conftest import create_user, sign_in_through_form
from tests.factories.inventory import stock_up
from tests.factories.orders import change, order_request, place
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    shop = make_shop(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000})
    return shop


def _order_now(live_server: Any, number: str) -> Any:
    with live_server.db.reader() as session:
        return get_order(session, number)


def _lines(order: Any) -> list[tuple[str, int]]:
    return [(line.sku, line.quantity) for line in order.lines]


def test_a_sales_user_changes_lines_address_and_notes_in_one_go(page, live_server, signed_in, shop):
    # given: Bob's order of 2 anvils and 5 bolts
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 2), ("B-2", 5)))
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/{order.number}"))
    # when: the anvils go up to 4, the bolts' line is cancelled and a new one of 3 bolts
    # added, the address and the notes change, with the reason the customer gave
    page.get_by_role("link", name="Change or split the order").click()
    page.get_by_label("Quantity of line 1 (A-1)").fill("4")
    page.get_by_label("Cancel line 2 (B-2)").check()
    page.get_by_label("New line 1: SKU").fill("B-2")
    page.get_by_label("New line 1: quantity").fill("3")
    page.get_by_label("Address line 1").fill("7 Dock Road")
    page.get_by_label("City").fill("Hamburg")
    page.get_by_label("Country (2 letters)").fill("DE")
    page.get_by_label("Notes", exact=True).fill("deliver to the back door")
    page.get_by_label("Reason for the change (the customer sees it)").fill("customer called")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    # then: the order page says so, and the order holds the change
    assert "The change is saved" in page.get_by_role("status").inner_text()
    now = _order_now(live_server, order.number)
    assert _lines(now) == [("A-1", 4), ("B-2", 0), ("B-2", 3)]  # a cancelled line stays at 0
    assert now.shipping_address["city"] == "Hamburg"
    assert now.notes == "deliver to the back door"
    assert now.version == order.version + 1
    assert "customer called" in page.get_by_test_id("timeline").inner_text()


def test_a_change_made_meanwhile_is_not_overwritten(page, live_server, signed_in, shop):
    # given: the change page is open, then a colleague changes the order
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 2)))
    signed_in(page, "customer_service")
    page.goto(live_server.url(f"/orders/{order.number}/edit"))
    change(live_server.db, order, quantities={1: 3}, reason="colleague")
    # when: the stale form is sent
    page.get_by_label("Quantity of line 1 (A-1)").fill("9")
    page.get_by_label("Reason for the change (the customer sees it)").fill("customer called")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    # then: the conflict is explained, the typed value kept, and the colleague's change stays
    error = page.get_by_test_id("action-error").inner_text()
    assert "order_version_conflict" in error
    assert page.get_by_label("Quantity of line 1 (A-1)").input_value() == "9"
    assert _lines(_order_now(live_server, order.number)) == [("A-1", 3)]


def test_a_quantity_that_is_not_a_number_is_refused_and_nothing_changes(
    page, live_server, signed_in, shop
):
    # given
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 2)))
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/{order.number}/edit"))
    # when
    page.get_by_label("Quantity of line 1 (A-1)").fill("lots")
    page.get_by_label("Reason for the change (the customer sees it)").fill("more please")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    # then
    error = page.get_by_test_id("action-error").inner_text()
    assert "qty-1" in error
    assert "not a whole number" in error
    assert _order_now(live_server, order.number).version == order.version


def test_units_moved_to_a_new_order_by_splitting(page, live_server, signed_in, shop):
    # given
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 5), ("B-2", 2)))
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/{order.number}/edit"))
    # when: 2 anvils go to a new order
    page.get_by_label("Units of line 1 (A-1) to move").fill("2")
    page.get_by_label("Reason for the split").fill("second delivery")
    page.get_by_role("button", name="Split order").click()
    page.wait_for_load_state()
    # then: back on the original, which names the new order
    message = page.get_by_role("status").inner_text()
    new_number = message.rsplit(" ", 1)[-1].rstrip(".")
    assert new_number != order.number
    assert _lines(_order_now(live_server, order.number)) == [("A-1", 3), ("B-2", 2)]
    assert _lines(_order_now(live_server, new_number)) == [("A-1", 2)]


def test_accounting_invoices_an_order_from_its_page_once(page, live_server, signed_in, shop):
    # given: a placed order, and an accounting user on its page
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 1)))
    signed_in(page, "accounting")
    page.goto(live_server.url(f"/orders/{order.number}"))
    assert page.get_by_role("link", name="Change or split the order").count() == 0
    # when
    page.get_by_role("button", name="Invoice what is not invoiced yet").click()
    page.wait_for_load_state()
    # then: the new invoice's page
    assert "/billing/invoices/" in page.url
    assert page.get_by_role("status").inner_text() == "The invoice is issued."
    # when: invoiced again
    page.goto(live_server.url(f"/orders/{order.number}"))
    page.get_by_role("button", name="Invoice what is not invoiced yet").click()
    page.wait_for_load_state()
    # then: refused with the reason, on the order page
    error = page.get_by_test_id("action-error").inner_text()
    assert "invoiced already" in error


def test_a_warehouse_user_may_neither_change_nor_invoice_an_order(
    page, live_server, signed_in, shop
):
    # given
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 1)))
    signed_in(page, "warehouse")
    page.goto(live_server.url(f"/orders/{order.number}"))
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # when
    edit = page.request.get(live_server.url(f"/orders/{order.number}/edit"))
    forged = [
        page.request.post(
            live_server.url(f"/orders/{order.number}/{path}"),
            form={"csrf_token": token, "qty-1": "9", "reason": "forged"},
            headers={"accept": "text/html"},
        )
        for path in ("edit", "invoice", "split")
    ]
    # then
    assert page.get_by_role("link", name="Change or split the order").count() == 0
    assert edit.status == 403
    assert [r.status for r in forged] == [403, 403, 403]
    assert _order_now(live_server, order.number).version == order.version
    with live_server.db.reader() as session:
        assert list_invoices(session, flt=InvoiceFilter(order_id=order.id)) == []


def test_the_change_page_works_without_javascript(browser, live_server, shop):
    # given: JavaScript off
    order = place(live_server.db, order_request(shop.trade.id, ("B-2", 4)))
    context = browser.new_context(base_url=live_server.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_through_form(page, live_server, create_user(live_server, "sales"))
        page.goto(live_server.url(f"/orders/{order.number}/edit"))
        # when
        page.get_by_label("Requested delivery date").fill("2027-01-15")
        page.get_by_label("Reason for the change (the customer sees it)").fill("holidays")
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_load_state()
        # then
        assert str(_order_now(live_server, order.number).requested_delivery_date) == "2027-01-15"
    finally:
        context.close()


def test_long_notes_survive_a_change_of_the_address_alone(page, live_server, signed_in, shop):
    # given: notes of 5,000 characters, longer than most form fields keep
    order = place(live_server.db, order_request(shop.trade.id, ("B-2", 6)))
    notes = "Gate code 1234. " * 312 + "Ring."
    order = change(live_server.db, order, notes=notes)
    signed_in(page, "sales")
    page.goto(live_server.url(f"/orders/{order.number}/edit"))
    # when: only the city changes
    page.get_by_label("Address line 1").fill("1 Quay")
    page.get_by_label("City").fill("Bremen")
    page.get_by_label("Country (2 letters)").fill("DE")
    page.get_by_label("Reason for the change (the customer sees it)").fill("moved")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_load_state()
    # then
    now = _order_now(live_server, order.number)
    assert now.shipping_address["city"] == "Bremen"
    assert now.notes == notes
