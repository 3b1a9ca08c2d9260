"""The customer portal in a real browser: an invite accepted from its email link, my
orders with the status and tracking link of a shipped order, another customer's order
and invoice PDF answering 404, reorder, a return request, a case, an address, a forged
POST refused, sign out; and staff and portal sessions never opening each other's pages."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith.billing.queries import list_invoices
from ordersmith.catalog.services import create_product, update_product
from ordersmith.customer_service.queries import get_case
from ordersmith.customers.queries import list_addresses
from ordersmith.notifications.models import Communication, MessageKind
from ordersmith.orders.queries import get_order
from ordersmith.returns.queries import ReturnFilter, list_returns
from ordersmith.shipping.queries import list_shipments
from tests.browser.conftest import accept_invite_through_form, invite_to_portal
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import delivered_order
from tests.integration.conftest import make_shop

ARTEFACTS = Path(os.environ.get("ORDERSMITH_ARTEFACTS", "build/artefacts")) / "screenshots"


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    """Bob (trade account: invoiced at dispatch) has a delivered order of 3 anvils; Ann
    (cash) has one of 2 bolts and an old tool that is no longer sold."""
    shop = make_shop(live_server.db)
    make_courier(live_server.db)
    with live_server.db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="OLD-1", name="Old tool", price="9.00", tax_rate="0.2")
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000, ("MAIN", "OLD-1"): 5})
    shop.bob_order = delivered_order(live_server.db, shop.trade.id, ("A-1", 3))
    shop.ann_order = delivered_order(live_server.db, shop.cash.id, ("B-2", 2), ("OLD-1", 1))
    with live_server.db.unit_of_work(actor="test") as uow:
        update_product(uow, product="OLD-1", status="discontinued")
    return shop


def _shot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"portal-{name}.png"), full_page=True)


def _mailed_link(live_server: Any, email: str) -> str:
    with live_server.db.reader() as session:
        body = session.scalar(
            sa.select(Communication.body_text).where(
                Communication.recipient == email, Communication.kind == MessageKind.PORTAL_INVITE
            )
        )
    found = re.search(r"https?://\S+(/portal/invite/\S+)", body or "")
    assert found, body
    return found.group(1)


def test_an_invited_customer_sets_a_password_from_the_email_link_and_signs_out_and_in(
    page, live_server, shop
):
    # given Bob is invited; the email with the link is queued
    email, _ = invite_to_portal(live_server, shop.trade.number)
    path = _mailed_link(live_server, email)
    # when he follows the link, chooses a password, signs out and signs in again
    accept_invite_through_form(page, live_server, path)
    assert page.url.endswith("/portal/orders")
    (old_cookie,) = [c for c in page.context.cookies() if c["name"] == "ordersmith_portal"]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text() == "You are signed out."
    page.context.add_cookies([old_cookie])  # the signed-out session's cookie, replayed
    page.goto(live_server.url("/portal/orders"))
    assert "/portal/login" in page.url
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("browser test passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    # then he is on his orders; the used link no longer works
    assert page.get_by_role("heading", level=1).inner_text() == "My orders"
    page.goto(live_server.url(path))
    assert "This link is not valid" in page.get_by_role("alert").inner_text()


def test_my_orders_show_the_status_and_the_carriers_tracking_link(
    page, live_server, portal_signed_in, shop
):
    # given Bob is signed in to the portal
    portal_signed_in(page, shop.trade.number)
    # when he opens his orders (390 px wide, a phone)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url("/portal/orders"))
    # then his delivered order shows its status and the carrier's tracking link
    row = page.locator(f'tr[data-order="{shop.bob_order.number}"]')
    with live_server.db.reader() as session:
        (shipment,) = list_shipments(session, order_id=shop.bob_order.id)
    assert row.get_by_test_id("status").inner_text() == shop.bob_order.status.replace("_", " ")
    link = row.get_by_test_id("tracking")
    assert link.get_attribute("href") == shipment.tracking_url
    assert shipment.tracking_url.startswith("https://track.example.com/")
    assert page.locator(f'tr[data-order="{shop.ann_order.number}"]').count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert all(u.startswith(live_server.base_url) for u in page.recorded.urls)
    _shot(page, "orders")


def test_the_order_page_shows_lines_shipments_and_invoices_with_a_pdf(
    page, live_server, portal_signed_in, shop
):
    # given Bob is signed in
    portal_signed_in(page, shop.trade.number)
    # when he opens his order and downloads its invoice
    page.goto(live_server.url(f"/portal/orders/{shop.bob_order.number}"))
    with live_server.db.reader() as session:
        (invoice,) = list_invoices(session, customer_id=shop.trade.id)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download PDF of {invoice.number}").click()
    # then the page lists the anvils and the invoice; the PDF is a PDF
    assert "Anvil" in page.get_by_role("table").inner_text()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    _shot(page, "order")


def test_another_customers_order_and_invoice_pdf_answer_404(
    page, live_server, portal_signed_in, shop
):
    # given Ann (customer A) is signed in; Bob (customer B) has an order and an invoice
    portal_signed_in(page, shop.cash.number)
    with live_server.db.reader() as session:
        (invoice,) = list_invoices(session, customer_id=shop.trade.id)
    # when she types the URLs of Bob's order and of his invoice PDF
    order = page.goto(live_server.url(f"/portal/orders/{shop.bob_order.number}"))
    pdf = page.request.get(live_server.url(f"/portal/invoices/{invoice.number}.pdf"))
    unknown = page.request.get(live_server.url("/portal/orders/SO-1999-999999"))
    # then both answer 404, exactly like an order that does not exist
    assert order is not None
    assert order.status == 404
    assert "order_not_found" in page.content()
    assert pdf.status == 404
    assert unknown.status == 404
    _shot(page, "not-found")


def test_a_staff_session_does_not_open_the_portal_and_a_portal_session_not_the_back_office(
    page, new_page, live_server, signed_in, portal_signed_in, shop
):
    # given a signed-in admin and a signed-in customer, in two browsers
    signed_in(page, "admin")
    customer = new_page()
    portal_signed_in(customer, shop.trade.number)
    # when each opens the other side
    page.goto(live_server.url("/portal/orders"))
    customer.goto(live_server.url("/orders"))
    # then each is sent to the other side's sign-in page
    assert "/portal/login" in page.url
    assert "/login?next=" in customer.url
    assert "/portal" not in customer.url


def test_a_forged_post_without_the_csrf_token_is_refused(page, live_server, portal_signed_in, shop):
    # given Bob is signed in
    portal_signed_in(page, shop.trade.number)
    # when a form elsewhere posts a sign-out without his session's token
    answer = page.request.post(live_server.url("/portal/logout"), form={"csrf_token": "forged"})
    # then it is refused and he is still signed in
    assert answer.status == 403
    page.goto(live_server.url("/portal/orders"))
    assert page.get_by_role("heading", level=1).inner_text() == "My orders"


def test_forgot_password_answers_the_same_for_any_email(page, live_server, shop):
    # given the forgot-password form
    answers = []
    for email in ("bob@example.com", "nobody@example.com"):
        page.goto(live_server.url("/portal/forgot"))
        page.get_by_label("Email").fill(email)
        page.get_by_role("button", name="Email me a link").click()
        page.wait_for_load_state()
        answers.append(page.get_by_test_id("forgot-message").inner_text())
    # then both answers are the same
    assert answers[0] == answers[1]
    assert "If that email belongs to a portal account" in answers[0]
    _shot(page, "forgot")


def test_reorder_shows_a_preview_then_places_a_new_order_of_the_same_lines(
    page, live_server, portal_signed_in, shop
):
    # given Bob is signed in and looks at ordering his anvils again
    portal_signed_in(page, shop.trade.number)
    page.goto(live_server.url(f"/portal/orders/{shop.bob_order.number}/reorder"))
    preview = page.locator('tr[data-sku="A-1"]').inner_text()
    _shot(page, "reorder")
    # when he places it
    page.get_by_role("button", name="Place the order").click()
    page.wait_for_load_state()
    # then a new web order of 3 anvils is placed for him, at today's price
    number = page.get_by_role("heading", level=1).inner_text().split()[1]
    with live_server.db.reader() as session:
        placed = get_order(session, number, customer_id=shop.trade.id)
    assert number != shop.bob_order.number
    assert "3" in preview
    assert placed.channel == "web"
    assert [(line.sku, line.quantity) for line in placed.lines] == [("A-1", 3)]
    assert page.get_by_role("status").inner_text() == "Thank you: your order is placed."


def test_a_line_no_longer_sold_is_shown_as_unavailable_not_dropped(
    page, live_server, portal_signed_in, shop
):
    # given Ann's order of bolts and an old tool that is no longer sold
    portal_signed_in(page, shop.cash.number)
    # when she looks at ordering it again
    page.goto(live_server.url(f"/portal/orders/{shop.ann_order.number}/reorder"))
    # then the bolts are offered and the old tool is listed as no longer sold
    assert page.locator('tr[data-sku="B-2"]').count() == 1
    assert page.locator('tr[data-sku="OLD-1"]').count() == 0
    assert "Old tool" in page.get_by_test_id("unavailable").inner_text()
    assert "no longer sold" in page.get_by_test_id("unavailable").inner_text()


def test_a_customer_requests_a_return_and_too_many_units_are_refused_with_the_code(
    page, live_server, portal_signed_in, shop
):
    # given Bob is signed in, on the return form of his delivered order
    portal_signed_in(page, shop.trade.number)
    page.goto(live_server.url(f"/portal/orders/{shop.bob_order.number}/return"))
    # when he first asks 9 anvils back, then 1
    page.get_by_label("How many to return (of 3)").fill("9")
    page.get_by_role("button", name="Request the return").click()
    page.wait_for_load_state()
    refused = page.get_by_test_id("action-error").inner_text()
    page.get_by_label("How many to return (of 3)").fill("1")
    page.get_by_label("Why").select_option("damaged")
    page.get_by_role("button", name="Request the return").click()
    page.wait_for_load_state()
    # then the first is refused with the service's code, the second is on the order
    assert "Error code" in refused
    assert page.get_by_role("status").inner_text().startswith("Your return request is sent")
    with live_server.db.reader() as session:
        (rma,) = list_returns(session, ReturnFilter(order_id=shop.bob_order.id))
    assert rma.requested_by == "customer"
    assert rma.number in page.get_by_test_id("return").inner_text()
    _shot(page, "order-with-return")


def test_a_customer_opens_a_case_about_an_order(page, live_server, portal_signed_in, shop):
    # given Bob is signed in
    portal_signed_in(page, shop.trade.number)
    # when he asks about his order from its page
    page.goto(live_server.url(f"/portal/orders/{shop.bob_order.number}"))
    page.get_by_role("link", name="Ask about this order").click()
    page.get_by_label("About").select_option("delivery_problem")
    page.get_by_label("Subject").fill("Box was wet")
    page.get_by_label("Your message").fill("The box arrived wet, the anvils are fine.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    # then the case is listed, linked to the order, opened by the customer
    row = page.locator("tr[data-case]").filter(has_text="Box was wet")
    number = row.get_attribute("data-case")
    with live_server.db.reader() as session:
        case = get_case(session, str(number), customer_id=shop.trade.id)
    assert case.order_number == shop.bob_order.number
    assert case.opened_by == "customer"
    _shot(page, "cases")


def test_a_customer_edits_an_address_and_makes_another_the_default(
    page, live_server, portal_signed_in, shop
):
    # given Ann (one default shipping address in Berlin) is signed in
    portal_signed_in(page, shop.cash.number)
    page.goto(live_server.url("/portal/addresses"))
    # when she adds a second shipping address, then edits the first one's street
    page.get_by_label("Use it for").select_option("shipping")
    page.get_by_label("Street and number").last.fill("5 Harbour Road")
    page.locator("#new-city").fill("Hamburg")
    page.locator("#new-country").fill("DE")
    page.get_by_role("button", name="Add the address").click()
    page.wait_for_load_state()
    page.get_by_text("Edit shipping address 1").click()
    page.locator("#a1-line1").fill("2 Main St")
    page.get_by_role("button", name="Save shipping address 1").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Make default shipping address 2").click()
    page.wait_for_load_state()
    # then Hamburg is the default shipping address and Berlin's street changed
    with live_server.db.reader() as session:
        addresses = list_addresses(session, shop.cash.id)
    default = [a for a in addresses if a.is_default]
    assert [(a.city, a.line1) for a in default] == [("Hamburg", "5 Harbour Road")]
    assert ("Berlin", "2 Main St") in [(a.city, a.line1) for a in addresses]
    assert page.get_by_role("status").inner_text() == "The default address is changed."
    _shot(page, "addresses")
    # and when she opts in to news by email, the account says so
    page.goto(live_server.url("/portal/preferences"))
    page.get_by_label("Send me news and offers by email").check()
    page.get_by_role("button", name="Save preferences").click()
    page.wait_for_load_state()
    assert page.get_by_label("Send me news and offers by email").is_checked()


def test_staff_invite_a_customer_from_the_customer_page_and_the_warehouse_may_not(
    page, new_page, live_server, signed_in, shop
):
    # given customer service and a warehouse user, each signed in
    signed_in(page, "customer_service")
    warehouse = new_page()
    signed_in(warehouse, "warehouse")
    # when customer service invites Bob from his customer page
    page.goto(live_server.url(f"/customers/{shop.trade.number}"))
    page.get_by_role("button", name="Invite to the customer portal").click()
    page.wait_for_load_state()
    # and the warehouse user's page has no such button, and posting it is refused
    warehouse.goto(live_server.url(f"/customers/{shop.trade.number}"))
    buttons = warehouse.get_by_role("button", name="Invite to the customer portal").count()
    token = warehouse.locator('meta[name="csrf-token"]').get_attribute("content")
    refused = warehouse.request.post(
        live_server.url(f"/customers/{shop.trade.number}/portal-invite"),
        form={"csrf_token": token},
    )
    # then the invite is queued to Bob once
    assert "portal invite is emailed" in page.get_by_role("status").inner_text()
    assert buttons == 0
    assert refused.status == 403
    with live_server.db.reader() as session:
        sent = session.scalars(
            sa.select(Communication.recipient).where(
                Communication.kind == MessageKind.PORTAL_INVITE,
                Communication.customer_id == shop.trade.id,
                Communication.recipient == shop.trade.email,
            )
        ).all()
    assert sent == [shop.trade.email]
