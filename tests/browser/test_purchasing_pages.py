"""Purchasing, replenishment and forecasts in a real browser: a suggestion approved into
a purchase order that is approved and sent, a quantity that breaks the supplier's pack
refused with the service's message, a partial receipt and an over-receipt, the list's
filters and pages, the PDF, the permissions of the forms, and the forecast chart with
its table."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest

from ordersmith import clock
from ordersmith.catalog.services import create_product
from ordersmith.customers.queries import CustomerView
from ordersmith.forecasting.demand import last_complete_week
from ordersmith.forecasting.requests import RunRequest
from ordersmith.forecasting.services import run_forecast
from ordersmith.purchasing.queries import get_purchase_order
from ordersmith.purchasing.views import SupplierView
from ordersmith.replenishment.queries import get_request
from ordersmith.replenishment.services import raise_request
from ordersmith.replenishment.views import RequestView
from tests.browser.screenshots import screenshot_dir
from tests.factories.forecasting import import_weekly_history, steady_weeks
from tests.factories.inventory import stock_up
from tests.factories.purchasing import make_po, make_supplier, sent_po, supply
from tests.integration.conftest import make_shop

_skus = itertools.count(1)


@dataclass(frozen=True)
class Store:
    cash: CustomerView
    acme: SupplierView
    boltco: SupplierView


@pytest.fixture(scope="module")
def store(live_server: Any) -> Any:
    """The order tests' shop with two suppliers: ACME sells from 50 in packs of 25,
    BOLTCO one by one."""
    db = live_server.db
    shop = make_shop(db)
    acme = make_supplier(db, code="ACME", name="Acme Anvils GmbH")
    boltco = make_supplier(db, code="BOLTCO", name="Bolt & Co")
    return Store(shop.cash, acme, boltco)


def new_sku(live_server: Any, store: Any, supplier: str = "ACME") -> str:
    """A new stocked product, supplied (preferred) by ACME (50, packs of 25) or BOLTCO."""
    sku = f"P-{next(_skus)}"
    with live_server.db.unit_of_work(actor="test") as uow:
        create_product(uow, sku=sku, name=f"Part {sku}", price="9.00")
    if supplier == "ACME":
        supply(
            live_server.db,
            store.acme,
            sku,
            "6.00",
            7,
            min_order_quantity=50,
            pack_multiple=25,
            preferred=True,
        )
    else:
        supply(live_server.db, store.boltco, sku, "2.00", 10, preferred=True)
    return sku


def suggestion(live_server: Any, sku: str, units: int = 50) -> RequestView:
    with live_server.db.unit_of_work(actor="system:replenishment") as uow:
        return raise_request(uow, warehouse="MAIN", sku=sku, quantity=units)


def request_now(live_server: Any, request: RequestView) -> RequestView:
    with live_server.db.reader() as session:
        return get_request(session, request.id)


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)


def _click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _status(page: Any) -> str:
    return page.get_by_test_id("status").inner_text()


def test_a_purchasing_user_approves_a_suggestion_into_a_purchase_order_and_sends_it(
    page, live_server, signed_in, store
):
    # given: 3 in stock, and a suggestion of 50 for a part ACME sells from 50 in packs of 25
    sku = new_sku(live_server, store)
    stock_up(live_server.db, {("MAIN", sku): 3})
    request = suggestion(live_server, sku)
    signed_in(page, "purchasing")
    # when: approved on the replenishment page, then ordered
    page.goto(live_server.url(f"/replenishment?sku={sku}"))
    row = page.locator(f'tr[data-request="{request.id}"]')
    why = row.locator(".why").inner_text()
    assert "projected position" in why
    assert "on hand, available\n3" in why
    shot(page, "replenishment-list")
    _click(page, f"Approve {sku} at MAIN")
    assert row.get_by_test_id("request-status").inner_text() == "approved"
    _click(page, "Create purchase orders from approved requests")
    # then: the list links to the purchase order made from it
    assert "Purchase orders are created" in page.get_by_role("status").inner_text()
    number = page.get_by_test_id("made").inner_text()
    assert request_now(live_server, request).document_number == number
    # when: the purchase order is opened, approved and sent by email
    page.get_by_role("link", name=number).first.click()
    page.wait_for_load_state()
    assert _status(page) == "draft"
    assert page.locator('tr[data-line="1"]').inner_text().split("\t")[1] == sku
    _click(page, "Approve")
    assert _status(page) == "approved"
    _click(page, "Send")
    # then
    assert _status(page) == "sent"
    assert page.get_by_role("status").inner_text() == "The purchase order is sent."
    history = page.get_by_test_id("history").inner_text().lower()
    assert "approved" in history
    assert "sent" in history
    shot(page, "purchasing-order")
    # and its PDF is the printed purchase order
    pdf = page.request.get(live_server.url(f"/purchasing/orders/{number}/pdf"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)


def test_a_quantity_that_breaks_the_pack_size_shows_the_services_message_and_changes_nothing(
    page, live_server, signed_in, store
):
    # given
    sku = new_sku(live_server, store)
    request = suggestion(live_server, sku)
    signed_in(page, "purchasing")
    page.goto(live_server.url(f"/replenishment?sku={sku}"))
    # when: 60 typed, which is not a whole pack of 25
    page.get_by_label(f"Quantity for {sku} at MAIN").fill("60")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        _click(page, f"Change quantity of {sku} at MAIN")
    # then: the service's message and code, the typed value kept, nothing changed
    assert answer.value.status == 422
    error = page.get_by_test_id("action-error").inner_text()
    assert "packs of 25: 60 does not fit (the next that does is 75)" in error
    assert "validation_error" in error
    assert page.get_by_label(f"Quantity for {sku} at MAIN").input_value() == "60"
    assert request_now(live_server, request).order_quantity == 50
    # when: a whole pack more
    page.get_by_label(f"Quantity for {sku} at MAIN").fill("75")
    _click(page, f"Change quantity of {sku} at MAIN")
    # then
    assert page.get_by_role("status").inner_text() == "The quantity is changed."
    assert request_now(live_server, request).order_quantity == 75


def test_the_ticked_requests_are_approved_together_and_a_rejection_needs_a_reason(
    page, live_server, signed_in, store
):
    # given: three suggestions of BOLTCO's parts
    skus = [new_sku(live_server, store, "BOLTCO") for _ in range(3)]
    first, second, third = (suggestion(live_server, sku, 5) for sku in skus)
    signed_in(page, "purchasing")
    page.goto(live_server.url("/replenishment?supplier=BOLTCO&status=open"))
    # when: two ticked and approved at once
    page.get_by_label(f"Select {skus[0]} at MAIN").check()
    page.get_by_label(f"Select {skus[1]} at MAIN").check()
    _click(page, "Approve selected")
    # then
    assert page.get_by_role("status").inner_text() == "The selected requests are approved."
    assert [request_now(live_server, r).status for r in (first, second, third)] == [
        "approved",
        "approved",
        "open",
    ]
    # when: the third is rejected without a reason, then with one
    _click(page, f"Reject {skus[2]} at MAIN")
    assert "validation_error" in page.get_by_test_id("action-error").inner_text()
    assert request_now(live_server, third).status == "open"
    page.get_by_label(f"Reason to reject {skus[2]} at MAIN").fill("discontinued")
    _click(page, f"Reject {skus[2]} at MAIN")
    # then
    assert request_now(live_server, third).reject_reason == "discontinued"


def test_receiving_part_of_a_purchase_order_shows_received_and_remaining(
    page, live_server, signed_in, store
):
    # given: 10 ordered from BOLTCO and sent
    sku = new_sku(live_server, store, "BOLTCO")
    po = sent_po(live_server.db, store.boltco, (sku, 10))
    signed_in(page, "warehouse")
    page.set_viewport_size({"width": 390, "height": 844})  # goods-in on a phone
    page.goto(live_server.url(f"/purchasing/orders/{po.number}"))
    # when: 4 arrive
    page.get_by_label(f"Line 1 {sku} received now (10 open)").fill("4")
    page.get_by_label("Delivery note (optional)").fill("DN-77")
    _click(page, "Receive")
    # then
    assert _status(page) == "partially received"
    line = page.locator('tr[data-line="1"]')
    assert line.get_by_test_id("received").inner_text() == "4"
    assert line.get_by_test_id("open").inner_text() == "6"
    assert f"4 of {sku}" in page.get_by_test_id("receipts").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "purchasing-receive")
    # when: 7 more typed, one more than still open (no tolerance)
    page.get_by_label(f"Line 1 {sku} received now (6 open)").fill("7")
    _click(page, "Receive")
    # then: refused with the service's code, nothing received
    assert "over_receipt" in page.get_by_test_id("action-error").inner_text()
    with live_server.db.reader() as session:
        assert get_purchase_order(session, po.id).lines[0].received_quantity == 4


def test_a_sales_user_gets_403_on_approve_and_a_buyer_may_not_receive(
    page, new_page, live_server, signed_in, store
):
    # given: a draft purchase order, and a sales user with a valid form token
    sku = new_sku(live_server, store, "BOLTCO")
    draft = make_po(live_server.db, store.boltco, (sku, 3))
    signed_in(page, "sales")
    page.goto(live_server.url("/dashboard"))
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # when: the sales user posts the approve form by hand
    response = page.request.post(
        live_server.url(f"/purchasing/orders/{draft.number}/approve"),
        form={"csrf_token": token},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    assert page.goto(live_server.url("/purchasing")).status == 403
    # and a buyer sees no receive form on a sent order, and the service refuses a forged one
    sent = sent_po(live_server.db, store.boltco, (sku, 3))
    buyer = new_page()
    signed_in(buyer, "purchasing")
    buyer.goto(live_server.url(f"/purchasing/orders/{sent.number}"))
    assert buyer.get_by_role("button", name="Receive").count() == 0
    token = buyer.locator('meta[name="csrf-token"]').get_attribute("content")
    forged = buyer.request.post(
        live_server.url(f"/purchasing/orders/{sent.number}/receive"),
        form={"csrf_token": token, "l1_received": "3"},
        headers={"accept": "text/html"},
    )
    assert forged.status == 403
    with live_server.db.reader() as session:
        assert get_purchase_order(session, draft.id).status == "draft"
        assert get_purchase_order(session, sent.id).lines[0].received_quantity == 0


def test_the_purchase_order_list_filters_pages_and_reports_bad_filters(
    page, live_server, signed_in, store
):
    # given: two drafts and a sent order of one part
    sku = new_sku(live_server, store, "BOLTCO")
    older = make_po(live_server.db, store.boltco, (sku, 1))
    newer = make_po(live_server.db, store.boltco, (sku, 2))
    sent = sent_po(live_server.db, store.boltco, (sku, 3))
    signed_in(page, "accounting")
    # when: the drafts of the part, a page of one
    page.goto(live_server.url(f"/purchasing?sku={sku}&status=draft&limit=1"))
    first = page.locator("tr[data-po]").get_attribute("data-po")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    second = page.locator("tr[data-po]").get_attribute("data-po")
    # then: newest first
    assert (first, second) == (newer.number, older.number)
    # when: the saved filter "Expected", narrowed to the part
    page.goto(live_server.url(f"/purchasing?sku={sku}&status=sent"))
    shot(page, "purchasing-list")
    assert page.locator("tr[data-po]").get_attribute("data-po") == sent.number
    # when: a bad date and an unknown supplier
    page.goto(live_server.url("/purchasing?created_from=yesterday&supplier=NOPE"))
    # then: said, and nothing listed
    alerts = page.get_by_role("alert").all_inner_texts()
    assert any("not a date" in a for a in alerts)
    assert any("no supplier 'NOPE'" in a for a in alerts)
    assert page.locator("tr[data-po]").count() == 0
    # and the supplier page shows its products and scorecard
    page.goto(live_server.url("/purchasing/suppliers/BOLTCO"))
    assert page.locator(f'tr[data-sku="{sku}"]').count() == 1
    assert "On-time delivery" in page.get_by_test_id("scorecard").inner_text()
    shot(page, "purchasing-supplier")


def test_the_forecast_page_draws_a_canvas_and_has_the_data_table(
    page, live_server, signed_in, store
):
    # given: 30 steady weeks of demand for a part, 70 in stock, and a forecast run
    sku = new_sku(live_server, store, "BOLTCO")
    last_week = last_complete_week(clock.today())
    import_weekly_history(live_server.db, store.cash.id, sku, steady_weeks(30), last_week=last_week)
    stock_up(live_server.db, {("MAIN", sku): 70})
    run_forecast(live_server.db, actor="test", request=RunRequest(skus=(sku,)))
    signed_in(page, "sales")
    # when: the SKU is searched on the forecasts page
    page.goto(live_server.url("/forecasts"))
    page.get_by_label("SKU", exact=True).fill(sku)
    _click(page, "Show forecast")
    # then: its page, a chart drawn on the canvas, and the same numbers in a table
    assert page.url.endswith(f"/forecasts/{sku}")
    page.wait_for_function("window.Chart && Chart.getChart('chart-forecast') !== undefined")
    assert page.locator("#chart-forecast").get_attribute("aria-hidden") == "true"
    table = page.get_by_test_id("forecast-table")
    assert table.locator("tbody tr").count() >= 30
    assert "Model chosen" in page.get_by_test_id("method").inner_text()
    assert "Safety stock" in page.get_by_test_id("buffer").inner_text()
    shot(page, "forecasts-sku")


def test_a_buyer_drafts_a_purchase_order_by_hand_and_a_misfit_quantity_is_refused(
    page, live_server, signed_in, store
):
    # given: a part ACME sells from 50 in packs of 25
    sku = new_sku(live_server, store)
    signed_in(page, "purchasing")
    page.goto(live_server.url("/purchasing"))
    page.get_by_role("link", name="New purchase order").click()
    page.wait_for_load_state()
    # when: 60 asked of ACME
    page.get_by_label("Supplier").select_option("ACME")
    page.get_by_label("SKU of line 1", exact=True).fill(sku)
    page.get_by_label("Quantity of line 1", exact=True).fill("60")
    _click(page, "Save draft")
    # then: the service's refusal, what was typed kept
    error = page.get_by_test_id("action-error").inner_text()
    assert "validation_error" in error
    assert page.get_by_label("Quantity of line 1", exact=True).input_value() == "60"
    shot(page, "purchasing-new")
    # when: two packs
    page.get_by_label("Quantity of line 1", exact=True).fill("50")
    _click(page, "Save draft")
    # then: the draft, ordered from ACME
    assert _status(page) == "draft"
    assert page.locator('tr[data-line="1"]').inner_text().split("\t")[4] == "50"
