"""The warehouse floor and shipping in a real browser: an order allocated, picked (one
line short), packed, labelled and dispatched through the pages by a warehouse user; the
printed PDFs; tracking updates and the delivery; the shipments list; what a sales user
may not do (the page and the service refuse); bad quantities; a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pytest

from ordersmith.catalog.services import create_product
from ordersmith.config import BackorderPolicy
from ordersmith.errors import Forbidden
from ordersmith.fulfillment.picking import confirm_pick_list
from ordersmith.fulfillment.queries import get_pick_list
from ordersmith.orders.services import cancel_order
from ordersmith.orders.views import OrderView
from ordersmith.shipping.queries import get_shipment
from ordersmith.staff.roles import permissions_of
from tests.browser.fulfil_flow import (
    allocate_if_waiting,
    fulfil_through_pages,
    pack_label_and_dispatch,
    pick_through_pages,
)
from tests.browser.screenshots import screenshot_dir
from tests.factories.fulfillment import confirm, make_courier, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.factories.returns import ADDRESS
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    shop = make_shop(live_server.db)
    make_courier(live_server.db)
    with live_server.db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="C-3", name="Chain", price="4.00", tax_rate="0.2")
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000})
    return shop


def screenshot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"warehouse-{name}.png"), full_page=True)


def confirmed_order(live_server: Any, shop: Any, *lines: tuple[str, int], **kw: Any) -> OrderView:
    return confirm(
        live_server.db,
        place(live_server.db, order_request(shop.cash.id, *lines, shipping_address=ADDRESS, **kw)),
    )


def waiting_for_stock(live_server: Any, shop: Any) -> OrderView:
    """A confirmed order whose 2 chains (C-3) are backordered, while 2 chains stand free
    again in MAIN (another order that held them was cancelled: nothing re-allocates)."""
    stock_up(live_server.db, {("MAIN", "C-3"): 2})
    first = confirmed_order(live_server, shop, ("C-3", 2))
    waiting = confirmed_order(
        live_server, shop, ("C-3", 2), ("A-1", 3), backorder_policy=BackorderPolicy.BACKORDER
    )
    with live_server.db.unit_of_work(actor="test") as uow:
        cancel_order(uow, order_id=first.id, reason="customer changed their mind")
    return waiting


def _click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _status(page: Any) -> str:
    return str(page.get_by_test_id("status").inner_text())


def _token(page: Any) -> str:
    return str(page.locator('meta[name="csrf-token"]').get_attribute("content"))


def test_an_order_is_allocated_picked_short_packed_labelled_and_dispatched_through_the_pages(
    page, live_server, signed_in, shop
):
    # given: a confirmed order waiting for chains that are back on the shelf
    order = waiting_for_stock(live_server, shop)
    signed_in(page, "warehouse")
    # when: the warehouse allocates it from the work queue
    page.goto(live_server.url("/warehouse?warehouse=MAIN"))
    screenshot(page, "queue")
    _click(page, f"Allocate {order.number}")
    # then
    assert page.get_by_role("status").inner_text() == "The order is allocated."
    assert order.number in page.get_by_test_id("ready").inner_text()
    # when: a pick list is made and the anvils' bin holds 2 of 3
    page.get_by_label("Orders on the pick list (at most)").fill("500")
    _click(page, "Create pick list")
    pick_list = page.locator("h1").inner_text().split()[2]
    screenshot(page, "pick-list")
    anvils = page.locator("tr[data-sequence]", has_text="A-1").get_attribute("data-sequence")
    page.get_by_label(f"Units found, line {anvils} (A-1)").fill("2")
    page.get_by_label(f"Why short, line {anvils}").fill("bin empty")
    _click(page, "Confirm pick")
    # then
    assert page.get_by_role("status").inner_text() == "The pick is confirmed."
    assert _status(page) == "completed"
    # when: packed in one box, labelled and dispatched
    shipment = pack_label_and_dispatch(page, live_server, order.number)
    # then: the shipment page shows the tracking number and the carrier's link
    assert page.url.endswith(f"/shipping/{shipment}?done=dispatch")
    assert _status(page) == "dispatched"
    tracking = page.get_by_test_id("tracking-number").inner_text()
    link = page.get_by_test_id("tracking-link").get_attribute("href")
    assert link == f"https://track.example.com/{tracking}"
    contents = page.get_by_test_id("contents").inner_text()
    assert "C-3" in contents
    assert "A-1" in contents
    screenshot(page, "shipment")
    with live_server.db.reader() as session:
        view = get_shipment(session, shipment)
        picked = get_pick_list(session, pick_list)
    assert sorted((line.sku, line.quantity) for line in view.lines) == [("A-1", 2), ("C-3", 2)]
    assert [line.picked_quantity for line in picked.lines if line.sku == "A-1"] == [2]
    # and: the order page links to its shipment and pick list
    page.goto(live_server.url(f"/orders/{order.number}"))
    links = page.get_by_test_id("fulfilment-links")
    assert shipment in links.inner_text()
    assert pick_list in links.inner_text()


def test_the_printed_documents_answer_pdf_bytes(page, live_server, signed_in, shop):
    # given: a shipment fulfilled through the pages
    order = confirmed_order(live_server, shop, ("B-2", 4))
    signed_in(page, "warehouse")
    shipment = fulfil_through_pages(page, live_server, order.number)
    with live_server.db.reader() as session:
        pick_list = get_pick_list(session, _pick_list_of(page, live_server, order.number))
    # when
    answers = [
        page.request.get(live_server.url(path))
        for path in (
            f"/warehouse/pick-lists/{pick_list.number}/pdf",
            f"/shipping/{shipment}/label.pdf",
            f"/shipping/{shipment}/packing-slip.pdf",
        )
    ]
    # then
    for answer in answers:
        assert answer.status == 200, answer.text()[:500]
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.body().startswith(b"%PDF")
    with live_server.db.reader() as session:
        assert get_shipment(session, shipment).packing_slip_printed_at is not None


def _pick_list_of(page: Any, live_server: Any, order_number: str) -> str:
    page.goto(live_server.url(f"/orders/{order_number}"))
    link = page.get_by_test_id("fulfilment-links").get_by_role("link", name="PL-")
    return str(link.first.inner_text())


def test_a_tracking_update_and_the_delivery_are_recorded_on_the_shipment_page(
    page, live_server, signed_in, shop
):
    # given: a dispatched shipment
    order = confirmed_order(live_server, shop, ("A-1", 1))
    signed_in(page, "warehouse")
    shipment = fulfil_through_pages(page, live_server, order.number)
    # when: the driver calls from the hub, then the parcel arrives
    page.get_by_label("Status").select_option("in_transit")
    page.get_by_label("Where").fill("Hub Hamburg")
    _click(page, "Record update")
    assert _status(page) == "in transit"
    _click(page, "Mark delivered")
    # then
    assert _status(page) == "delivered"
    events = page.get_by_test_id("tracking-events").inner_text()
    assert "Hub Hamburg" in events
    assert "delivered" in events
    screenshot(page, "delivered")
    page.goto(live_server.url(f"/orders/{order.number}"))
    assert _status(page) == "completed"
    assert shipment in page.get_by_test_id("fulfilment-links").inner_text()


def test_a_sales_user_sees_the_pages_but_may_not_pick_or_dispatch(
    page, live_server, signed_in, shop
):
    # given: an open pick list and a labelled shipment
    order = confirmed_order(live_server, shop, ("B-2", 2))
    worker = page
    signed_in(worker, "warehouse")
    fulfil_through_pages(worker, live_server, order.number)  # empties MAIN's queue
    ready = confirmed_order(live_server, shop, ("B-2", 3))
    pick_list = wave(live_server.db, order_ids=[ready.id])
    sales = worker.context.browser.new_context(base_url=live_server.base_url).new_page()
    signed_in(sales, "sales")
    # when: sales looks at the pages
    sales.goto(live_server.url("/warehouse?warehouse=MAIN"))
    assert sales.get_by_role("button", name="Create pick list").count() == 0
    sales.goto(live_server.url(f"/warehouse/pick-lists/{pick_list.number}"))
    assert sales.get_by_role("button", name="Confirm pick").count() == 0
    # and: forges the pick and a dispatch with its own valid token
    token = _token(sales)
    picked = sales.request.post(
        live_server.url(f"/warehouse/pick-lists/{pick_list.number}/confirm"),
        form={"csrf_token": token},
        headers={"accept": "text/html"},
    )
    # then: the not-allowed page, and nothing changed
    assert picked.status == 403
    sales.reload()
    assert _status(sales) == "open"
    # and: the service refuses the sales role too
    as_sales = live_server.db.unit_of_work(actor="staff:sales", permissions=permissions_of("sales"))
    with pytest.raises(Forbidden), as_sales as uow:
        confirm_pick_list(uow, pick_list_id=pick_list.id)
    sales.context.close()


def test_bad_quantities_show_a_message_and_change_nothing(page, live_server, signed_in, shop):
    # given: an open pick list of 5 bolts
    order = confirmed_order(live_server, shop, ("B-2", 5))
    signed_in(page, "warehouse")
    pick_list = wave(live_server.db, order_ids=[order.id])
    page.goto(live_server.url(f"/warehouse/pick-lists/{pick_list.number}"))
    field = "Units found, line 1 (B-2)"
    for typed, reason, expected in (
        ("two", "", "is not a whole number of units"),
        ("9", "", "from 0 to 5"),
        ("1", "", "line 1 is short: say why"),
    ):
        # when
        page.get_by_label(field).fill(typed)
        page.get_by_label("Why short, line 1").fill(reason)
        _click(page, "Confirm pick")
        # then
        error = page.get_by_test_id("action-error").inner_text()
        assert expected in error
        assert "validation_error" in error
        assert _status(page) == "open"
    screenshot(page, "pick-refused")
    # and: a pick list where nothing is ready is refused with its code
    page.goto(live_server.url("/warehouse?warehouse=EAST"))
    assert page.get_by_role("button", name="Create pick list").count() == 0
    answer = page.request.post(
        live_server.url("/warehouse/pick-lists"),
        form={"csrf_token": _token(page), "warehouse": "EAST", "max_orders": "5"},
        headers={"accept": "text/html"},
    )
    assert answer.status == 409
    assert "nothing_to_pick" in answer.text()


def test_goods_packed_in_two_boxes_wait_to_be_packed_again_when_the_shipment_is_cancelled(
    page, live_server, signed_in, shop
):
    # given: 9 anvils picked through the pages
    order = confirmed_order(live_server, shop, ("A-1", 9))
    signed_in(page, "warehouse")
    allocate_if_waiting(page, live_server, order.number, "MAIN")
    pick_through_pages(page, live_server, order.number, "MAIN")
    # when: packed into two boxes, 5 and 4
    page.goto(live_server.url(f"/warehouse/pack/{order.number}"))
    page.get_by_role("link", name="Use 2 boxes").click()
    page.wait_for_load_state()
    for box, units in ((1, "5"), (2, "4")):
        for measure, value in (("Weight (g)", "900"), ("Length (mm)", "300")):
            page.get_by_label(f"{measure}, box {box}").fill(value)
        page.get_by_label(f"Width (mm), box {box}").fill("200")
        page.get_by_label(f"Height (mm), box {box}").fill("100")
        page.get_by_label(f"Units of line 1 (A-1) in box {box}").fill(units)
    screenshot(page, "pack-order")
    _click(page, "Pack into 2 boxes")
    # then
    shipment = page.locator("h1").inner_text().split()[1]
    with live_server.db.reader() as session:
        view = get_shipment(session, shipment)
    assert [(line.package_no, line.quantity) for line in view.lines] == [(1, 5), (2, 4)]
    screenshot(page, "pack-shipment")
    # when: its label is asked for before it is booked
    early = page.request.get(live_server.url(f"/shipping/{shipment}/label.pdf"))
    # then
    assert early.status == 409
    assert "label_not_printed" in early.text()
    # when: the shipment is cancelled
    page.get_by_label("Why cancel (unpacks the shipment)").fill("wrong box")
    _click(page, "Cancel shipment")
    # then
    assert _status(page) == "cancelled"
    page.goto(live_server.url("/warehouse?warehouse=MAIN"))
    assert order.number in page.get_by_test_id("to-pack").inner_text()


def test_the_shipping_list_filters_and_pages(page, live_server, signed_in, shop):
    # given: two dispatched shipments of MAIN
    signed_in(page, "warehouse")
    shipped = [
        fulfil_through_pages(page, live_server, confirmed_order(live_server, shop, (sku, 6)).number)
        for sku in ("A-1", "B-2")
    ]
    # when: dispatched ones of MAIN by LOCAL, one a page
    page.goto(live_server.url("/shipping?status=dispatched&warehouse=MAIN&carrier=LOCAL&limit=1"))
    first = page.locator("#results tbody tr[data-shipment]").get_attribute("data-shipment")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    second = page.locator("#results tbody tr[data-shipment]").get_attribute("data-shipment")
    # then: newest first
    assert [first, second] == [shipped[1], shipped[0]]
    screenshot(page, "shipping-list")
    # when: a filter that cannot be read
    page.goto(live_server.url("/shipping?warehouse=NOWHERE&created_from=yesterday"))
    # then
    messages = page.locator("#results .alert").all_inner_texts()
    assert any("no warehouse 'NOWHERE'" in m for m in messages)
    assert any("is not a date" in m for m in messages)


def test_the_warehouse_page_fits_a_phone_without_scrolling_sideways(
    page, live_server, signed_in, shop
):
    # given: an order ready to pick in MAIN
    signed_in(page, "warehouse")
    order = confirmed_order(live_server, shop, ("A-1", 8))
    # when
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url("/warehouse?warehouse=MAIN"))
    # then: nothing scrolls sideways, nothing comes from another site
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)
    screenshot(page, "queue-phone")
    # when: a scanner types the order's number into the focused field and presses Enter
    assert page.evaluate("document.activeElement.id") == "scan-ref"
    page.keyboard.type(order.number)
    page.keyboard.press("Enter")
    # then: its packing page
    page.wait_for_url(f"**/warehouse/pack/{order.number}")
    assert page.locator("h1").inner_text() == f"Pack order {order.number}"
