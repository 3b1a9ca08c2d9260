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
        billing,
        billing_actions,
        billing_aging,
        billing_documents,
        cases,
        cases_actions,
        catalog,
        catalog_actions,
        customers,
        customers_actions,
        dashboard,
        forecasts,
        inventory,
        inventory_actions,
        kpis,
        order_actions,
        order_edit,
        orders,
        purchasing,
        purchasing_actions,
        purchasing_new,
        replenishment,
        replenishment_actions,
        returns,
        returns_actions,
        sales_form,
        saved_filters,
        shipping,
        shipping_actions,
        suppliers,
        transfer_actions,
        transfers,
        warehouse,
        warehouse_actions,
        warehouse_pack,
    )

    return [
        auth.router,  # sign-in, sign-out, home
        saved_filters.router,  # a user's own saved list filters: save, delete
        dashboard.router,  # the dashboard (ordersmith.dashboard)
        sales_form.router,  # orders: the sales form, /orders/new (before /orders/{number})
        orders.router,  # orders: the list and the order page
        order_actions.router,  # orders: confirm, hold, release, cancel, invoice
        order_edit.router,  # orders: change lines, address, date, notes; split
        returns.router,  # returns: the list, the request form, the return page
        returns_actions.router,  # returns: request, authorise, reject, receive, inspect, ...
        cases.router,  # cases: the list, the form to open one, the case page
        cases_actions.router,  # cases: open, note, assign, priority, wait, resolve, close
        customers.router,  # customers: the list, duplicates, the customer 360
        customers_actions.router,  # customers: add a contact, merge, undo a merge
        warehouse.router,  # warehouse: the work queue, /warehouse/find, pick lists and their PDF
        warehouse_actions.router,  # warehouse: allocate, create a pick list, confirm a pick
        warehouse_pack.router,  # warehouse: the packing page of an order or shipment, pack
        shipping.router,  # shipping: the list, the shipment page, label and packing slip PDFs
        shipping_actions.router,  # shipping: label, dispatch, cancel, tracking, delivered
        transfers.router,  # transfers: list, new, a transfer (before /inventory/{sku})
        transfer_actions.router,  # transfers: create, dispatch, receive, cancel
        inventory.router,  # inventory: stock levels, a SKU's levels, ledger and reservations
        inventory_actions.router,  # inventory: adjust, receive without a PO, stock settings
        catalog.router,  # catalog: products, /catalog/new and price lists before /catalog/{sku}
        catalog_actions.router,  # catalog: add and save products, set and remove prices
        kpis.router,  # the fulfilment KPI report (ordersmith.fulfillment.kpi_report)
        purchasing_new.router,  # purchasing: /purchasing/orders/new (before {number})
        purchasing.router,  # purchasing: the purchase order list, page and PDF
        purchasing_actions.router,  # purchasing: approve, send, receive, close, cancel
        suppliers.router,  # purchasing: suppliers, their products and scorecards
        replenishment.router,  # replenishment: requests with why
        replenishment_actions.router,  # replenishment: approve, edit, reject, order
        forecasts.router,  # forecasts: runs, series, one SKU's chart
        billing.router,  # billing: the invoices list with the aging strip, the invoice page
        billing_documents.router,  # billing: payments and credit notes, lists and pages
        billing_aging.router,  # billing: the aging report and the credit holds
        billing_actions.router,  # billing: pay, credit, statement, refund, release
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
