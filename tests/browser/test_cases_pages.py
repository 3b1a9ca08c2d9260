"""Cases in a real browser: opening a case about an order, its thread (internal notes
and notes to the customer, which are emailed), assigning, the priority, resolving and
closing; the list's filters with breached cases flagged; the permissions and CSRF tokens
of the forms; and the basics without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.customer_service.models import Case
from ordersmith.customers.services import create_customer
from ordersmith.db import table_of
from ordersmith.notifications.queries import list_communications
from tests.browser.conftest import create_user, sign_in_through_form
from tests.factories.cases import make_case
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    shop = make_shop(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 1000})
    return shop


def _status(page: Any) -> str:
    return page.get_by_test_id("status").inner_text()


def _rows(page: Any) -> list[str]:
    return page.locator("#results tbody tr[data-case]").evaluate_all(
        "rows => rows.map(r => r.dataset.case)"
    )


def _click(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def _case_replies(live_server: Any, order_id: Any) -> list[str]:
    with live_server.db.reader() as session:
        found, _more = list_communications(session, order_id=order_id)
    return [m.kind for m in found if m.kind == "case_reply"]


def _overdue(live_server: Any, number: str) -> None:
    """Move the case's due time into the past (the clock is running)."""
    cases = table_of(Case)
    with live_server.db.unit_of_work(actor="test") as uow:
        uow.session.execute(
            sa.update(cases)
            .where(cases.c.number == number)
            .values(sla_due_at=clock.now() - timedelta(hours=1))
        )


def test_a_case_is_opened_answered_resolved_and_closed_through_the_pages(
    page, live_server, signed_in, shop
):
    # given: Bob's order
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 2)))
    signed_in(page, "customer_service")
    # when: a case is opened about it
    page.goto(live_server.url(f"/cases/new?order={order.number}"))
    page.get_by_label("Type").select_option("delivery_problem")
    page.get_by_label("Priority").select_option("high")
    page.get_by_label("Subject").fill("Parcel late")
    page.get_by_label("Description (the first internal note)").fill("carrier lost track")
    _click(page, "Open the case")
    # then
    assert _status(page) == "open"
    assert page.get_by_test_id("sla-breached").inner_text() == "no"
    assert page.get_by_role("link", name=order.number).count() >= 1
    # when: an empty note is refused
    _click(page, "Add note")
    assert "validation_error" in page.get_by_test_id("action-error").inner_text()
    # when: a note to the customer that waits for their answer
    page.get_by_label("Note", exact=True).fill("Your parcel arrives on Tuesday.")
    page.get_by_label("To the customer (emailed)").check()
    page.get_by_label("Wait for the customer's answer").check()
    _click(page, "Add note")
    # then: emailed, waiting, and the thread tells internal from customer notes
    assert page.get_by_role("status").inner_text().endswith("emailed to the customer.")
    assert _status(page) == "waiting on customer"
    assert _case_replies(live_server, order.id) == ["case_reply"]
    thread = page.get_by_test_id("thread")
    assert "Internal note" in thread.locator('li[data-visibility="internal"]').inner_text()
    customer_note = thread.locator('li[data-visibility="customer"]').inner_text()
    assert "To the customer (emailed)" in customer_note
    assert "Your parcel arrives on Tuesday." in customer_note
    # when: assigned, made urgent, resolved and closed
    page.get_by_label("Assign to (empty: nobody)").fill("petra")
    _click(page, "Assign")
    assert page.get_by_test_id("assignee").inner_text() == "petra"
    page.get_by_label("Priority").select_option("urgent")
    _click(page, "Change priority")
    assert page.get_by_test_id("priority").inner_text() == "urgent"
    page.get_by_label("Resolution").fill("delivered on Tuesday")
    _click(page, "Resolve")
    assert _status(page) == "resolved"
    _click(page, "Close case")
    # then
    assert _status(page) == "closed"
    assert page.get_by_role("region", name="Actions").count() == 0
    assert "delivered on Tuesday" in page.get_by_test_id("resolution").inner_text()
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)


def test_the_list_flags_breached_cases_and_filters_them(page, live_server, signed_in, shop):
    # given: Dora has two open cases, one past its due time
    with live_server.db.unit_of_work(actor="test") as uow:
        dora = create_customer(
            uow, name="Dora Cases", email="dora@example.com", account_type="cash"
        )
    late = make_case(live_server.db, dora.id, subject="Late one", assignee="dora-desk")
    fine = make_case(live_server.db, dora.id, subject="Fine one", assignee="dora-desk")
    _overdue(live_server, late.number)
    signed_in(page, "accounting")
    # when
    page.goto(live_server.url("/cases?assignee=dora-desk"))
    # then: newest first, the late one flagged in words
    assert _rows(page) == [fine.number, late.number]
    assert page.locator(f'tr[data-case="{late.number}"]').get_by_test_id("breached").count() == 1
    assert page.locator(f'tr[data-case="{fine.number}"]').get_by_test_id("breached").count() == 0
    # when: only breached ones (HTMX swaps the results)
    with page.expect_response(lambda r: "breached=yes" in r.url):
        page.get_by_label("SLA").select_option("yes")
    page.wait_for_function("document.querySelectorAll('#results tr[data-case]').length === 1")
    assert _rows(page) == [late.number]
    # when: a page of one
    page.goto(live_server.url("/cases?assignee=dora-desk&limit=1"))
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    assert _rows(page) == [late.number]
    # when: a bad priority is typed into the URL
    page.goto(live_server.url("/cases?priority=whenever"))
    assert "is not one of" in page.get_by_role("alert").inner_text()
    assert _rows(page) == []


def test_a_role_without_cases_write_sees_no_actions_and_its_post_is_refused(
    page, live_server, signed_in, shop
):
    # given: an open case; accounting may read cases but not work on them
    case = make_case(live_server.db, shop.trade.id, subject="Invoice copy")
    signed_in(page, "accounting")
    page.goto(live_server.url(f"/cases/{case.number}"))
    assert page.get_by_role("region", name="Actions").count() == 0
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # when: a note to the customer is forged with the user's own valid token
    response = page.request.post(
        live_server.url(f"/cases/{case.number}/note"),
        form={"csrf_token": token, "body": "forged", "visibility": "customer"},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    page.reload()
    assert "forged" not in page.get_by_test_id("thread").inner_text()


def test_a_role_without_cases_read_gets_the_not_allowed_page(page, live_server, signed_in, shop):
    # given
    case = make_case(live_server.db, shop.trade.id, subject="Where is it?")
    signed_in(page, "warehouse")
    # when
    response = page.goto(live_server.url(f"/cases/{case.number}"))
    # then
    assert response.status == 403
    assert page.get_by_role("link", name="Cases").count() == 0


def test_a_post_without_the_sessions_csrf_token_is_refused(page, live_server, signed_in, shop):
    # given
    case = make_case(live_server.db, shop.trade.id, subject="Refund?")
    signed_in(page, "admin")
    # when
    response = page.request.post(
        live_server.url(f"/cases/{case.number}/resolve"),
        form={"csrf_token": "guessed", "resolution": "forged"},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    assert "csrf_failed" in response.text()
    page.goto(live_server.url(f"/cases/{case.number}"))
    assert _status(page) == "open"


def test_without_javascript_a_case_is_noted_and_resolved(browser, live_server, shop):
    # given: a second browser with JavaScript off
    case = make_case(live_server.db, shop.trade.id, subject="No script", assignee="nojs-desk")
    context = browser.new_context(base_url=live_server.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_through_form(page, live_server, create_user(live_server, "customer_service"))
        # when: the filter form is sent as a plain GET
        page.goto(live_server.url("/cases"))
        page.get_by_label("Assignee").fill("nojs-desk")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state()
        assert _rows(page) == [case.number]
        # when: an internal note, then resolved
        page.get_by_role("link", name=case.number).click()
        page.get_by_label("Note", exact=True).fill("checked the stock")
        _click(page, "Add note")
        page.get_by_label("Resolution").fill("answered by phone")
        _click(page, "Resolve")
        # then
        assert _status(page) == "resolved"
        assert "checked the stock" in page.get_by_test_id("thread").inner_text()
    finally:
        context.close()
