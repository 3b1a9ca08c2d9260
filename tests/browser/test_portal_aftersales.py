"""The portal's after-sales pages in a real browser: my returns and a return's own page
(its status and what to do next once staff authorise it, its credit note once
resolved); a case's own page with its conversation (never an internal note) and a
reply that staff see; an empty reply or one to a closed case refused with a message;
another customer's return and case answering 404 like unknown ones."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from ordersmith.customer_service.models import Party
from ordersmith.customer_service.queries import get_case
from ordersmith.returns.labels import return_recipient
from ordersmith.returns.models import RequestedBy
from tests.browser.screenshots import screenshot_dir
from tests.factories.cases import close, make_case, note
from tests.factories.cases import resolve as resolve_case
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


def _bobs_case(live_server: Any, shop: Any, subject: str) -> Any:
    """A case customer service opened for Bob, with a question for him (emailed) that
    waits on his answer."""
    case = make_case(live_server.db, shop.trade.id, subject=subject)
    return note(live_server.db, case, "Which box was damaged?", "customer", wait=True)


def _csrf(page: Any) -> str:
    return str(page.locator('meta[name="csrf-token"]').get_attribute("content"))


def test_another_customers_return_and_case_answer_404_like_unknown_ones(
    page, live_server, portal_signed_in, shop
):
    # given Ann (customer A) is signed in; Bob (customer B) has a return and a case
    rma = _bobs_return(live_server, shop)
    case = _bobs_case(live_server, shop, "Bob's own question")
    portal_signed_in(page, shop.cash.number)
    # when she types the addresses of Bob's return and case, of unknown ones, and posts
    # a reply to Bob's case
    theirs = page.goto(live_server.url(f"/portal/returns/{rma.number}"))
    return_text = page.content()
    their_case = page.goto(live_server.url(f"/portal/cases/{case.number}"))
    case_text = page.content()
    unknown_return = page.request.get(live_server.url("/portal/returns/RMA-1999-999999"))
    unknown_case = page.request.get(live_server.url("/portal/cases/CS-1999-999999"))
    reply = page.request.post(
        live_server.url(f"/portal/cases/{case.number}/reply"),
        form={"csrf_token": _csrf(page), "body": "Ann was here"},
    )
    page.goto(live_server.url("/portal/returns"))
    # then each answers 404 like an unknown number; nothing of Bob's is listed or changed
    assert theirs is not None
    assert their_case is not None
    assert (theirs.status, their_case.status) == (404, 404)
    assert "return_not_found" in return_text
    assert "case_not_found" in case_text
    assert (unknown_return.status, unknown_case.status, reply.status) == (404, 404, 404)
    assert page.locator(f'tr[data-return="{rma.number}"]').count() == 0
    with live_server.db.reader() as session:
        assert get_case(session, case.number).note_count == case.note_count


def test_a_customer_replies_to_a_case_and_customer_service_sees_the_reply(
    new_page, live_server, signed_in, portal_signed_in, shop
):
    # given customer service asked Bob a question on a case about his order
    order = delivered_order(live_server.db, shop.trade.id, ("A-1", next(_SIZES)))
    case = make_case(live_server.db, shop.trade.id, subject="Damaged box", order_id=order.id)
    case = note(live_server.db, case, "Which box was damaged?", "customer", wait=True)
    customer = new_page()
    portal_signed_in(customer, shop.trade.number)
    # when Bob opens the case from his cases (on his phone) and replies
    customer.set_viewport_size({"width": 390, "height": 800})
    customer.goto(live_server.url("/portal/cases"))
    customer.get_by_role("link", name=case.number).click()
    customer.wait_for_load_state()
    waiting = customer.get_by_test_id("status").inner_text()
    customer.get_by_label("Your reply").fill("The second one, with the anvils.")
    _click(customer, "Send reply")
    # then his reply is in the conversation, the case is open again, and customer
    # service sees it on the case's page
    assert waiting == "waiting on customer"
    assert customer.get_by_role("status").inner_text() == "Your reply is sent."
    assert customer.get_by_test_id("status").inner_text() == "open"
    notes = customer.get_by_test_id("note")
    assert notes.last.inner_text().startswith("You")
    assert "The second one, with the anvils." in notes.last.inner_text()
    assert customer.get_by_test_id("order").inner_text() == order.number
    assert customer.evaluate("document.documentElement.scrollWidth") <= 390
    assert all(u.startswith(live_server.base_url) for u in customer.recorded.urls)
    _shot(customer, "case")
    service = new_page()
    signed_in(service, "customer_service")
    service.goto(live_server.url(f"/cases/{case.number}"))
    thread = service.get_by_test_id("thread").inner_text()
    assert "From the customer" in thread
    assert "The second one, with the anvils." in thread


def test_an_internal_note_never_appears_in_the_portal(page, live_server, portal_signed_in, shop):
    # given a case Bob opened about his order, with an internal note and an answer to him
    order = delivered_order(live_server.db, shop.trade.id, ("A-1", next(_SIZES)))
    case = make_case(
        live_server.db,
        shop.trade.id,
        subject="Late parcel",
        order_id=order.id,
        opened_by=Party.CUSTOMER,
        description="My parcel is late.",
    )
    note(live_server.db, case, "INTERNAL: courier lost it, do not admit yet")
    note(live_server.db, case, "Your parcel is on its way again.", "customer")
    portal_signed_in(page, shop.trade.number)
    # when he opens the case, his cases and the order
    seen = []
    for path in (f"/portal/cases/{case.number}", "/portal/cases", f"/portal/orders/{order.number}"):
        page.goto(live_server.url(path))
        seen.append(page.content())
    page.goto(live_server.url(f"/portal/cases/{case.number}"))
    # then his message and the answer are there; the internal note is nowhere
    bodies = page.get_by_test_id("note").all_inner_texts()
    assert len(bodies) == 2
    assert "My parcel is late." in bodies[0]
    assert "Your parcel is on its way again." in bodies[1]
    assert not any("INTERNAL" in html for html in seen)


def test_an_empty_reply_shows_a_message_and_changes_nothing(
    page, live_server, portal_signed_in, shop
):
    # given Bob on a case that waits on his answer
    case = _bobs_case(live_server, shop, "Empty reply")
    portal_signed_in(page, shop.trade.number)
    page.goto(live_server.url(f"/portal/cases/{case.number}"))
    # when he sends a reply of spaces only
    page.get_by_label("Your reply").fill("   ")
    with page.expect_response(lambda r: r.url.endswith("/reply")) as answer:
        _click(page, "Send reply")
    # then the page says what is wrong (422), and the case is as it was
    assert answer.value.status == 422
    error = page.get_by_test_id("action-error").inner_text()
    assert "body: must not be empty" in error
    assert "validation_error" in error
    with live_server.db.reader() as session:
        after = get_case(session, case.number)
    assert (after.note_count, after.status) == (case.note_count, case.status)
    _shot(page, "case-empty-reply")


def test_a_reply_to_a_closed_case_shows_the_services_message_not_an_error(
    page, live_server, portal_signed_in, shop
):
    # given Bob has the page of a case open, and customer service then closes the case
    case = _bobs_case(live_server, shop, "Closed while typing")
    portal_signed_in(page, shop.trade.number)
    page.goto(live_server.url(f"/portal/cases/{case.number}"))
    close(live_server.db, resolve_case(live_server.db, case))
    # when he sends his reply from the page he had open
    page.get_by_label("Your reply").fill("Thanks, all good now.")
    with page.expect_response(lambda r: r.url.endswith("/reply")) as answer:
        _click(page, "Send reply")
    # then the page says the case is closed (409) and offers a new question; no note
    assert answer.value.status == 409
    assert "case_closed" in page.get_by_test_id("action-error").inner_text()
    assert "ask us something new" in page.get_by_test_id("next").inner_text()
    assert page.get_by_label("Your reply").count() == 0
    with live_server.db.reader() as session:
        assert get_case(session, case.number).note_count == case.note_count
