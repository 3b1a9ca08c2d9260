"""Replenishment in the back office: the requests and suggestions, each with why.

``GET /replenishment`` lists requests newest first (``replenishment.queries``: keyset on
(created_at, id)), filtered by status, warehouse, supplier and SKU as plain query
parameters (bookmarkable; HTMX refreshes only the results). Each row says why it was
raised (the policy, its levels, what is available, backordered and on order, the
projected position) and, for a user with ``purchasing:write``, the forms its state
allows: approve, edit the quantity, reject with a reason; and above the list, approve
the ticked ones and create purchase orders from the approved ones (the POSTs are in
``replenishment_actions``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith.auth.permissions import Permission
from ordersmith.errors import OmsError
from ordersmith.replenishment import queries
from ordersmith.replenishment.status import RequestStatus
from ordersmith.replenishment.views import RequestView
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    status_of,
    wants_results_only,
)
from ordersmith.web.pages.listing import ListParams, choice, form_values, query_params, read_page
from ordersmith.web.pagination import encode_time_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
FILTER_FIELDS = ("status", "warehouse", "supplier", "sku", "limit")
SAVED_FILTERS = (
    ("To decide", "status=open"),
    ("Approved, to order", "status=approved"),
    ("Ordered", "status=ordered"),
    ("Rejected", "status=rejected"),
)
#: What explains a request, in the order shown (``numbers`` of ``replenishment.rules``).
WHY_FIELDS = (
    ("policy", "policy"),
    ("basis", "basis"),
    ("reorder_point", "reorder point (forecast)"),
    ("order_up_to", "order up to (forecast)"),
    ("min", "min"),
    ("max", "max"),
    ("available", "on hand, available"),
    ("backordered", "backordered"),
    ("on_order", "on order"),
    ("on_draft_orders", "on draft orders"),
    ("in_transit", "in transit"),
    ("projected_position", "projected position"),
    ("need", "need"),
)
_DOCUMENT = re.compile(r"PO-\d{4}-\d{6}")
Reader = Annotated[StaffSession, Depends(require(P.PURCHASING_READ))]


@dataclass
class ListForm(ListParams):
    flt: queries.RequestFilter = field(default_factory=queries.RequestFilter)
    before: tuple[datetime, uuid.UUID] | None = None


def read_form(params: dict[str, str]) -> ListForm:
    """Read the filters; every problem becomes a message (nothing raises). Unknown
    codes and SKUs simply match nothing."""
    form = ListForm(form_values(params, FILTER_FIELDS))
    values = form.values
    status = choice("status", values["status"], [s.value for s in RequestStatus], form.errors)
    form.before = read_page(form, params)
    form.flt = queries.RequestFilter(
        status=RequestStatus(status) if status else None,
        warehouse=values["warehouse"] or None,
        supplier=values["supplier"] or None,
        sku=values["sku"] or None,
    )
    return form


def why(request: RequestView) -> list[tuple[str, Any]]:
    """The numbers that explain the request, labelled, those it has only."""
    numbers = request.numbers
    return [(label, numbers[key]) for key, label in WHY_FIELDS if numbers.get(key) is not None]


def made_documents(text: str) -> list[str]:
    """The purchase order numbers named in ``made=`` (after ordering), well-formed only."""
    return [n for n in text.split(",")[:50] if _DOCUMENT.fullmatch(n)]


DONE = {
    "approve": "The request is approved.",
    "approve_selected": "The selected requests are approved.",
    "edit": "The quantity is changed.",
    "reject": "The request is rejected.",
    "order": "Purchase orders are created from the approved requests.",
    "nothing": "No approved request could be ordered.",
}


def replenishment_page(
    request: Request,
    session: StaffSession,
    params: dict[str, str],
    *,
    message: str = "",
    made: list[str] | None = None,
    error: OmsError | None = None,
    failed: str = "",
    form_in: dict[str, str] | None = None,
) -> HTMLResponse:
    """The list; ``error`` (a refused action on request ``failed``) shows above it."""
    form = read_form(params)
    rows: list[RequestView] = []
    more = False
    if not form.errors:
        with get_db(request).reader() as db_session:
            rows, more = queries.list_requests(
                db_session, form.flt, before=form.before, limit=form.limit
            )
    next_query = None
    if more:
        next_query = form.query(cursor=encode_time_cursor(rows[-1].created_at, rows[-1].id))
    context = {
        "form": form,
        "rows": [(r, why(r)) for r in rows],
        "next_query": next_query,
        "first_query": form.query() if form.before else None,
        "saved_filters": SAVED_FILTERS,
        "statuses": [s.value for s in RequestStatus],
        "this_query": form.query(),
        "may_write": session.may(P.PURCHASING_WRITE),
        "message": message,
        "made": made or [],
        "error": error,
        "failed": failed,
        "posted": form_in or {},
    }
    partial = wants_results_only(request) and error is None
    template = "replenishment/_results.html" if partial else "replenishment/list.html"
    return render(request, template, context, session, status_code=status_of(error))


@router.get("/replenishment", response_class=HTMLResponse)
def replenishment_list(request: Request, session: Reader) -> HTMLResponse:
    params = query_params(request)
    return replenishment_page(
        request,
        session,
        params,
        message=DONE.get(params.get("done", ""), ""),
        made=made_documents(params.get("made", "")),
    )
