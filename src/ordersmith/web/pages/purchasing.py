"""Purchase orders in the back office: the filtered, keyset-paginated list, the purchase
order page and its PDF.

``GET /purchasing`` takes its filters (status, supplier code, SKU, days created, late)
as plain query parameters, so every list is a bookmarkable link and the form works
without JavaScript; with HTMX the form refreshes only the results. ``GET
/purchasing/orders/{number}`` shows the lines with what came and what is still open,
the receipts, the history, and the forms that the state machine (``purchasing.status``)
and the user's permissions allow (the POSTs are in ``purchasing_actions``);
``.../pdf`` is the document the supplier gets.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.queries import product_id_for_sku
from ordersmith.dashboard.queries import day_start
from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.purchasing import queries
from ordersmith.purchasing.documents import purchase_order_pdf_bytes
from ordersmith.purchasing.status import PurchaseOrderAction, PurchaseOrderStatus
from ordersmith.purchasing.views import PurchaseOrderView
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    status_of,
    wants_results_only,
)
from ordersmith.web.pages.listing import (
    ListParams,
    choice,
    day,
    form_values,
    query_params,
    read_page,
)
from ordersmith.web.pages.saved_filters import my_filters_context
from ordersmith.web.pagination import encode_time_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
A = PurchaseOrderAction
FILTER_FIELDS = ("status", "supplier", "sku", "created_from", "created_to", "late", "limit")
SAVED_FILTERS = (
    ("To approve", "status=draft"),
    ("To send", "status=approved"),
    ("Expected", "status=sent"),
    ("Partly received", "status=partially_received"),
    ("Late", "late=1"),
)
#: Who may do what to a purchase order (ADR 0027: receiving is goods-in work).
ACTION_PERMISSIONS = {
    A.APPROVE: P.PURCHASING_APPROVE,
    A.SEND: P.PURCHASING_WRITE,
    A.RECEIVE: P.INVENTORY_WRITE,
    A.CLOSE: P.PURCHASING_WRITE,
    A.CANCEL: P.PURCHASING_WRITE,
}
Reader = Annotated[StaffSession, Depends(require(P.PURCHASING_READ))]


@dataclass
class ListForm(ListParams):
    """What the list's parameters mean once read."""

    flt: queries.PurchaseOrderFilter = field(default_factory=queries.PurchaseOrderFilter)
    before: tuple[datetime, uuid.UUID] | None = None


def read_form(session: Session, params: dict[str, str]) -> ListForm:
    """Read the filters; every problem becomes a message (nothing raises)."""
    form = ListForm(form_values(params, FILTER_FIELDS))
    values, errors = form.values, form.errors
    status = choice("status", values["status"], [s.value for s in PurchaseOrderStatus], errors)
    start = day("from", values["created_from"], errors)
    end = day("to", values["created_to"], errors)
    if start and end and start > end:
        errors.append("from: must be on or before to")
    supplier_id = product_id = None
    if values["supplier"]:
        found = queries.find_supplier(session, values["supplier"])
        if found is None:
            errors.append(f"supplier: no supplier {values['supplier']!r}")
        else:
            supplier_id = found.id
    if values["sku"]:
        product_id = product_id_for_sku(session, values["sku"])
        if product_id is None:
            errors.append(f"SKU: no product {values['sku']!r}")
    form.before = read_page(form, params)
    form.flt = queries.PurchaseOrderFilter(
        status=PurchaseOrderStatus(status) if status else None,
        supplier_id=supplier_id,
        product_id=product_id,
        created_from=day_start(start) if start else None,
        created_before=day_start(end + timedelta(days=1)) if end else None,
        late_on=clock.today() if values["late"] in ("1", "on", "true") else None,
    )
    return form


@router.get("/purchasing", response_class=HTMLResponse)
def purchasing_list(request: Request, session: Reader) -> HTMLResponse:
    """Purchase orders newest first, filtered; ``limit`` a page (50), ``cursor`` next."""
    params = query_params(request)
    with get_db(request).reader() as db_session:
        form = read_form(db_session, params)
        found: list[Any] = []
        more = False
        if not form.errors:
            found, more = queries.list_purchase_orders(
                db_session, form.flt, before=form.before, limit=form.limit
            )
    next_query = None
    if more:
        next_query = form.query(cursor=encode_time_cursor(found[-1].created_at, found[-1].id))
    context = {
        "form": form,
        "rows": [(po, money_str(po.total, po.currency)) for po in found],
        "next_query": next_query,
        "first_query": form.query() if form.before else None,
        "saved_filters": SAVED_FILTERS,
        "statuses": [s.value for s in PurchaseOrderStatus],
        "this_query": form.query(),
        "may_write": session.may(P.PURCHASING_WRITE),
    }
    context |= my_filters_context(request, session, "purchasing")
    partial = wants_results_only(request)
    template = "purchasing/_results.html" if partial else "purchasing/list.html"
    return render(request, template, context, session)


# --- the purchase order page ------------------------------------------------------------


def page_actions(po: PurchaseOrderView, session: StaffSession) -> list[str]:
    """What this user may do to this purchase order now: the state machine's actions
    that the user's permissions allow (editing lines is the API's and the CLI's)."""
    return [
        action.value
        for action, permission in ACTION_PERMISSIONS.items()
        if action.value in po.allowed_actions and session.may(permission)
    ]


def history(po: PurchaseOrderView) -> list[tuple[datetime, str, str, str]]:
    """(when, what, who, why) of the order's life, oldest first, from its own fields."""
    steps = [
        (po.created_at, "created", po.created_by, ""),
        (po.approved_at, "approved", po.approved_by, ""),
        (po.sent_at, "sent", po.sent_by, ""),
        *((r.received_at, "received", r.received_by, r.delivery_note) for r in po.receipts),
        (po.closed_at, "closed", po.closed_by, po.close_reason),
        (po.cancelled_at, "cancelled", po.cancelled_by, po.cancel_reason),
    ]
    return sorted(((at, what, who, why) for at, what, who, why in steps if at), key=_first)


def _first(step: tuple[datetime, str, str, str]) -> datetime:
    return step[0]


DONE = {
    "create": "The draft purchase order is saved: approve it to send it.",
    "approve": "The purchase order is approved.",
    "send": "The purchase order is sent.",
    "receive": "The delivery is received into stock.",
    "close": "The purchase order is closed.",
    "cancel": "The purchase order is cancelled.",
}


def purchase_order_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The purchase order page; ``error`` (a refused action) shows above the actions,
    with the error's status code (the page itself is the same)."""
    with get_db(request).reader() as db_session:
        po = queries.get_purchase_order(db_session, number)
        supplier = queries.get_supplier(db_session, po.supplier_id)
    context = {
        "po": po,
        "supplier": supplier,
        "total": money_str(po.total, po.currency),
        "amounts": {line.line_no: money_str(line.amount, po.currency) for line in po.lines},
        "history": history(po),
        "actions": page_actions(po, session),
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "purchasing/detail.html", context, session, status_code=status_of(error))


@router.get("/purchasing/orders/{number}", response_class=HTMLResponse)
def purchase_order_detail(
    request: Request, number: str, session: Reader, done: str = ""
) -> HTMLResponse:
    return purchase_order_page(request, session, number, message=DONE.get(done, ""))


@router.get("/purchasing/orders/{number}/pdf")
def purchase_order_pdf(request: Request, number: str, session: Reader) -> Response:
    """The purchase order as printed (A4 PDF), as the supplier gets it."""
    db = get_db(request)
    with db.reader() as db_session:
        po = queries.get_purchase_order(db_session, number)
        content = purchase_order_pdf_bytes(db_session, db.settings, po.id)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{po.number}.pdf"'},
    )
