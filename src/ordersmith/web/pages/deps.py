"""What every back-office page uses: the signed-in staff user, permission checks, CSRF,
the one template environment and ``render``.

    @router.get("/orders")
    def orders(request: Request, session: Annotated[StaffSession, Depends(require(P.ORDERS_READ))]):
        return render(request, "orders/list.html", {"orders": ...}, session)

    @router.post("/orders/{id}/confirm", dependencies=[Depends(csrf_protect)])
    def confirm(...): ...

A page without a signed-in user redirects (303) to ``/login?next=<the page>``; a user
without the permission gets the 403 page. Unsafe methods and every HTMX request must
carry the session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``;
``base.html`` sets the header for HTMX through ``hx-headers`` on ``<body>``).
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ordersmith.auth.permissions import Permission
from ordersmith.errors import Forbidden, OmsError
from ordersmith.staff.sessions import SESSION_COOKIE, find_session
from ordersmith.uow import Database, UnitOfWork

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ANON_CSRF_COOKIE = "ordersmith_csrf"
"""Double-submit token for forms shown before sign-in (the login form)."""
P = Permission


@dataclass(frozen=True)
class StaffSession:
    user_id: uuid.UUID
    email: str
    name: str
    role: str
    permissions: frozenset[Permission]
    csrf_token: str

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class NavEntry:
    label: str
    path: str
    permission: Permission | None  # None: every signed-in user


# The back-office menu, in order: the one list. An entry shows only when a GET page is
# routed at its path and the user holds its permission, so a new page needs no edit here
# unless it is a new menu entry (then: one line).
NAV: tuple[NavEntry, ...] = (
    NavEntry("Dashboard", "/dashboard", None),
    NavEntry("Orders", "/orders", P.ORDERS_READ),
    NavEntry("Customers", "/customers", P.CUSTOMERS_READ),
    NavEntry("Catalog", "/catalog", P.CATALOG_READ),
    NavEntry("Inventory", "/inventory", P.INVENTORY_READ),
    NavEntry("Warehouse", "/warehouse", P.FULFILMENT_READ),
    NavEntry("Shipping", "/shipping", P.FULFILMENT_READ),
    NavEntry("Billing", "/billing", P.BILLING_READ),
    NavEntry("Returns", "/returns", P.RETURNS_READ),
    NavEntry("Cases", "/cases", P.CASES_READ),
    NavEntry("Purchasing", "/purchasing", P.PURCHASING_READ),
    NavEntry("Replenishment", "/replenishment", P.PURCHASING_READ),
    NavEntry("Forecasts", "/forecasts", P.FORECASTS_READ),
    NavEntry("KPIs", "/kpis", P.ORDERS_READ),
)


class SignInRequired(Exception):
    """A page needs a signed-in staff user: answered with 303 to /login?next=..."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path

    def target(self) -> str:
        """Where to send the browser (the customer portal has its own sign-in page)."""
        return login_url(self.next_path)


class PageForbidden(Forbidden):
    """A signed-in user lacks a permission (or failed the CSRF check): the 403 page."""


class CsrfFailed(PageForbidden):
    code = "csrf_failed"
    title = "Form expired"


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _next_of(request: Request) -> str:
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


def current_staff(request: Request) -> StaffSession | None:
    """The signed-in staff user of this request, or None (looked up once per request)."""
    if hasattr(request.state, "staff_session"):
        cached: StaffSession | None = request.state.staff_session
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    found = find_session(get_db(request), token) if token else None
    session = (
        StaffSession(
            user_id=found.user_id,
            email=found.email,
            name=found.name,
            role=found.role,
            permissions=found.permissions,
            csrf_token=found.csrf_token,
        )
        if found
        else None
    )
    request.state.staff_session = session
    return session


def staff_session(request: Request) -> StaffSession:
    """Dependency: the signed-in staff user, or a redirect to the login page."""
    session = current_staff(request)
    if session is None:
        raise SignInRequired(_next_of(request))
    return session


def require(permission: Permission) -> Callable[..., StaffSession]:
    """Dependency factory: the signed-in user holding ``permission`` (else the 403 page)."""

    def dependency(session: Annotated[StaffSession, Depends(staff_session)]) -> StaffSession:
        if permission not in session.permissions:
            raise PageForbidden(f"the {session.role} role may not do {permission}")
        return session

    dependency.__name__ = f"require_page_{permission.value.replace(':', '_')}"
    return dependency


_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def submitted_csrf_token(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


def tokens_match(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


async def csrf_protect(request: Request) -> None:
    """Dependency for every POST (and every HTMX request): the session's CSRF token must
    come back in the ``csrf_token`` form field or the ``X-CSRF-Token`` header."""
    if request.method not in _UNSAFE and request.headers.get("hx-request") != "true":
        return
    session = current_staff(request)
    if session is None:
        raise SignInRequired(request.headers.get("hx-current-url") or _next_of(request))
    if not tokens_match(session.csrf_token, await submitted_csrf_token(request)):
        raise CsrfFailed(
            "this form was not sent by this sign-in (or it is too old): reload and try again"
        )


@cache
def templates() -> Jinja2Templates:
    """The one template environment of the pages (autoescaped), built on first use."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def _routed_get_paths(request: Request) -> frozenset[str]:
    """The GET paths of the page routers (``pages.install`` records them)."""
    return frozenset(getattr(request.app.state, "page_paths", frozenset()))


def nav_for(request: Request, session: StaffSession | None) -> list[NavEntry]:
    """The menu entries this user may see, of pages that exist."""
    if session is None:
        return []
    routed = _routed_get_paths(request)
    return [
        entry
        for entry in NAV
        if entry.path in routed and (entry.permission is None or session.may(entry.permission))
    ]


def wants_results_only(request: Request) -> bool:
    """An HTMX request for a list's results: answer the results part, not the page
    (a history restore wants the whole page)."""
    return request.headers.get("hx-request") == "true" and not request.headers.get(
        "hx-history-restore-request"
    )


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    session: StaffSession | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with ``session``, ``csrf_token`` and the role's ``nav`` added."""
    values: dict[str, Any] = dict(context or {})
    values.setdefault("session", session)
    values.setdefault("csrf_token", session.csrf_token if session else "")
    values.setdefault("nav", nav_for(request, session))
    values.setdefault("current_path", request.url.path)
    response = templates().TemplateResponse(request, name, values, status_code=status_code)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_page(request: Request, error: OmsError) -> HTMLResponse:
    """The page for an error a page route did not handle itself (same message as the API)."""
    if request.url.path == "/portal" or request.url.path.startswith("/portal/"):
        from ordersmith.web.portal.deps import portal_error_page  # the portal's own look

        return portal_error_page(request, error)
    return render(
        request,
        "forbidden.html" if error.status == 403 else "error.html",
        {"error": error},
        current_staff(request),
        status_code=error.status,
    )


def staff_unit_of_work(request: Request, session: StaffSession) -> UnitOfWork:
    """A unit of work acting as the signed-in user, carrying their permissions: the
    services check them again (ADR 0023)."""
    return get_db(request).unit_of_work(
        actor=f"staff:{session.email}", permissions=session.permissions
    )


def status_of(error: OmsError | None) -> int:
    """The status of a page shown again with a refused action's error (200 without)."""
    return error.status if error is not None else 200
