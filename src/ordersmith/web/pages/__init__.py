"""Server-rendered back-office pages (Jinja2 + HTMX; ADR 0023).

``page_routers()`` lists every page router (one line each); ``install(app)`` adds them
to the app with the static files and the pages' error handling: a page that raises an
``OmsError`` shows the same message as the API would, as a page, never a 500.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ordersmith.errors import NotFound, OmsError, ValidationFailed


class MethodNotAllowed(OmsError):
    code = "method_not_allowed"
    status = 405
    title = "Not here"


def page_routers() -> list[APIRouter]:
    from ordersmith.web import portal
    from ordersmith.web.pages import (
        auth,
        cases,
        cases_actions,
        customers,
        customers_actions,
        dashboard,
        order_actions,
        orders,
        returns,
        returns_actions,
        sales_form,
    )

    return [
        auth.router,  # sign-in, sign-out, home
        dashboard.router,  # the dashboard (ordersmith.dashboard)
        sales_form.router,  # orders: the sales form, /orders/new (before /orders/{number})
        orders.router,  # orders: the list and the order page
        order_actions.router,  # orders: confirm, hold, release, cancel
        returns.router,  # returns: the list, the request form, the return page
        returns_actions.router,  # returns: request, authorise, reject, receive, inspect, ...
        cases.router,  # cases: the list, the form to open one, the case page
        cases_actions.router,  # cases: open, note, assign, priority, wait, resolve, close
        customers.router,  # customers: the list, duplicates, the customer 360
        customers_actions.router,  # customers: add a contact, merge, undo a merge
        portal.router,  # the customer portal, /portal/... (its own sign-in; ADR 0029)
    ]


def wants_page(request: Request) -> bool:
    """A browser (or HTMX) asking a non-API path: answer errors as pages, not JSON."""
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or request.headers.get("hx-request") == "true"


def install(app: FastAPI) -> None:
    from ordersmith.web.pages.deps import STATIC_DIR, SignInRequired, error_page

    paths: set[str] = set()
    for router in page_routers():
        app.include_router(router)
        paths.update(
            getattr(route, "path", "")
            for route in router.routes
            if "GET" in (getattr(route, "methods", None) or ())
        )
    app.state.page_paths = frozenset(paths)  # the menu shows the pages that exist
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    api_oms = app.exception_handlers[OmsError]
    api_invalid = app.exception_handlers[RequestValidationError]
    api_http = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        target = exc.target()
        if request.headers.get("hx-request") == "true":  # HTMX: redirect the whole page
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(OmsError)
    async def _oms_error(request: Request, exc: OmsError) -> Response:
        if wants_page(request):
            return error_page(request, exc)
        return await api_oms(request, exc)  # type: ignore[no-any-return, misc]

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_page(request):
            fields = ", ".join(str(e["loc"][-1]) for e in exc.errors()[:5])
            return error_page(request, ValidationFailed(f"check these fields: {fields}"))
        return await api_invalid(request, exc)  # type: ignore[no-any-return, misc]

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_page(request) and exc.status_code in (404, 405):
            error: OmsError = (
                NotFound("there is no page here")
                if exc.status_code == 404
                else MethodNotAllowed(str(exc.detail))
            )
            return error_page(request, error)
        return await api_http(request, exc)  # type: ignore[no-any-return, misc]
