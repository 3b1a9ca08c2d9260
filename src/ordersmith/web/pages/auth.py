"""Sign-in, sign-out, sign-out everywhere, and the home redirect (ADR 0023)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.errors import OmsError
from ordersmith.staff.services import logout_everywhere, sign_in, sign_out
from ordersmith.staff.sessions import SESSION_COOKIE
from ordersmith.web.pages.deps import (
    ANON_CSRF_COOKIE,
    StaffSession,
    csrf_protect,
    current_staff,
    get_db,
    render,
    staff_session,
    tokens_match,
)

router = APIRouter(include_in_schema=False)
HOME = "/dashboard"
_SIGNED_OUT = {
    "1": "You are signed out.",
    "all": "You are signed out on every device.",
}


def safe_next(value: str | None) -> str:
    """Only a local path (no scheme, no host, no ``//``): else the home page."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or any(c in value for c in "\\\r\n\t")
        or len(value) > 2000
    ):
        return HOME
    return value


def form_refusal(
    cookie_token: str, csrf_token: str, email: str, password: str
) -> tuple[str, int] | None:
    """What is wrong with a posted sign-in form before any password is checked (its
    message and status), or None."""
    if not tokens_match(cookie_token, csrf_token):
        return "This sign-in form has expired: please try again.", 403
    if not email.strip() or not password:
        return "Enter your email and password.", 422
    return None


def refusal_of(error: OmsError | None) -> tuple[str, int]:
    """A refused sign-in as a sentence for the form, and its status."""
    detail = error.detail if error else "sign-in failed"
    return detail[:1].upper() + detail[1:] + ".", error.status if error else 401


def client_ip(request: Request) -> str:
    """The address the per-IP limits count (the socket peer, ADR 0023)."""
    return request.client.host if request.client else "unknown"


def attempt_sign_in(
    request: Request,
    sign_in_with: Callable[..., Any],
    *,
    form: tuple[str, str, str],
    csrf_cookie: str,
    session_cookie: str,
    actor: str,
) -> tuple[str | None, tuple[str, int]]:
    """Check a posted sign-in form (``email, password, csrf_token``) and sign in with
    ``sign_in_with`` (staff or portal): the new session's token, or None and the
    message and status to show on the form."""
    email, password, csrf_token = form
    problem = form_refusal(request.cookies.get(csrf_cookie, ""), csrf_token, email, password)
    if problem is not None:
        return None, problem
    with get_db(request).unit_of_work(actor=actor) as uow:
        outcome = sign_in_with(
            uow,
            email=email,
            password=password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            previous_token=request.cookies.get(session_cookie),
        )
    token: str | None = outcome.token
    return token, refusal_of(outcome.error)


def secure_cookie(request: Request) -> bool:
    setting: bool | None = request.app.state.settings.secure_cookies
    return request.url.scheme == "https" if setting is None else setting


def _login_page(
    request: Request,
    *,
    next_path: str,
    email: str = "",
    message: str = "",
    kind: str = "error",
    status_code: int = 200,
) -> HTMLResponse:
    login_csrf = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {
            "login_csrf": login_csrf,
            "next_path": next_path,
            "email": email,
            "message": message,
            "message_kind": kind,
        },
        None,
        status_code=status_code,
    )
    response.set_cookie(
        ANON_CSRF_COOKIE,
        login_csrf,
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
        path="/login",
    )
    return response


@router.get("/", response_model=None)
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(HOME if current_staff(request) else "/login", status_code=303)


@router.get("/login", response_model=None)
def login_form(
    request: Request, next: str | None = None, signed_out: str | None = None
) -> Response:
    if current_staff(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    message = _SIGNED_OUT.get(signed_out or "", "")
    return _login_page(request, next_path=safe_next(next), message=message, kind="ok")


@router.post("/login", response_model=None)
def login(
    request: Request,
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    next_path = safe_next(next)
    token, problem = attempt_sign_in(
        request,
        sign_in,
        form=(email, password, csrf_token),
        csrf_cookie=ANON_CSRF_COOKIE,
        session_cookie=SESSION_COOKIE,
        actor="staff:sign-in",
    )
    if token is None:
        message, status = problem
        return _login_page(
            request, next_path=next_path, email=email, message=message, status_code=status
        )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=get_db(request).settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
        path="/",
    )
    response.delete_cookie(ANON_CSRF_COOKIE, path="/login")
    return response


def _signed_out(target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/logout", response_model=None, dependencies=[Depends(csrf_protect)])
def logout(request: Request, session: Annotated[StaffSession, Depends(staff_session)]) -> Response:
    with get_db(request).unit_of_work(actor=f"staff:{session.email}") as uow:
        sign_out(uow, token=request.cookies.get(SESSION_COOKIE, ""))
    return _signed_out("/login?signed_out=1")


@router.post("/logout-everywhere", response_model=None, dependencies=[Depends(csrf_protect)])
def logout_all(
    request: Request, session: Annotated[StaffSession, Depends(staff_session)]
) -> Response:
    with get_db(request).unit_of_work(actor=f"staff:{session.email}") as uow:
        logout_everywhere(uow, user_id=session.user_id)
    return _signed_out("/login?signed_out=all")
