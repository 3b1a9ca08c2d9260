"""Sign-in, sign-out, sign-out everywhere, and the home redirect (ADR 0023)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

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
    if not tokens_match(request.cookies.get(ANON_CSRF_COOKIE, ""), csrf_token):
        message = "This sign-in form has expired: please try again."
        return _login_page(
            request, next_path=next_path, email=email, message=message, status_code=403
        )
    if not email.strip() or not password:
        return _login_page(
            request,
            next_path=next_path,
            email=email,
            message="Enter your email and password.",
            status_code=422,
        )
    db = get_db(request)
    with db.unit_of_work(actor="staff:sign-in") as uow:
        outcome = sign_in(
            uow,
            email=email,
            password=password,
            ip=request.client.host if request.client else "unknown",
            user_agent=request.headers.get("user-agent", ""),
            previous_token=request.cookies.get(SESSION_COOKIE),
        )
    if outcome.token is None:
        error = outcome.error
        detail = error.detail if error else "sign-in failed"
        status = error.status if error else 401
        return _login_page(
            request,
            next_path=next_path,
            email=email,
            message=detail[:1].upper() + detail[1:] + ".",
            status_code=status,
        )
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        outcome.token,
        max_age=db.settings.session_max_hours * 3600,
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
