"""Portal sign-in, sign-out, forgotten password, reset and invite links (ADR 0029)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.auth.errors import TooManyAttempts
from ordersmith.errors import OmsError, ValidationFailed
from ordersmith.portal.models import TokenPurpose
from ordersmith.portal.services import (
    LINK_PATHS,
    accept_invite,
    link_is_valid,
    request_password_reset,
    reset_password,
    sign_in,
    sign_out,
)
from ordersmith.portal.sessions import PORTAL_COOKIE
from ordersmith.web.pages.auth import attempt_sign_in, client_ip, refusal_of, safe_next
from ordersmith.web.pages.deps import CsrfFailed, get_db
from ordersmith.web.portal.deps import (
    ANON_CSRF_COOKIE,
    HOME,
    Customer,
    anonymous_form,
    anonymous_form_sent,
    current_customer,
    portal_csrf,
    portal_uow,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)
_EXPIRED_FORM = "This form has expired: please try again."
_FORGOT_SENT = (
    "If that email belongs to a portal account, a link to choose a new password is on its "
    "way. It works for a limited time and only once."
)
_MESSAGES = {
    "signed_out": "You are signed out.",
    "reset": "Your new password is set: sign in with it.",
}


def _portal_next(value: str | None) -> str:
    target = safe_next(value)
    return target if target.startswith("/portal") else HOME


def _login_page(
    request: Request,
    *,
    next_path: str,
    email: str = "",
    message: str = "",
    kind: str = "error",
    status_code: int = 200,
) -> HTMLResponse:
    context = {"next_path": next_path, "email": email, "message": message, "message_kind": kind}
    return anonymous_form(request, "portal/login.html", context, status_code=status_code)


@router.get("/portal", response_model=None)
def portal_home(request: Request) -> RedirectResponse:
    return RedirectResponse(HOME if current_customer(request) else "/portal/login", 303)


@router.get("/portal/login", response_model=None)
def login_form(request: Request, next: str | None = None, done: str = "") -> Response:
    if current_customer(request) is not None:
        return RedirectResponse(_portal_next(next), status_code=303)
    message = _MESSAGES.get(done, "")
    return _login_page(request, next_path=_portal_next(next), message=message, kind="ok")


@router.post("/portal/login", response_model=None)
def login(
    request: Request,
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    next_path = _portal_next(next)
    token, problem = attempt_sign_in(
        request,
        sign_in,
        form=(email, password, csrf_token),
        csrf_cookie=ANON_CSRF_COOKIE,
        session_cookie=PORTAL_COOKIE,
        actor="portal:sign-in",
    )
    if token is None:
        message, status = problem
        return _login_page(
            request, next_path=next_path, email=email, message=message, status_code=status
        )
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/portal/logout", response_model=None, dependencies=[Depends(portal_csrf)])
def logout(request: Request, session: Customer) -> Response:
    with portal_uow(request, session) as uow:
        sign_out(uow, token=request.cookies.get(PORTAL_COOKIE, ""))
    response = RedirectResponse("/portal/login?done=signed_out", status_code=303)
    response.delete_cookie(PORTAL_COOKIE, path="/portal")
    return response


@router.get("/portal/forgot", response_model=None)
def forgot_form(request: Request) -> Response:
    return anonymous_form(request, "portal/forgot.html", {"message": "", "email": ""})


@router.post("/portal/forgot", response_model=None)
def forgot(
    request: Request,
    email: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The same answer whatever the email (no account enumeration); at most a few
    emails an hour per account (``portal_resets_per_hour``); a network past the per-IP
    limit of sign-in is asked to try again later (429), whatever the email."""
    if not anonymous_form_sent(request, csrf_token):
        context = {"message": _EXPIRED_FORM, "kind": "error", "email": email}
        return anonymous_form(request, "portal/forgot.html", context, status_code=403)
    if email.strip():
        try:
            with get_db(request).unit_of_work(actor="portal:password-reset") as uow:
                request_password_reset(uow, email=email, ip=client_ip(request))
        except TooManyAttempts as exc:
            message, status = refusal_of(exc)
            context = {"message": message, "kind": "error", "email": ""}
            return anonymous_form(request, "portal/forgot.html", context, status_code=status)
    context = {"message": _FORGOT_SENT, "kind": "ok", "email": ""}
    return anonymous_form(request, "portal/forgot.html", context)


_LINKS = {
    TokenPurpose.INVITE: ("Welcome: choose your password", "Set password and sign in"),
    TokenPurpose.RESET: ("Choose a new password", "Set new password"),
}


def _password_form(
    request: Request,
    purpose: TokenPurpose,
    token: str,
    *,
    error: OmsError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with get_db(request).reader() as session:
        valid = link_is_valid(session, token, purpose)
    heading, button = _LINKS[purpose]
    context = {
        "heading": heading,
        "button": button,
        "action": request.url.path,
        "valid": valid,
        "error": error,
    }
    return anonymous_form(
        request, "portal/password.html", context, status_code=status_code if valid else 400
    )


def _link_posted(
    request: Request, purpose: TokenPurpose, token: str, password: str, repeat: str, csrf: str
) -> Response:
    if not anonymous_form_sent(request, csrf):
        return _password_form(
            request, purpose, token, error=CsrfFailed(_EXPIRED_FORM), status_code=403
        )
    if password != repeat:
        mismatch = ValidationFailed("the two passwords differ", code="passwords_differ")
        return _password_form(request, purpose, token, error=mismatch, status_code=422)
    try:
        with get_db(request).unit_of_work(actor=f"portal:{purpose.value}-link") as uow:
            if purpose is TokenPurpose.INVITE:
                session_token = accept_invite(
                    uow,
                    token=token,
                    password=password,
                    user_agent=request.headers.get("user-agent", ""),
                )
            else:
                reset_password(uow, token=token, password=password)
    except OmsError as error:
        return _password_form(request, purpose, token, error=error, status_code=error.status)
    if purpose is TokenPurpose.RESET:
        return RedirectResponse("/portal/login?done=reset", status_code=303)
    response = RedirectResponse(HOME, status_code=303)
    set_session_cookie(request, response, session_token)
    return response


def _purpose_of(request: Request) -> TokenPurpose:
    path = request.url.path
    return next(p for p, prefix in LINK_PATHS.items() if path.startswith(prefix))


def link_form(request: Request, token: str) -> Response:
    """The form behind an emailed link (or why the link no longer works)."""
    return _password_form(request, _purpose_of(request), token)


def link_posted(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=1024)] = "",
    password_repeat: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    purpose = _purpose_of(request)
    return _link_posted(request, purpose, token, password, password_repeat, csrf_token)


for _prefix in LINK_PATHS.values():  # /portal/invite/{token}, /portal/reset/{token}
    router.add_api_route(_prefix + "{token}", link_form, methods=["GET"], response_model=None)
    router.add_api_route(_prefix + "{token}", link_posted, methods=["POST"], response_model=None)
