"""Browser tests: the real server on a migrated database of its own, driven by Debian's
Chromium through Playwright's sync API (never ``playwright install``).

    def test_x(page, live_server, signed_in):
        who = signed_in(page, "sales")
        page.goto(live_server.url("/orders"))

    def test_y(page, live_server, portal_signed_in):
        account = portal_signed_in(page, "C-000001")  # invited, password set, signed in
        page.goto(live_server.url("/portal/orders"))

Chromium is ``/usr/bin/chromium`` (``.ci/run`` installs it). In CI (CI=true) a missing
browser fails the run; elsewhere these tests skip with the reason. Every test here is
marked ``browser``. ``make test`` runs with ``--dist loadfile``: each module's tests stay
on one worker, so its live server (and a crawler's demo data) is made once per database,
not once per worker. (pytest-xdist 3.8's ``loadgroup`` does not group under pytest 9.)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ordersmith import migrate
from ordersmith.db import make_engine
from ordersmith.portal.services import invite_account
from ordersmith.staff.services import create_staff_user
from ordersmith.uow import Database
from tests.conftest import make_settings, new_postgres_database
from tests.e2e.server import Server, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser test passphrase"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    server: Server
    db: Database
    """The same database as the server's, for arranging data through the services."""

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str) -> str:
        return self.server.url(path)


@dataclass(frozen=True)
class SignedIn:
    """Who a test signed in as (like the pages' StaffSession, plus the password)."""

    user_id: uuid.UUID
    email: str
    name: str
    role: str
    password: str


@dataclass
class RecordedPage:
    """Every URL the page requested, for 'no external requests' checks."""

    urls: list[str] = field(default_factory=list)


def _database_url(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'ordersmith.db'}"
        return
    with new_postgres_database("ordersmith_browser", "PostgreSQL browser tests") as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The real server (``ordersmith serve``) on a freshly migrated database, per module."""
    tmp = tmp_path_factory.mktemp(f"live-{request.param}")
    for url in _database_url(str(request.param), tmp):
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        db = Database.connect(make_settings(tmp, url))
        try:
            with running_server(database_url=url, data_dir=tmp / "server") as server:
                yield LiveServer(server, db)
        finally:
            db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium; never playwright install)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[[], Any]]:
    """Open pages in fresh browser contexts (separate cookies: another browser/device)."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(base_url=live_server.base_url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        recorded = RecordedPage()
        page.on("request", lambda req: recorded.urls.append(req.url))
        page.recorded = recorded
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    """A page in a fresh context; ``page.recorded.urls`` lists every URL it requested."""
    return new_page()


def create_user(live_server: LiveServer, role: str, *, password: str = PASSWORD) -> SignedIn:
    email = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}@example.com"
    name = f"{role.replace('_', ' ').title()} Tester"
    with live_server.db.unit_of_work(actor="test") as uow:
        user = create_staff_user(uow, email=email, name=name, role=role, password=password)
        user_id = user.id
    return SignedIn(user_id, email, name, role, password)


def sign_in_through_form(page: Any, live_server: LiveServer, who: SignedIn) -> None:
    page.goto(live_server.url("/login"))
    page.get_by_label("Email").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def signed_in(live_server: LiveServer) -> Callable[[Any, str], SignedIn]:
    """``signed_in(page, "warehouse")``: a new user of that role, signed in through the
    real login form of ``page``."""

    def sign_in(page: Any, role: str) -> SignedIn:
        who = create_user(live_server, role)
        sign_in_through_form(page, live_server, who)
        cookies = {c["name"] for c in page.context.cookies()}
        assert "ordersmith_session" in cookies, page.content()[:2000]
        return who

    return sign_in


@dataclass(frozen=True)
class PortalAccount:
    """A customer's portal account a test signed in with."""

    email: str
    password: str
    customer_number: str


def invite_to_portal(live_server: LiveServer, customer_number: str) -> tuple[str, str]:
    """A new portal account of the customer (a fresh email each time); its email and the
    invite link as mailed."""
    email = f"portal-{uuid.uuid4().hex[:8]}@example.com"
    with live_server.db.unit_of_work(actor="test") as uow:
        link = invite_account(uow, customer=customer_number, email=email).link
    return email, "/portal/invite/" + link.rsplit("/", 1)[1]


def accept_invite_through_form(page: Any, live_server: LiveServer, path: str) -> None:
    page.goto(live_server.url(path))
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def portal_signed_in(live_server: LiveServer) -> Callable[[Any, str], PortalAccount]:
    """``portal_signed_in(page, customer_number)``: a new portal account of that customer,
    invited, its password set through the invite link's form, and signed in on ``page``."""

    def sign_in(page: Any, customer_number: str) -> PortalAccount:
        email, path = invite_to_portal(live_server, customer_number)
        accept_invite_through_form(page, live_server, path)
        cookies = {c["name"] for c in page.context.cookies()}
        assert "ordersmith_portal" in cookies, page.content()[:2000]
        return PortalAccount(email, PASSWORD, customer_number)

    return sign_in
