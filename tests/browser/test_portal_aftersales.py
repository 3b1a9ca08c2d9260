"""The portal's after-sales pages in a real browser: my returns and a return's own page
(its status and what to do next once staff authorise it, its credit note once
resolved), and another customer's return answering 404 like an unknown one."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from ordersmith.returns.labels import return_recipient
from ordersmith.returns.models import RequestedBy
from tests.browser.screenshots import screenshot_dir
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import ask, authorise, delivered_order, receive, resolve, restock_all
from tests.integration.conftest import make_shop

_SIZES = itertools.count(3)


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    """Bob (trade account: invoiced at dispatch) and Ann (cash), anvils and bolts in MAIN."""
    shop = make_shop(live_server.db)
    make_courier(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000})
    return shop


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"portal-{name}.png"), full_page=True)


def _click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _bobs_return(live_server: Any, shop: Any, units: int = 1) -> Any:
    """A delivered order of anvils for Bob (a new quantity each time: an order the same
    as a recent one would be held as a duplicate), and his request to send ``units``
    back."""
    order = delivered_order(live_server.db, shop.trade.id, ("A-1", next(_SIZES)))
    return ask(
        live_server.db,
        order,
        (1, units, "damaged"),
        requested_by=RequestedBy.CUSTOMER,
        customer_id=shop.trade.id,
    )


def test_a_customer_sees_their_return_and_where_to_send_it_once_staff_authorise_it(
    new_page, live_server, signed_in, portal_signed_in, shop
):
    # given Bob asked to send one anvil back, and customer service authorises it to MAIN
    rma = _bobs_return(live_server, shop)
    service = new_page()
    signed_in(service, "customer_service")
    service.goto(live_server.url(f"/returns/{rma.number}"))
    service.get_by_label("Warehouse to return to").select_option("MAIN")
    _click(service, "Authorise")
    # when Bob, on his phone, opens his returns and then the return from its order's page
    customer = new_page()
    portal_signed_in(customer, shop.trade.number)
    customer.set_viewport_size({"width": 390, "height": 800})
    customer.goto(live_server.url("/portal/returns"))
    listed = customer.locator(f'tr[data-return="{rma.number}"]').get_by_test_id("status")
    listed_status = listed.inner_text()
    customer.goto(live_server.url(f"/portal/orders/{rma.order_number}"))
    customer.get_by_role("link", name=rma.number).click()
    customer.wait_for_load_state()
    # then the return is authorised, says where to send the parcel and under which
    # number, lists the anvil asked back, and links to its order
    with live_server.db.reader() as session:
        send_to = return_recipient(session, live_server.db.settings, rma.warehouse_id)
    next_step = customer.get_by_test_id("next").inner_text()
    assert listed_status == "authorised"
    assert customer.get_by_test_id("status").inner_text() == "authorised"
    assert "send the items back to" in next_step
    assert rma.number in next_step
    address = customer.get_by_test_id("send-to").inner_text()
    assert [send_to.name, *send_to.address_lines] == address.splitlines()
    row = customer.locator('tr[data-sku="A-1"]').inner_text()
    assert "Anvil" in row
    assert "1" in row
    assert customer.get_by_test_id("order").get_attribute("href") == (
        f"/portal/orders/{rma.order_number}"
    )
    assert customer.evaluate("document.documentElement.scrollWidth") <= 390
    assert all(u.startswith(live_server.base_url) for u in customer.recorded.urls)
    _shot(customer, "return-authorised")


def test_a_resolved_return_shows_its_credit_note_and_the_units_received(
    page, live_server, portal_signed_in, shop
):
    # given Bob's return of two anvils, authorised, received, restocked and credited
    rma = _bobs_return(live_server, shop, units=2)
    rma = resolve(
        live_server.db,
        restock_all(live_server.db, receive(live_server.db, authorise(live_server.db, rma))),
        "credit_note",
    )
    portal_signed_in(page, shop.trade.number)
    # when he opens it
    page.goto(live_server.url(f"/portal/returns/{rma.number}"))
    # then it is resolved, names its credit note and the amount, and both units arrived
    (credit_note,) = rma.credit_notes
    assert page.get_by_test_id("status").inner_text() == "resolved"
    assert page.get_by_test_id("credit-notes").inner_text() == credit_note
    assert f"we credited {rma.credited_total:.2f} {rma.currency}" in (
        page.get_by_test_id("next").inner_text()
    )
    row = page.locator('tr[data-sku="A-1"]')
    assert row.locator('td[data-label="Received"]').inner_text() == "2"
    _shot(page, "return-credited")


def test_another_customers_return_answers_404_like_an_unknown_one(
    page, live_server, portal_signed_in, shop
):
    # given Ann (customer A) is signed in; Bob (customer B) has a return
    rma = _bobs_return(live_server, shop)
    portal_signed_in(page, shop.cash.number)
    # when she types the address of Bob's return, and of one that does not exist
    theirs = page.goto(live_server.url(f"/portal/returns/{rma.number}"))
    theirs_text = page.content()
    unknown = page.request.get(live_server.url("/portal/returns/RMA-1999-999999"))
    page.goto(live_server.url("/portal/returns"))
    # then both answer 404; her returns list does not show Bob's
    assert theirs is not None
    assert theirs.status == 404
    assert "return_not_found" in theirs_text
    assert unknown.status == 404
    assert page.locator(f'tr[data-return="{rma.number}"]').count() == 0
