"""Staff sign-in in a real browser: the form, wrong passwords, lockout, sign-out (here and
everywhere), CSRF, the role's menu, the keyboard, and no request leaving the server."""

from __future__ import annotations

import re

from ordersmith.orders.queries import get_order
from ordersmith.staff.roles import permissions_of
from ordersmith.web.app import create_app
from ordersmith.web.pages.deps import NAV
from tests.browser.conftest import create_user, sign_in_through_form
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import make_shop


def _alert(page) -> str:
    return " ".join(page.get_by_role("alert").inner_text().split())


def _still_signed_in(page, live_server) -> bool:
    page.goto(live_server.url("/login"))
    return "/login" not in page.url


def test_a_user_signs_in_through_the_form_and_sees_their_name_and_role(page, live_server):
    # given
    who = create_user(live_server, "customer_service")
    # when
    page.goto(live_server.url("/"))
    assert page.url.endswith("/login")
    sign_in_through_form(page, live_server, who)
    # then
    header = page.locator("header").inner_text()
    assert who.name in header
    assert "customer service" in header
    assert page.url == live_server.url("/dashboard")
    cookie = next(c for c in page.context.cookies() if c["name"] == "ordersmith_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"


def test_after_sign_in_only_a_local_next_page_is_followed(page, live_server):
    # given
    who = create_user(live_server, "sales")
    # when
    page.goto(live_server.url("/login?next=//evil.example/steal"))
    page.get_by_label("Email").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    # then
    assert page.url == live_server.url("/dashboard")


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(page, live_server):
    # given
    who = create_user(live_server, "sales")
    # when
    page.goto(live_server.url("/login"))
    page.get_by_label("Email").fill(who.email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    # then
    assert _alert(page) == "Wrong email or password."
    assert page.get_by_label("Email").input_value() == who.email
    assert page.get_by_label("Password").input_value() == ""
    assert "ordersmith_session" not in {c["name"] for c in page.context.cookies()}


def test_five_wrong_passwords_lock_the_account_and_the_page_says_so(page, live_server):
    # given
    who = create_user(live_server, "warehouse")
    page.goto(live_server.url("/login"))
    # when
    for _ in range(5):
        page.get_by_label("Email").fill(who.email)
        page.get_by_label("Password").fill("not the password at all")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    locked = _alert(page)
    page.get_by_label("Email").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    page.get_by_role("button", name="Sign in").click()
    # then
    assert "locked for 15 minutes" in locked
    assert "locked for 15 minutes" in _alert(page)
    assert "/login" in page.url


def test_signing_out_ends_the_session_and_pages_ask_to_sign_in_again(page, live_server, signed_in):
    # given
    signed_in(page, "accounting")
    # when
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_load_state()
    # then
    assert _alert(page) == "You are signed out."
    page.goto(live_server.url("/dashboard?x=1"))
    assert page.url == live_server.url("/login?next=/dashboard%3Fx%3D1")


def test_signing_out_everywhere_ends_the_session_in_another_browser(
    new_page, live_server, signed_in
):
    # given the same user in two browsers
    laptop, phone = new_page(), new_page()
    who = signed_in(laptop, "purchasing")
    sign_in_through_form(phone, live_server, who)
    assert _still_signed_in(phone, live_server)
    # when
    laptop.get_by_role("button", name="Sign out on every device").click()
    laptop.wait_for_load_state()
    # then
    assert _alert(laptop) == "You are signed out on every device."
    assert not _still_signed_in(phone, live_server)


def test_a_post_without_the_csrf_token_gets_the_403_page_and_changes_nothing(
    page, live_server, signed_in
):
    # given
    signed_in(page, "admin")
    # when (a forged form: the browser sends the cookie, but the token is missing)
    response = page.request.post(
        live_server.url("/logout-everywhere"),
        form={"csrf_token": "forged"},
        headers={"Accept": "text/html"},
        max_redirects=0,
    )
    # then
    assert response.status == 403
    assert "Form expired" in response.text()
    assert "csrf_failed" in response.text()
    assert _still_signed_in(page, live_server)


def test_each_role_sees_only_the_menu_entries_it_may_use(new_page, live_server, signed_in):
    # given the pages the server has
    app = create_app(live_server.db.settings, db=live_server.db)
    routed = app.state.page_paths
    assert {"/dashboard", "/orders"} <= routed
    for role in ("warehouse", "accounting", "admin"):
        page = new_page()
        # when
        signed_in(page, role)
        page.goto(live_server.url("/"))
        shown = page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()
        # then
        may = permissions_of(role)
        expected = [
            e.label
            for e in NAV
            if e.path in routed and (e.permission is None or e.permission in may)
        ]
        assert shown == expected, role
        assert shown[:2] == ["Dashboard", "Orders"], role
        if role == "warehouse":
            assert "Billing" not in shown


def test_a_user_signs_in_with_the_keyboard_alone(page, live_server):
    # given
    who = create_user(live_server, "sales")
    page.goto(live_server.url("/login"))
    # when: the skip link comes first, then the form (the email field has focus)
    page.keyboard.press("Shift+Tab")
    skip_focused = page.evaluate("document.activeElement.textContent")
    page.get_by_label("Email").focus()
    page.keyboard.type(who.email)
    page.keyboard.press("Tab")
    page.keyboard.type(who.password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/dashboard$"))
    # then
    assert who.name in page.locator("header").inner_text()
    assert skip_focused.strip() in {"Skip to content", "Ordersmith"}


def test_no_request_leaves_the_server_and_the_vendored_scripts_load(page, live_server, signed_in):
    # given
    signed_in(page, "admin")
    # when
    page.goto(live_server.url("/"))
    page.wait_for_load_state("networkidle")
    htmx = page.evaluate("typeof window.htmx")
    # then
    assert htmx == "object"
    assert page.recorded.urls
    outside = [u for u in page.recorded.urls if not u.startswith(live_server.base_url + "/")]
    assert outside == []
    assert any(u.endswith("/static/vendor/htmx.min.js") for u in page.recorded.urls)
    assert any(u.endswith("/static/app.css") for u in page.recorded.urls)


def test_a_warehouse_user_posting_the_confirm_form_by_hand_is_refused_and_nothing_changes(
    page, live_server, signed_in
):
    # given a placed order, and a warehouse user with a valid CSRF token
    shop = make_shop(live_server.db)
    stock_up(live_server.db, {("MAIN", "A-1"): 3})
    order = place(live_server.db, order_request(shop.trade.id, ("A-1", 1)))
    signed_in(page, "warehouse")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    # when
    response = page.request.post(
        live_server.url(f"/orders/{order.number}/confirm"),
        form={"csrf_token": token or ""},
        headers={"Accept": "text/html"},
        max_redirects=0,
    )
    # then
    assert response.status == 403
    assert "forbidden" in response.text()
    with live_server.db.reader() as session:
        assert get_order(session, str(order.id)).status == "placed"
