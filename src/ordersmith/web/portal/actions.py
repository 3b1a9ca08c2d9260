"""What a customer does from an order: order it again (a preview, then place), ask for
a return (the returns area's eligibility and request service, as the customer), and
open a case (customer service's opening, as the customer). Every lookup is scoped to
the signed-in customer; a refused action shows the service's message and code on the
form, with its status, and changes nothing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.customer_service.models import CaseType, Party
from ordersmith.customer_service.opening import open_case
from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.orders.queries import get_order
from ordersmith.portal.queries import my_cases
from ordersmith.portal.reorder import place_reorder, preview_reorder
from ordersmith.returns.eligibility import returnable_lines
from ordersmith.returns.models import RequestedBy, ReturnReason
from ordersmith.returns.requests import create_return
from ordersmith.web.pages.deps import get_db
from ordersmith.web.pages.forms import Fields
from ordersmith.web.pages.returns_actions import requested_lines
from ordersmith.web.portal.deps import Customer, portal_csrf, portal_uow, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(portal_csrf)])
CASE_TYPES = [t.value for t in CaseType if t is not CaseType.DAMAGE_REPORT]


# --- order again ---------------------------------------------------------------------


def reorder_page(
    request: Request, session: Customer, number: str, *, error: OmsError | None = None
) -> HTMLResponse:
    with portal_uow(request, session) as uow:
        preview = preview_reorder(uow, customer_id=session.customer_id, order=number)
    quote = preview.quote
    lines = []
    total = ""
    if quote is not None:
        lines = [
            (
                line,
                money_str(line.unit_price, quote.currency),
                money_str(line.net + line.tax, quote.currency),
            )
            for line in quote.lines
        ]
        total = money_str(quote.totals.total, quote.currency)
    context = {"preview": preview, "lines": lines, "total": total, "error": error}
    status = error.status if error else 200
    return render(request, "portal/reorder.html", context, session, status_code=status)


@router.get("/portal/orders/{number}/reorder", response_class=HTMLResponse)
def reorder_preview(request: Request, number: str, session: Customer) -> HTMLResponse:
    return reorder_page(request, session, number)


@router.post("/portal/orders/{number}/reorder", response_model=None)
def reorder(request: Request, number: str, session: Customer) -> Response:
    try:
        with portal_uow(request, session) as uow:
            placed = place_reorder(uow, customer_id=session.customer_id, order=number)
    except OmsError as exc:
        if exc.status == 404:
            raise
        return reorder_page(request, session, number, error=exc)
    return RedirectResponse(f"/portal/orders/{placed.number}?done=placed", status_code=303)


# --- ask for a return ------------------------------------------------------------------


def return_page(
    request: Request,
    session: Customer,
    number: str,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        order = get_order(db_session, number, customer_id=session.customer_id)
        lines = sorted(returnable_lines(db_session, order.id).values(), key=lambda x: x.line_no)
    context = {
        "order": order,
        "lines": lines,
        "any_returnable": any(line.returnable for line in lines),
        "reasons": [r.value for r in ReturnReason],
        "error": error,
        "form": form or {},
    }
    status = error.status if error else 200
    return render(request, "portal/return.html", context, session, status_code=status)


@router.get("/portal/orders/{number}/return", response_class=HTMLResponse)
def return_form(request: Request, number: str, session: Customer) -> HTMLResponse:
    return return_page(request, session, number)


@router.post("/portal/orders/{number}/return", response_model=None)
def request_return(request: Request, number: str, session: Customer, fields: Fields) -> Response:
    """A return of the units typed per line, asked by the customer (no window override)."""
    try:
        with get_db(request).reader() as reader:  # the return's number is taken first
            order_id = get_order(reader, number, customer_id=session.customer_id).id
        lines = requested_lines(fields)
        with portal_uow(request, session) as uow:
            create_return(
                uow,
                order_id=order_id,
                lines=lines,
                comment=fields.get("comment", ""),
                requested_by=RequestedBy.CUSTOMER,
                customer_id=session.customer_id,
            )
    except OmsError as exc:
        if exc.status == 404:
            raise
        return return_page(request, session, number, error=exc, form=fields)
    return RedirectResponse(f"/portal/orders/{number}?done=return", status_code=303)


# --- cases -------------------------------------------------------------------------------


def case_page(
    request: Request,
    session: Customer,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        cases = my_cases(db_session, session.customer_id)
    context = {
        "cases": cases,
        "types": CASE_TYPES,
        "error": error,
        "form": form or {"order": request.query_params.get("order", "")},
        "message": "Your message is sent: we will answer by email."
        if request.query_params.get("done")
        else "",
    }
    status = error.status if error else 200
    return render(request, "portal/cases.html", context, session, status_code=status)


@router.get("/portal/cases", response_class=HTMLResponse)
def cases(request: Request, session: Customer) -> HTMLResponse:
    return case_page(request, session)


@router.get("/portal/cases/new", response_class=HTMLResponse)
def case_form(request: Request, session: Customer) -> HTMLResponse:
    return case_page(request, session)


@router.post("/portal/cases", response_model=None)
def open_a_case(request: Request, session: Customer, fields: Fields) -> Response:
    """A case opened by the customer, about one of their orders or in general."""
    order_number = fields.get("order", "").strip()[:64]
    try:
        order_id = None
        if order_number:
            with get_db(request).reader() as reader:
                order_id = get_order(reader, order_number, customer_id=session.customer_id).id
        with portal_uow(request, session) as uow:
            open_case(
                uow,
                customer_id=session.customer_id,
                case_type=fields.get("type", ""),
                subject=fields.get("subject", ""),
                description=fields.get("description", ""),
                order_id=order_id,
                opened_by=Party.CUSTOMER,
            )
    except OmsError as exc:
        return case_page(request, session, error=exc, form=fields)
    return RedirectResponse("/portal/cases?done=1", status_code=303)
