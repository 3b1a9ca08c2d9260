"""Returns in the back office: the filtered, keyset-paginated list, the return page and
the request form.

``GET /returns`` takes its filters (status, reason, customer number, order number) as
plain query parameters, so every list is a bookmarkable link and the form works without
JavaScript; with HTMX the form refreshes only the results (``returns/_results.html``).
``GET /returns/{number}`` shows the return with its lines, what inspection decided, the
resolution and the return's history, and the forms the state machine (``returns.status``)
and the user's ``returns:write`` allow (the POSTs are in ``returns_actions``).
``GET /returns/new?order=NUMBER`` lists what of the order may still be asked back
(``returns.eligibility``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from ordersmith.auth.permissions import Permission
from ordersmith.customers.queries import find_customer, get_customer, numbers_and_names
from ordersmith.errors import OmsError
from ordersmith.inventory.queries import list_warehouses
from ordersmith.money import money_str
from ordersmith.orders import queries as order_queries
from ordersmith.orders.errors import OrderNotFound
from ordersmith.returns import queries
from ordersmith.returns.eligibility import returnable_lines
from ordersmith.returns.models import Disposition, Resolution, ReturnReason
from ordersmith.returns.status import ReturnAction, ReturnStatus
from ordersmith.returns.views import ReturnView
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    wants_results_only,
)
from ordersmith.web.pages.listing import ListParams, choice
from ordersmith.web.pages.saved_filters import my_filters_context
from ordersmith.web.pagination import decode_time_cursor, encode_time_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
MAX_PAGE_SIZE = 200
FILTER_FIELDS = ("status", "reason", "customer", "order", "limit")
SAVED_FILTERS = (
    ("To decide", "status=requested"),
    ("Expected back", "status=authorised"),
    ("To inspect", "status=received"),
    ("To resolve", "status=inspected"),
    ("Damaged goods", "reason=damaged"),
)
#: The page's actions, in the order they are offered (``ship`` is the customer's).
PAGE_ACTIONS = (
    ReturnAction.AUTHORISE,
    ReturnAction.REJECT,
    ReturnAction.RECEIVE,
    ReturnAction.INSPECT,
    ReturnAction.RESOLVE,
    ReturnAction.CANCEL,
)
Reader = Annotated[StaffSession, Depends(require(P.RETURNS_READ))]
Writer = Annotated[StaffSession, Depends(require(P.RETURNS_WRITE))]


@dataclass
class ListForm(ListParams):
    """What the list's parameters mean once read."""

    flt: queries.ReturnFilter = field(default_factory=queries.ReturnFilter)
    before: tuple[datetime, uuid.UUID] | None = None


def read_form(session: Session, params: dict[str, str]) -> ListForm:
    """Read the filters; every problem becomes a message (nothing raises)."""
    values = {k: params.get(k, "").strip()[:200] for k in FILTER_FIELDS}
    form = ListForm(values)
    errors = form.errors
    status = choice("status", values["status"], [s.value for s in ReturnStatus], errors)
    reason = choice("reason", values["reason"], [r.value for r in ReturnReason], errors)
    customer_id = order_id = None
    if values["customer"]:
        found = find_customer(session, values["customer"])
        if found is None:
            errors.append(f"customer: no customer {values['customer']!r}")
        else:
            customer_id = found.id
    if values["order"]:
        try:
            order_id = order_queries.order_id(session, values["order"])
        except OrderNotFound:
            errors.append(f"order: no order {values['order']!r}")
    if values["limit"]:
        if values["limit"].isdigit() and 1 <= int(values["limit"]) <= MAX_PAGE_SIZE:
            form.limit = int(values["limit"])
        else:
            errors.append(f"limit: a whole number from 1 to {MAX_PAGE_SIZE}")
    cursor = params.get("cursor", "")
    if cursor:
        try:
            form.before = decode_time_cursor(cursor)
        except OmsError as exc:
            errors.append(f"page: {exc}")
    form.flt = queries.ReturnFilter(
        status=ReturnStatus(status) if status else None,
        customer_id=customer_id,
        order_id=order_id,
        reason=reason,
    )
    return form


@router.get("/returns", response_class=HTMLResponse)
def returns_list(request: Request, session: Reader) -> HTMLResponse:
    """Returns newest first, filtered; ``limit`` a page (50), ``cursor`` for the next."""
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    with get_db(request).reader() as db_session:
        form = read_form(db_session, params)
        found: list[ReturnView] = []
        if not form.errors:
            found = queries.list_returns(
                db_session, form.flt, limit=form.limit + 1, before=form.before
            )
        names = numbers_and_names(db_session, {r.customer_id for r in found})
    rows = [(r, *names.get(r.customer_id, ("", ""))) for r in found[: form.limit]]
    next_query = None
    if len(found) > form.limit:
        last = found[form.limit - 1]
        next_query = form.query(cursor=encode_time_cursor(last.created_at, last.id))
    context = {
        "form": form,
        "rows": rows,
        "next_query": next_query,
        "first_query": form.query() if form.before else None,
        "saved_filters": SAVED_FILTERS,
        "statuses": [s.value for s in ReturnStatus],
        "reasons": [r.value for r in ReturnReason],
        "this_query": form.query(),
        "may_write": session.may(P.RETURNS_WRITE),
    }
    context |= my_filters_context(request, session, "returns")
    partial = wants_results_only(request)
    template = "returns/_results.html" if partial else "returns/list.html"
    return render(request, template, context, session)


# --- the request form -------------------------------------------------------------------


def new_return_page(
    request: Request,
    session: StaffSession,
    order_number: str,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The order's lines with what may still be asked back, a reason and a note each."""
    with get_db(request).reader() as db_session:
        order = order_queries.get_order(db_session, order_number)
        customer = get_customer(db_session, order.customer_id)
        eligible = sorted(returnable_lines(db_session, order.id).values(), key=lambda x: x.line_no)
        warehouses = [w.code for w in list_warehouses(db_session)]
    context = {
        "order": order,
        "customer": customer,
        "lines": eligible,
        "any_returnable": any(line.returnable for line in eligible),
        "reasons": [r.value for r in ReturnReason],
        "warehouses": warehouses,
        "may_override": session.may(P.RETURNS_OVERRIDE),
        "error": error,
        "form": form or {},
    }
    status = error.status if error is not None else 200
    return render(request, "returns/new.html", context, session, status_code=status)


@router.get("/returns/new", response_class=HTMLResponse)
def return_new(request: Request, session: Writer, order: str = "") -> HTMLResponse:
    if not order.strip():
        return render(request, "returns/pick_order.html", {}, session)
    return new_return_page(request, session, order.strip()[:64])


# --- the return page --------------------------------------------------------------------


GOODS_IN = frozenset({ReturnAction.RECEIVE, ReturnAction.INSPECT})


def page_actions(rma: ReturnView, session: StaffSession) -> list[str]:
    """What this user may do to this return now: the state machine's actions the user's
    permissions cover (receiving and inspecting: ``returns:receive``; the rest:
    ``returns:write``)."""
    allowed = rma.allowed_actions
    return [
        a.value
        for a in PAGE_ACTIONS
        if a in allowed and session.may(P.RETURNS_RECEIVE if a in GOODS_IN else P.RETURNS_WRITE)
    ]


def _history(session: Session, rma: ReturnView) -> list[Any]:
    """The order's history rows about this return, newest first."""
    rows = order_queries.order_history(session, str(rma.order_id))
    return [h for h in reversed(rows) if (h.details or {}).get("return") == rma.number]


def return_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The return page; ``error`` (a refused action) shows above the actions, with the
    error's status code (the page itself is the same)."""
    with get_db(request).reader() as db_session:
        rma = queries.get_return(db_session, number)
        customer = get_customer(db_session, rma.customer_id)
        history = _history(db_session, rma)
        warehouses = [w.code for w in list_warehouses(db_session)]
    context = {
        "rma": rma,
        "customer": customer,
        "history": history,
        "actions": page_actions(rma, session),
        "warehouses": warehouses,
        "dispositions": [d.value for d in Disposition],
        "resolutions": [r.value for r in Resolution],
        "credited": money_str(rma.credited_total, rma.currency),
        "refunded": money_str(rma.refunded_total, rma.currency),
        "message": message,
        "error": error,
        "form": form or {},
    }
    status = error.status if error is not None else 200
    return render(request, "returns/detail.html", context, session, status_code=status)


DONE = {
    "create": "The return is requested.",
    "authorise": "The return is authorised: the customer may send the goods.",
    "reject": "The return is rejected.",
    "receive": "The goods are received.",
    "inspect": "The inspection is recorded.",
    "resolve": "The return is resolved.",
    "cancel": "The return is cancelled.",
}


@router.get("/returns/{number}", response_class=HTMLResponse)
def return_detail(request: Request, number: str, session: Reader, done: str = "") -> HTMLResponse:
    return return_page(request, session, number, message=DONE.get(done, ""))
