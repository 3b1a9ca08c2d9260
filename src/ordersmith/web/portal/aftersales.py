"""After-sales pages of the portal: my returns (newest first, keyset pages) and a
return's own page (its status, lines, what happens next, its credit or refund).
Another customer's return answers 404 like an unknown number."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.portal import queries
from ordersmith.returns.status import GOODS_BACK
from ordersmith.web.pages.deps import get_db
from ordersmith.web.pages.listing import ListParams
from ordersmith.web.pagination import decode_time_cursor, encode_time_cursor
from ordersmith.web.portal.deps import Customer, portal_csrf, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(portal_csrf)])
PAGE = 20


# --- returns -----------------------------------------------------------------------------


@router.get("/portal/returns", response_class=HTMLResponse)
def my_returns(request: Request, session: Customer) -> HTMLResponse:
    form = ListParams({}, limit=PAGE)
    before = None
    cursor = str(request.query_params.get("cursor", ""))
    if cursor:
        try:
            before = decode_time_cursor(cursor)
        except OmsError as exc:
            form.errors.append(f"page: {exc}")
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
