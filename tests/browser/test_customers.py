"""Customers in a real browser: the list's search, filters and pages (live with HTMX, and
as plain forms without JavaScript), the customer 360, adding a contact, and merging a
possible duplicate and undoing it, with their CSRF tokens and permissions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ordersmith.customers.services import create_customer
from ordersmith.customers.tiers import recalculate_tiers, save_tier
from tests.browser.conftest import create_user, sign_in_through_form
from tests.factories.cases import make_case
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    shop = make_shop(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 1000, ("MAIN", "B-2"): 1000})
    return shop


def tag() -> str:
    return uuid.uuid4().hex[:6]


def new_customer(live_server: Any, name: str, **values: Any) -> Any:
    values.setdefault("email", f"{name.replace(' ', '.').lower()}@example.com")
    values.setdefault("account_type", "account")
    with live_server.db.unit_of_work(actor="test") as uow:
        return create_customer(uow, name=name, **values)


def _rows(page: Any) -> list[str]:
    return page.locator("#results tbody tr[data-customer]").evaluate_all(
        "rows => rows.map(r => r.dataset.customer)"
    )


def _wait_rows(page: Any, expected: list[str]) -> None:
    page.wait_for_function(
        "want => JSON.stringify([...document.querySelectorAll('#results tr[data-customer]')]"
        ".map(r => r.dataset.customer)) === JSON.stringify(want)",
        arg=expected,
    )


def _search(page: Any, term: str) -> None:
    with page.expect_response(lambda r: "q=" in r.url):
        page.get_by_label("Search").fill(term)


def test_the_search_finds_a_customer_by_number_name_start_email_and_phone(
    page, live_server, signed_in, shop
):
    # given: Xena and Xavier share a name's start; Xena has a phone number
    t, d = tag(), str(uuid.uuid4().int)[:6]
    xena = new_customer(live_server, f"Xq{t} Xena", phone=f"+49 (30) {d[:3]}-{d[3:]}")
    xavier = new_customer(live_server, f"Xq{t} Xavier", customer_group="trade")
    signed_in(page, "sales")
    page.goto(live_server.url("/customers"))
    page.evaluate("window.notReloaded = true")
    # when: the start of the name is typed, lower case (HTMX refreshes the results)
    _search(page, f"xq{t}")
    # then: both, newest first, without a page load, and the URL follows
    _wait_rows(page, [xavier.number, xena.number])
    assert page.evaluate("window.notReloaded") is True
    assert f"q=xq{t}" in page.url
    # when: the number, the e-mail in capitals, the phone written differently
    for term, expected in (
        (xena.number.lower(), [xena.number]),
        (xavier.email.upper(), [xavier.number]),
        (f"4930{d}", [xena.number]),
    ):
        page.goto(live_server.url("/customers"))
        _search(page, term)
        # then
        _wait_rows(page, expected)
    # and a group narrows the list
    page.goto(live_server.url(f"/customers?q=Xq{t}&group=trade"))
    assert _rows(page) == [xavier.number]
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)


def test_the_list_pages_and_filters_by_account_type_and_tier(page, live_server, signed_in, shop):
    # given: three customers; only the one with an order reaches the tier
    t = tag()
    made = [
        new_customer(live_server, f"Pg{t} {n}", account_type=kind)
        for n, kind in (("One", "cash"), ("Two", "account"), ("Three", "cash"))
    ]
    place(live_server.db, order_request(made[1].id, ("A-1", 1)))
    with live_server.db.unit_of_work(actor="test") as uow:
        save_tier(uow, code=f"gold{t}", name=f"Gold {t}", rank=100 + int(t[:2], 16), min_orders=1)
        recalculate_tiers(uow)
    signed_in(page, "customer_service")
    # when: two a page
    page.goto(live_server.url(f"/customers?q=Pg{t}&limit=2"))
    first = _rows(page)
    page.get_by_role("link", name="Next page").click()
    page.wait_for_load_state()
    second = _rows(page)
    # then: newest first, no more pages
    assert first == [made[2].number, made[1].number]
    assert second == [made[0].number]
    assert page.get_by_role("link", name="Next page").count() == 0
    # when: filtered by account type, then by tier
    page.goto(live_server.url(f"/customers?q=Pg{t}"))
    with page.expect_response(lambda r: "account_type=cash" in r.url):
        page.get_by_label("Account type").select_option("cash")
    _wait_rows(page, [made[2].number, made[0].number])
    page.goto(live_server.url(f"/customers?q=Pg{t}&tier=gold{t}"))
    assert _rows(page) == [made[1].number]
    # when: a filter that cannot be read
    page.goto(live_server.url("/customers?tier=nonesuch&limit=0"))
    # then: messages over an empty list, not an error page
    alerts = page.get_by_role("alert").all_inner_texts()
    assert any("no loyalty tier 'nonesuch'" in a for a in alerts)
    assert any("limit" in a for a in alerts)
    assert _rows(page) == []


def test_the_customer_360_shows_orders_lifetime_value_and_links_to_each_order(
    page, live_server, signed_in, shop
):
    # given: Lena has two orders
    lena = new_customer(live_server, f"Lena {tag()}", company="Lena GmbH")
    orders = [place(live_server.db, order_request(lena.id, ("A-1", n))) for n in (1, 2)]
    case = make_case(live_server.db, lena.id, subject="Delivery slot")
    signed_in(page, "customer_service")
    # when: opened from the list
    page.goto(live_server.url(f"/customers?q={lena.number}"))
    page.get_by_role("link", name=lena.name).click()
    page.wait_for_load_state()
    # then
    assert page.get_by_role("heading", level=1).inner_text().startswith(lena.name)
    assert "Lena GmbH" in page.get_by_test_id("profile").inner_text()
    summary = page.get_by_test_id("order-summary").inner_text()
    assert "2 (2 open)" in summary
    lifetime = sum((o.total for o in orders), start=orders[0].total * 0)
    assert page.get_by_test_id("lifetime-value").inner_text() == f"{lifetime:.2f} EUR"
    assert page.get_by_role("region", name="Balance and payments").count() == 1
    cases = page.get_by_role("region", name="Cases")
    assert "Delivery slot" in cases.inner_text()
    assert cases.get_by_role("link", name=case.number).get_attribute("href") == (
        f"/cases/{case.number}"
    )
    # when: a recent order is followed
    page.get_by_test_id("recent-orders").get_by_role("link", name=orders[0].number).click()
    page.wait_for_load_state()
    # then
    assert page.url.endswith(f"/orders/{orders[0].number}")


def test_a_contact_is_added_and_a_bad_one_shows_the_services_message(
    page, live_server, signed_in, shop
):
    # given
    mia = new_customer(live_server, f"Mia {tag()}")
    signed_in(page, "sales")
    page.goto(live_server.url(f"/customers/{mia.number}"))
    # when: an e-mail that is not one
    page.get_by_label("Contact name").fill("Otto Buyer")
    page.get_by_label("Contact e-mail").fill("not-an-email")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_load_state()
    # then: the message and code, the typed values kept, nothing added
    error = page.get_by_test_id("action-error").inner_text()
    assert "validation_error" in error
    assert "email" in error
    assert page.get_by_label("Contact name").input_value() == "Otto Buyer"
    assert "No contacts." in page.get_by_test_id("contacts").inner_text()
    # when: corrected
    page.get_by_label("Contact e-mail").fill("otto@example.com")
    page.get_by_label("Contact role").fill("buyer")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_load_state()
    # then: the first contact is the primary one
    assert page.get_by_role("status").inner_text() == "The contact is added."
    contacts = page.get_by_test_id("contacts").inner_text()
    assert "Otto Buyer" in contacts
    assert "primary" in contacts
    assert page.get_by_test_id("history").locator('li[data-action="contact_added"]').count() == 1


def test_a_duplicate_is_merged_with_a_reason_and_the_merge_is_undone(
    page, live_server, signed_in, shop
):
    # given: two customers with the same e-mail; the newer one has an order
    email = f"dup-{tag()}@example.com"
    old = new_customer(live_server, f"Dora {tag()}", email=email)
    dup = new_customer(live_server, f"Dora {tag()} Dup", email=email)
    order = place(live_server.db, order_request(dup.id, ("B-2", 2)))
    signed_in(page, "customer_service")
    page.goto(live_server.url("/customers/duplicates?rule=email"))
    group = page.locator(f'table[data-group="email:{email}"]')
    assert group.locator("tr[data-customer]").count() == 2
    # when: merged without a reason
    assert page.get_by_label(f"Merge {dup.number} into").input_value() == old.number
    page.get_by_role("button", name=f"Merge {dup.number}").click()
    page.wait_for_load_state()
    # then: the service's message, nothing merged
    assert "a reason is required" in page.get_by_test_id("action-error").inner_text()
    assert page.locator(f'table[data-group="email:{email}"] tr[data-customer]').count() == 2
    # when: with a reason
    page.get_by_label(f"Why merge {dup.number} (required)").fill("same person, two sign-ups")
    page.get_by_role("button", name=f"Merge {dup.number}").click()
    page.wait_for_load_state()
    # then: the duplicate's page names the survivor; the order moved
    merged = page.get_by_test_id("merged")
    assert f"Merged into {old.name} {old.number}" in merged.inner_text()
    assert "No orders." in page.get_by_test_id("recent-orders").inner_text()
    merged.get_by_role("link", name=f"{old.name} {old.number}").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("recent-orders").get_by_text(order.number).count() == 1
    # and the list leaves the duplicate out, pointing to its page when searched
    page.goto(live_server.url(f"/customers?q={dup.number}"))
    assert _rows(page) == []
    page.get_by_test_id("merged-hint").get_by_role("link").click()
    page.wait_for_load_state()
    # when: the merge is undone from the duplicate's page
    page.get_by_role("button", name="Undo merge").click()
    page.wait_for_load_state()
    assert "a reason is required" in page.get_by_test_id("action-error").inner_text()
    page.get_by_label("Why undo the merge (required)").fill("different people after all")
    page.get_by_role("button", name="Undo merge").click()
    page.wait_for_load_state()
    # then: active again with its order back
    assert page.get_by_role("status").inner_text().startswith("The merge is undone")
    assert page.get_by_test_id("merged").count() == 0
    assert page.get_by_test_id("recent-orders").get_by_text(order.number).count() == 1


def test_a_role_without_the_permissions_sees_no_forms_and_its_posts_are_refused(
    page, live_server, signed_in, shop
):
    # given: sales may write customers but not merge; warehouse may only read them
    email = f"forge-{tag()}@example.com"
    keep = new_customer(live_server, f"Fay {tag()}", email=email)
    dup = new_customer(live_server, f"Fay {tag()}", email=email)
    signed_in(page, "sales")
    page.goto(live_server.url("/customers/duplicates?rule=email"))
    assert page.get_by_role("button", name=f"Merge {dup.number}").count() == 0
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # when: sales forges the merge form with its own valid token
    response = page.request.post(
        live_server.url(f"/customers/{dup.number}/merge"),
        form={"csrf_token": token, "survivor": keep.number, "reason": "forged"},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    page.goto(live_server.url(f"/customers/{dup.number}"))
    assert page.get_by_test_id("merged").count() == 0
    # when: a warehouse user forges a contact
    other = create_user(live_server, "warehouse")
    warehouse = page.context.browser.new_context(base_url=live_server.base_url)
    try:
        wpage = warehouse.new_page()
        sign_in_through_form(wpage, live_server, other)
        wpage.goto(live_server.url(f"/customers/{keep.number}"))
        assert wpage.get_by_role("button", name="Add contact").count() == 0
        assert wpage.get_by_role("region", name="Balance and payments").count() == 0
        wtoken = wpage.locator('meta[name="csrf-token"]').get_attribute("content")
        response = wpage.request.post(
            live_server.url(f"/customers/{keep.number}/contacts"),
            form={"csrf_token": wtoken, "name": "Forged"},
            headers={"accept": "text/html"},
        )
        # then
        assert response.status == 403
    finally:
        warehouse.close()
    page.goto(live_server.url(f"/customers/{keep.number}"))
    assert "Forged" not in page.get_by_test_id("contacts").inner_text()


def test_a_post_without_the_sessions_csrf_token_is_refused(page, live_server, signed_in, shop):
    # given: an admin is signed in; another site makes the browser post a contact
    ned = new_customer(live_server, f"Ned {tag()}")
    signed_in(page, "admin")
    # when
    response = page.request.post(
        live_server.url(f"/customers/{ned.number}/contacts"),
        form={"csrf_token": "guessed", "name": "Forged"},
        headers={"accept": "text/html"},
    )
    # then
    assert response.status == 403
    assert "csrf_failed" in response.text()
    page.goto(live_server.url(f"/customers/{ned.number}"))
    assert "No contacts." in page.get_by_test_id("contacts").inner_text()


def test_without_javascript_the_search_is_a_form_and_a_contact_is_added(browser, live_server, shop):
    # given: a second browser with JavaScript off
    rex = new_customer(live_server, f"Rexno{tag()} Js")
    context = browser.new_context(base_url=live_server.base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_through_form(page, live_server, create_user(live_server, "customer_service"))
        # when: the search form is sent as a plain GET
        page.goto(live_server.url("/customers"))
        page.get_by_label("Search").fill(rex.email)
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
        # then
        assert "q=" in page.url
        assert _rows(page) == [rex.number]
        # when: a contact is added through the customer's page
        page.get_by_role("link", name=rex.name).click()
        page.get_by_label("Contact name").fill("Ida Accounts")
        page.get_by_role("button", name="Add contact").click()
        page.wait_for_load_state()
        # then
        assert "Ida Accounts" in page.get_by_test_id("contacts").inner_text()
    finally:
        context.close()
