"""Every page of the back-office menu, and the detail pages they link to, load on demo
data without a server error, an external request or a script error, for every role, and
pass basic accessibility checks (labels, one heading, landmarks);
screenshots of them are saved as artefacts (issue 8).

The server's database gets the small demo with a few days of fulfilment, billing and
after-sales simulated, so lists have rows and detail pages have something to show.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from bench.pages import DETAILS_PER_PAGE, FILE_SUFFIXES, PORTAL, SKIPPED, STAFF, measure

from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.demo.fulfilment import simulate_fulfilment
from ordersmith.demo.loader import load_demo
from ordersmith.demo.portal import DEMO_PORTAL, create_demo_portal_accounts
from ordersmith.shipping.models import Shipment
from ordersmith.staff.roles import StaffRole
from tests.browser.conftest import PASSWORD, LiveServer, create_user, sign_in_through_form
from tests.browser.screenshots import screenshot_dir

SIMULATED_DAYS = 1
customers = table_of(Customer)
shipments = table_of(Shipment)


@pytest.fixture(scope="module")
def demo_server(live_server: LiveServer) -> LiveServer:
    """The live server with the small demo loaded and a few days simulated."""
    load_demo(live_server.db, seed=5, history_days=170, customers=20)
    simulate_fulfilment(live_server.db, days=SIMULATED_DAYS, seed=7)
    create_demo_portal_accounts(live_server.db)
    return live_server


def _visit(page: Any, server: LiveServer, path: str) -> int:
    response = page.goto(server.url(path))
    page.wait_for_load_state("networkidle")
    return int(response.status) if response is not None else 0


ACCESSIBILITY_PROBLEMS = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one <h1>");
  if (!document.querySelector("main")) problems.push("no <main> landmark");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(el.type)) continue;
    const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`))
      || el.closest("label") || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!labelled) problems.push(`unlabelled ${el.tagName.toLowerCase()} ${el.name || el.id}`);
  }
  for (const img of document.querySelectorAll("img:not([alt])")) {
    problems.push(`img without alt ${img.src}`);
  }
  for (const button of document.querySelectorAll("button")) {
    const named = button.textContent.trim() || button.getAttribute("aria-label");
    if (!named) problems.push("button without a name");
  }
  return problems;
}"""
"""What a page must have for screen readers and keyboards: a language, one <h1>, a <main>,
a label for every field, an alt for every image, a name for every button."""


def _menu(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    return [h for h in hrefs if not h.startswith(SKIPPED)]


def _details(page: Any, section: str) -> list[str]:
    """Up to DETAILS_PER_PAGE links of a list page to pages under its own section."""
    hrefs = page.eval_on_selector_all(
        "main a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    found: list[str] = []
    for href in hrefs:
        path = urlsplit(href).path
        if (
            path.startswith(section + "/")
            and not path.endswith(FILE_SUFFIXES)
            and "/new" not in path
            and path not in found
        ):
            found.append(path)
    return found[:DETAILS_PER_PAGE]


def test_every_menu_page_and_its_details_load_for_an_admin(
    page: Any, demo_server: LiveServer
) -> None:
    # given an admin signed in, and every script error recorded
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    admin = create_user(demo_server, "admin")
    sign_in_through_form(page, demo_server, admin)
    shots = screenshot_dir()
    # when every menu page and a few of the pages each one links to are opened
    statuses: dict[str, int] = {}
    inaccessible: dict[str, list[str]] = {}
    menu = _menu(page)
    for section in menu:
        statuses[section] = _visit(page, demo_server, section)
        inaccessible[section] = page.evaluate(ACCESSIBILITY_PROBLEMS)
        page.screenshot(path=str(shots / f"crawl{section.replace('/', '-')}.png"), full_page=True)
        for detail in _details(page, section):
            pages = [detail, f"{detail}/edit"] if section == "/orders" else [detail]
            for path in pages:  # an order's change page too (ADR 0031)
                statuses[path] = _visit(page, demo_server, path)
                inaccessible[path] = page.evaluate(ACCESSIBILITY_PROBLEMS)
    # then the whole menu is there, nothing failed and nothing left the server
    assert {"/dashboard", "/orders", "/customers", "/returns", "/cases"} <= set(menu)
    assert {path: s for path, s in statuses.items() if s != 200} == {}
    assert len(statuses) > len(menu), "the lists link to their detail pages"
    assert [p for p in statuses if p.endswith("/edit")], "orders' change pages were opened"
    assert failed == []
    assert {path: found for path, found in inaccessible.items() if found} == {}
    assert errors == []
    outside = [u for u in page.recorded.urls if not u.startswith(demo_server.base_url)]
    assert outside == []


@pytest.mark.parametrize("role", [r.value for r in StaffRole if r != StaffRole.ADMIN])
def test_each_role_opens_every_page_of_its_own_menu(
    new_page: Any, demo_server: LiveServer, role: str
) -> None:
    # given a user of the role, signed in
    page = new_page()
    who = create_user(demo_server, role)
    sign_in_through_form(page, demo_server, who)
    # when each page of the role's menu is opened
    statuses = {path: _visit(page, demo_server, path) for path in _menu(page)}
    # then every one of them opens (the menu offers nothing the role may not see)
    assert statuses
    assert {p: s for p, s in statuses.items() if s != 200} == {}


def _busiest_customer(server: LiveServer) -> str:
    """The number of the demo customer with the most shipped orders."""
    with server.db.reader() as session:
        return str(
            session.execute(
                sa.select(customers.c.number)
                .join(shipments, shipments.c.customer_id == customers.c.id)
                .group_by(customers.c.number)
                .order_by(sa.func.count().desc(), customers.c.number)
                .limit(1)
            ).scalar_one()
        )


def test_every_portal_page_and_order_loads_for_a_demo_customer(
    page: Any, demo_server: LiveServer, portal_signed_in: Any
) -> None:
    # given the demo customer with the most shipments, signed in to the portal
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    portal_signed_in(page, _busiest_customer(demo_server))
    page.goto(demo_server.url("/portal/orders"))
    # when every page of the portal's menu and a few of their orders are opened
    statuses: dict[str, int] = {}
    inaccessible: dict[str, list[str]] = {}
    for section in _menu(page):
        statuses[section] = _visit(page, demo_server, section)
        inaccessible[section] = page.evaluate(ACCESSIBILITY_PROBLEMS)
        page.screenshot(path=str(screenshot_dir() / f"crawl{section.replace('/', '-')}.png"))
        for detail in _details(page, "/portal/orders")[:DETAILS_PER_PAGE]:
            statuses[detail] = _visit(page, demo_server, detail)
            inaccessible[detail] = page.evaluate(ACCESSIBILITY_PROBLEMS)
    # then each opened, passed the checks, and nothing left the server
    assert "/portal/orders" in statuses
    assert any(path.startswith("/portal/orders/") for path in statuses)
    assert {path: s for path, s in statuses.items() if s != 200} == {}
    assert failed == []
    assert errors == []
    assert {path: found for path, found in inaccessible.items() if found} == {}
    assert [u for u in page.recorded.urls if not u.startswith(demo_server.base_url)] == []


def test_the_page_timing_bench_runs_against_the_demo(demo_server: LiveServer) -> None:
    # given an admin with a known password, and the demo's first portal account
    admin = create_user(demo_server, "admin", password=PASSWORD)
    portal_email, portal_password = DEMO_PORTAL[0]
    # when the page bench visits every page of both once
    timings = measure(demo_server.base_url, STAFF, admin.email, PASSWORD, rounds=1)
    timings += measure(demo_server.base_url, PORTAL, portal_email, portal_password, rounds=1)
    # then every page answered and the server reported its time
    assert {t.path for t in timings} >= {"/dashboard", "/orders", "/portal/orders"}
    assert [t.path for t in timings if t.statuses != {200}] == []
    assert all(len(t.samples) == 1 for t in timings)
    (screenshot_dir().parent / "page-timings.json").write_text(
        json.dumps({t.path: round(t.p50, 1) for t in timings}, indent=2)
    )
