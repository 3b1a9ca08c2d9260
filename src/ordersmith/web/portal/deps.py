"""What every portal page uses: the signed-in customer, the portal's CSRF check, its
unit of work (``PORTAL_PERMISSIONS``) and ``render`` with the portal's own base template.

Only the ``ordersmith_portal`` cookie opens these pages (a staff session does not), and
the back office reads only its own cookie (a portal session does not open it). A page
without a portal session redirects to ``/portal/login?next=...``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.errors import OmsError
from ordersmith.portal.sessions import (
    PORTAL_COOKIE,
    PORTAL_PERMISSIONS,
    PortalSession,
    find_session,
)
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.auth import secure_cookie
from ordersmith.web.pages.deps import (
    CsrfFailed,
    SignInRequired,
    get_db,
    submitted_csrf_token,
    templates,
    tokens_match,
)

ANON_CSRF_COOKIE = "ordersmith_portal_csrf"
"""Double-submit token of the forms shown before sign-in (sign in, forgot, reset, invite)."""
HOME = "/portal/orders"
PORTAL_MENU = (
    ("My orders", "/portal/orders"),
    ("Invoices", "/portal/invoices"),
    ("Returns", "/portal/returns"),
    ("Cases", "/portal/cases"),
    ("Addresses", "/portal/addresses"),
    ("Preferences", "/portal/preferences"),
)


class PortalSignInRequired(SignInRequired):
    def target(self) -> str:
        return "/portal/login?next=" + quote(self.next_path, safe="/")


def current_customer(request: Request) -> PortalSession | None:
    """The signed-in portal account of this request, or None (looked up once)."""
    if hasattr(request.state, "portal_session"):
        cached: PortalSession | None = request.state.portal_session
        return cached
    token = request.cookies.get(PORTAL_COOKIE)
    session = find_session(get_db(request), token) if token else None
    request.state.portal_session = session
    return session


def portal_session(request: Request) -> PortalSession:
    """Dependency: the signed-in customer, or a redirect to the portal's sign-in page."""
    session = current_customer(request)
    if session is None:
        query = "?" + request.url.query if request.url.query else ""
        raise PortalSignInRequired(request.url.path + query)
    return session


Customer = Annotated[PortalSession, Depends(portal_session)]


async def portal_csrf(request: Request) -> None:
    """Every POST of a signed-in page carries the portal session's CSRF token."""
    if request.method != "POST" and request.headers.get("hx-request") != "true":
        return
    session = portal_session(request)
    if not tokens_match(session.csrf_token, await submitted_csrf_token(request)):
        raise CsrfFailed(
            "this form was not sent by this sign-in (or it is too old): reload and try again"
        )


def portal_uow(request: Request, session: PortalSession) -> UnitOfWork:
    """A unit of work acting for the signed-in customer, with the portal's permissions."""
    return get_db(request).unit_of_work(actor=session.actor, permissions=PORTAL_PERMISSIONS)


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    session: PortalSession | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    values: dict[str, Any] = dict(context or {})
    values.setdefault("session", session)
    values.setdefault("csrf_token", session.csrf_token if session else "")
    values.setdefault("menu", PORTAL_MENU if session else ())
    values.setdefault("current_path", request.url.path)
    response = templates().TemplateResponse(request, name, values, status_code=status_code)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def anonymous_form(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """A form shown before sign-in, with its double-submit CSRF token (cookie + field)."""
    form_csrf = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, name, {**context, "form_csrf": form_csrf}, status_code=status_code)
    response.set_cookie(
        ANON_CSRF_COOKIE,
        form_csrf,
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
        path="/portal",
    )
    return response


def anonymous_form_sent(request: Request, csrf_token: str) -> bool:
    return tokens_match(request.cookies.get(ANON_CSRF_COOKIE, ""), csrf_token)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        PORTAL_COOKIE,
        token,
        max_age=get_db(request).settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
        path="/portal",
    )


def portal_error_page(request: Request, error: OmsError) -> HTMLResponse:
    """An error on a portal page, in the portal's look (another customer's order,
    invoice, return or case is a 404 like an unknown one)."""
    return render(
        request,
        "portal/error.html",
        {"error": error},
        current_customer(request),
        status_code=error.status,
    )
