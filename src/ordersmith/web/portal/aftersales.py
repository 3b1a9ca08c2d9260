"""After-sales pages of the portal: my returns (newest first, keyset pages) and a
return's own page (its status, lines, what happens next, its credit or refund), and a
case's own page (the notes the customer may see, never internal ones) with a reply
form (customer service's ``add_note``, as the customer). Another customer's return or
case answers 404 like an unknown number; a refused reply shows the service's message
and code on the page, with its status, and changes nothing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.customer_service.models import Party, Visibility
from ordersmith.customer_service.notes import add_note
from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.portal import queries
from ordersmith.returns.status import GOODS_BACK
from ordersmith.web.pages.deps import get_db
from ordersmith.web.pages.forms import Fields
from ordersmith.web.pages.listing import ListParams, read_time_cursor
from ordersmith.web.pagination import encode_time_cursor
from ordersmith.web.portal.deps import Customer, portal_csrf, portal_uow, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(portal_csrf)])
PAGE = 20


# --- returns -----------------------------------------------------------------------------


@router.get("/portal/returns", response_class=HTMLResponse)
def my_returns(request: Request, session: Customer) -> HTMLResponse:
    form = ListParams({}, limit=PAGE)
    before = read_time_cursor(dict(request.query_params), form.errors)
    found = []
    if not form.errors:
        with get_db(request).reader() as db_session:
            found = queries.my_returns(
                db_session, session.customer_id, limit=PAGE + 1, before=before
            )
    next_query = None
    if len(found) > PAGE:
        last = found[PAGE - 1]
        next_query = form.query(cursor=encode_time_cursor(last.created_at, last.id))
    context = {
        "form": form,
        "returns": found[:PAGE],
        "next_query": next_query,
        "first": before is not None,
    }
    return render(request, "portal/returns.html", context, session)


@router.get("/portal/returns/{number}", response_class=HTMLResponse)
def return_page(request: Request, number: str, session: Customer) -> HTMLResponse:
    db = get_db(request)
    with db.reader() as db_session:
        found = queries.customer_return(db_session, db.settings, session.customer_id, number)
    rma = found.rma
    context = {
        "rma": rma,
        "send_to": found.send_to,
        "goods_back": rma.status in GOODS_BACK,
        "credited": money_str(rma.credited_total, rma.currency),
        "refunded": money_str(rma.refunded_total, rma.currency),
    }
    return render(request, "portal/return_page.html", context, session)


# --- cases -------------------------------------------------------------------------------


def case_page(
    request: Request,
    session: Customer,
    number: str,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        case = queries.customer_case(db_session, session.customer_id, number)
    context = {
        "case": case,
        "error": error,
        "form": form or {},
        "message": "Your reply is sent." if request.query_params.get("done") else "",
    }
    status = error.status if error else 200
    return render(request, "portal/case.html", context, session, status_code=status)


@router.get("/portal/cases/{number}", response_class=HTMLResponse)
def case(request: Request, number: str, session: Customer) -> HTMLResponse:
    return case_page(request, session, number)


@router.post("/portal/cases/{number}/reply", response_model=None)
def reply(request: Request, number: str, session: Customer, fields: Fields) -> Response:
    """The customer's note on their case (it reopens a case that waited on them or was
    resolved); an empty reply or a closed case is refused with the service's message."""
    with get_db(request).reader() as reader:
        found = queries.customer_case(reader, session.customer_id, number)
    try:
        with portal_uow(request, session) as uow:
            add_note(
                uow,
                case_id=found.id,
                body=fields.get("body", ""),
                visibility=Visibility.CUSTOMER.value,
                author_kind=Party.CUSTOMER,
            )
    except OmsError as exc:
        return case_page(request, session, found.number, error=exc, form=fields)
    return RedirectResponse(f"/portal/cases/{found.number}?done=reply", status_code=303)
