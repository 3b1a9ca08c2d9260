"""The whole job through the pages, as the staff and the customer would do it (issue 8):
a phone order taken on the sales form, confirmed, picked, packed and shipped, then seen
with its tracking in the customer's portal and its invoice paid in the back office; and
a return asked in the portal, authorised, received and restocked by the staff."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from ordersmith.billing.queries import list_invoices
from ordersmith.customers.services import AddressInput, create_customer
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders import queries as order_queries
from ordersmith.returns.queries import ReturnFilter, list_returns
from ordersmith.shipping.queries import list_shipments
from tests.browser.fulfil_flow import fulfil_through_pages
from tests.browser.htmx_waits import wait_for_htmx, wait_for_lines
from tests.browser.screenshots import screenshot_dir
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import delivered_order
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    shop = make_shop(live_server.db)
    make_courier(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000})
    return shop


def _click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _account_customer(live_server: Any) -> Any:
    """Kim: on account (invoiced at dispatch), shipping to Hamburg by default."""
    address = AddressInput(
        kind="shipping", line1="2 Trade Street", city="Hamburg", country="DE", is_default=True
    )
    with live_server.db.unit_of_work(actor="test") as uow:
        return create_customer(
            uow,
            name="Kim Keys",
            email=f"kim-{uuid.uuid4().hex[:8]}@example.com",
            account_type="account",
            addresses=[address],
        )


def _place_phone_order(page: Any, live_server: Any, customer_number: str) -> str:
    """The sales form: the customer, 4 anvils, placed; the new order's number."""
    page.goto(live_server.url("/orders/new"))
    page.get_by_label("Find customer").fill(customer_number)
    page.keyboard.press("Enter")
    page.get_by_test_id("customer").wait_for()
    wait_for_htmx(page)  # the customer's swap settled: the product field stays filled
    page.get_by_label("Find product").fill("A-1")
    page.get_by_role("button", name="Add A-1 Anvil").click()
    wait_for_lines(page, "A-1")
    wait_for_htmx(page)
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/orders/SO-*")
    return str(page.url.rsplit("/", 1)[1])


def _on_hand(live_server: Any, sku: str) -> int:
    with live_server.db.reader() as session:
        return sum(r.on_hand for r in stock_levels(session, sku=sku) if r.warehouse == "MAIN")


def test_a_phone_order_is_shipped_through_the_pages_tracked_in_the_portal_and_paid(
    new_page, live_server, signed_in, portal_signed_in, shop
):
    # given: Kim, an account customer, and a sales user
    kim = _account_customer(live_server)
    sales = new_page()
    signed_in(sales, "sales")
    # when: the phone order is placed and confirmed on the order page
    number = _place_phone_order(sales, live_server, kim.number)
    _click(sales, "Confirm")
    assert sales.get_by_test_id("status").inner_text() == "confirmed"
    # when: the warehouse allocates, picks, packs, labels and dispatches it
    warehouse = new_page()
    signed_in(warehouse, "warehouse")
    shipment_number = fulfil_through_pages(warehouse, live_server, number)
    # then: the shipment page has the carrier's tracking link
    with live_server.db.reader() as session:
        order = order_queries.get_order(session, number)
        (shipment,) = list_shipments(session, order_id=order.id)
    assert shipment.number == shipment_number
    assert shipment.tracking_url
    # when: Kim opens the portal
    customer = new_page()
    portal_signed_in(customer, kim.number)
    customer.goto(live_server.url("/portal/orders"))
    # then: the order is there, shipped, with the same tracking link
    row = customer.locator(f'tr[data-order="{number}"]')
    assert row.get_by_test_id("tracking").get_attribute("href") == shipment.tracking_url
    customer.screenshot(path=str(screenshot_dir() / "journey-portal-tracking.png"), full_page=True)
    # when: accounting pays the invoice the dispatch raised, in full, on its page
    with live_server.db.reader() as session:
        (invoice,) = list_invoices(session, shipment_id=shipment.id)
    accounting = new_page()
    signed_in(accounting, "accounting")
    accounting.goto(live_server.url(f"/billing/invoices/{invoice.number}"))
    accounting.get_by_label("Reference").fill("BANK-4711")  # the amount offered: all due
    _click(accounting, "Record payment")
    # then: the invoice is paid, and the customer's invoices show nothing owed
    with live_server.db.reader() as session:
        (paid,) = list_invoices(session, shipment_id=shipment.id)
    assert paid.status == "paid"
    assert paid.balance == Decimal("0.00")
    customer.goto(live_server.url("/portal/invoices"))
    assert invoice.number in customer.get_by_role("main").inner_text()
    assert all(u.startswith(live_server.base_url) for u in customer.recorded.urls)


def test_a_return_asked_in_the_portal_is_authorised_received_and_restocked_by_the_staff(
    new_page, live_server, signed_in, portal_signed_in, shop
):
    # given: Bob's delivered order of 3 anvils, and Bob signed in to the portal
    order = delivered_order(live_server.db, shop.trade.id, ("A-1", 3))
    on_hand_before = _on_hand(live_server, "A-1")
    customer = new_page()
    portal_signed_in(customer, shop.trade.number)
    # when: he asks one back, as no longer needed
    customer.goto(live_server.url(f"/portal/orders/{order.number}/return"))
    customer.get_by_label("How many to return (of 3)").fill("1")
    customer.get_by_label("Why").select_option("no_longer_needed")
    _click(customer, "Request the return")
    assert customer.get_by_role("status").inner_text().startswith("Your return request is sent")
    with live_server.db.reader() as session:
        (rma,) = list_returns(session, ReturnFilter(order_id=order.id))
    # when: customer service authorises it back to MAIN
    service = new_page()
    signed_in(service, "customer_service")
    service.goto(live_server.url(f"/returns/{rma.number}"))
    service.get_by_label("Warehouse to return to").select_option("MAIN")
    _click(service, "Authorise")
    assert service.get_by_test_id("status").inner_text() == "authorised"
    # when: the warehouse receives the parcel and restocks the anvil
    goods_in = new_page()
    signed_in(goods_in, "warehouse")
    goods_in.goto(live_server.url(f"/returns/{rma.number}"))
    _click(goods_in, "Receive")
    goods_in.get_by_label("Line 1 restock").fill("1")
    _click(goods_in, "Record inspection")
    # then: the anvil is back on the shelf, and Bob sees his return move on
    assert goods_in.get_by_test_id("status").inner_text() == "inspected"
    assert _on_hand(live_server, "A-1") == on_hand_before + 1
    customer.goto(live_server.url(f"/portal/orders/{order.number}"))
    assert rma.number in customer.get_by_test_id("return").inner_text()
    assert "inspected" in customer.get_by_test_id("return").inner_text()
