"""Shipments in the back office: the filtered, keyset-paginated list, the shipment page
and its printed documents.

``GET /shipping`` (``fulfilment:read``) filters by status, carrier, warehouse, order
number and the days created, as plain query parameters (bookmarkable; HTMX refreshes
only the results). ``GET /shipping/{number}`` shows the shipment: where it goes, its
boxes and contents, the tracking number with the carrier's tracking link, every
tracking event, and (``fulfilment:write``) the forms to record a tracking update or the
delivery (POSTs in ``shipping_actions``). ``.../label.pdf`` reprints the label of a
booked shipment and ``.../packing-slip.pdf`` prints the slip (recorded on the shipment).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ordersmith.auth.permissions import Permission
from ordersmith.customers.queries import get_customer
from ordersmith.dashboard.queries import day_start
from ordersmith.errors import Conflict, OmsError
from ordersmith.inventory.queries import list_warehouses
from ordersmith.orders import queries as order_queries
from ordersmith.orders.errors import OrderNotFound
from ordersmith.shipping.carriers import adapter_for, get_carrier, list_carriers
from ordersmith.shipping.documents import print_packing_slip, render_packing_slip
from ordersmith.shipping.labels import print_label
from ordersmith.shipping.queries import ShipmentView, get_shipment, list_shipments
from ordersmith.shipping.status import PRE_DISPATCH, TERMINAL, ShipmentStatus, TrackingStatus
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    staff_unit_of_work,
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
from ordersmith.web.pdf import pdf_response

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
FILTER_FIELDS = ("status", "carrier", "warehouse", "order", "created_from", "created_to", "limit")
SAVED_FILTERS = (
    ("To label", "status=created"),
    ("To dispatch", "status=label_printed"),
    ("On the way", "status=in_transit"),
    ("Exceptions", "status=exception"),
    ("Delivered", "status=delivered"),
)
Reader = Annotated[StaffSession, Depends(require(P.FULFILMENT_READ))]
Worker = Annotated[StaffSession, Depends(require(P.FULFILMENT_WRITE))]


@dataclass
class ListForm(ListParams):
    """What the list's parameters mean once read (the keyword arguments of
    ``shipping.queries.list_shipments``)."""

    flt: dict[str, Any] = field(default_factory=dict)
    before: tuple[datetime, uuid.UUID] | None = None


def _code_id(
    name: str, value: str, ids: dict[str, uuid.UUID], errors: list[str]
) -> uuid.UUID | None:
    if not value:
        return None
    if value.upper() not in ids:
        errors.append(f"{name}: no {name} {value!r}")
    return ids.get(value.upper())


def read_form(session: Session, params: dict[str, str]) -> ListForm:
    """Read the filters; every problem becomes a message (nothing raises)."""
    values = form_values(params, FILTER_FIELDS)
    form = ListForm(values)
    errors = form.errors
    status = choice("status", values["status"], [s.value for s in ShipmentStatus], errors)
    carriers = {c.code.upper(): c.id for c in list_carriers(session)}
    warehouses = {w.code.upper(): w.id for w in list_warehouses(session)}
    start = day("from", values["created_from"], errors)
    end = day("to", values["created_to"], errors)
    order_id = None
    if values["order"]:
        try:
            order_id = order_queries.order_id(session, values["order"])
        except OrderNotFound:
            errors.append(f"order: no order {values['order']!r}")
    form.before = read_page(form, params)
    form.flt = {
        "status": status,
        "carrier_id": _code_id("carrier", values["carrier"], carriers, errors),
        "warehouse_id": _code_id("warehouse", values["warehouse"], warehouses, errors),
        "order_id": order_id,
        "created_from": day_start(start) if start else None,
        "created_to": day_start(end + timedelta(days=1)) if end else None,
    }
    return form


@router.get("/shipping", response_class=HTMLResponse)
def shipping_list(request: Request, session: Reader) -> HTMLResponse:
    """Shipments newest first, filtered; ``limit`` a page (50), ``cursor`` for the next."""
    params = query_params(request)
    with get_db(request).reader() as db:
        form = read_form(db, params)
        found: list[ShipmentView] = []
        if not form.errors:
            found = list_shipments(db, **form.flt, limit=form.limit + 1, before=form.before)
        carriers = [c.code for c in list_carriers(db)]
        warehouses = [w.code for w in list_warehouses(db)]
    next_query = None
    if len(found) > form.limit:
        last = found[form.limit - 1]
        next_query = form.query(cursor=encode_time_cursor(last.created_at, last.id))
    context = {
        "form": form,
        "rows": found[: form.limit],
        "next_query": next_query,
        "first_query": form.query() if form.before else None,
        "saved_filters": SAVED_FILTERS,
        "statuses": [s.value for s in ShipmentStatus],
        "carriers": carriers,
        "warehouses": warehouses,
        "this_query": form.query(),
    }
    context |= my_filters_context(request, session, "shipping")
    template = "shipping/_results.html" if wants_results_only(request) else "shipping/list.html"
    return render(request, template, context, session)


def tracking_link(db: Session, shipment: ShipmentView) -> str:
    """The carrier's page for the shipment's tracking number (as booked, else the
    carrier adapter's)."""
    if not shipment.tracking_number:
        return ""
    return shipment.tracking_url or adapter_for(get_carrier(db, shipment.carrier)).tracking_url(
        shipment.tracking_number
    )


def shipment_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db:
        shipment = get_shipment(db, number)
        customer = get_customer(db, shipment.customer_id)
        link = tracking_link(db, shipment)
    context = {
        "shipment": shipment,
        "customer": customer,
        "tracking_link": link,
        "orders": sorted({line.order_number for line in shipment.lines}),
        "may_track": session.may(P.FULFILMENT_WRITE)
        and bool(shipment.tracking_number)
        and shipment.status != ShipmentStatus.CANCELLED,
        "in_building": shipment.status in PRE_DISPATCH,
        "delivered": shipment.status in TERMINAL,
        "tracking_statuses": [s.value for s in TrackingStatus],
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "shipping/detail.html", context, session, status_code=status_of(error))


DONE = {
    "dispatch": "Dispatched: the goods are on their way.",
    "tracking": "The tracking update is recorded.",
    "delivered": "The shipment is delivered.",
}


@router.get("/shipping/{number}", response_class=HTMLResponse)
def shipment_detail(request: Request, number: str, session: Reader, done: str = "") -> HTMLResponse:
    return shipment_page(request, session, number, message=DONE.get(done, ""))


def _shipment_id(request: Request, number: str) -> uuid.UUID:
    with get_db(request).reader() as db:
        return get_shipment(db, number).id


@router.get("/shipping/{number}/label.pdf")
def label_pdf(request: Request, number: str, session: Worker) -> Response:
    """The labels of a booked shipment again (same tracking number); booking itself is
    the *Print label* button (a POST)."""
    with get_db(request).reader() as db:
        shipment = get_shipment(db, number)
    if not shipment.tracking_number:
        raise Conflict(
            f"shipment {shipment.number} is not booked yet: press Print label first",
            code="label_not_printed",
        )
    tracking_number, pdf = print_label(
        lambda: staff_unit_of_work(request, session), shipment_id=shipment.id
    )  # booked: drawn from the stored booking, no write transaction
    return pdf_response(pdf, f"label-{tracking_number}")


@router.get("/shipping/{number}/packing-slip.pdf")
def packing_slip(request: Request, number: str, session: Worker) -> Response:
    """The packing slip; printing it is recorded on the shipment (perfect order)."""
    shipment_id = _shipment_id(request, number)
    with staff_unit_of_work(request, session) as uow:
        slip = print_packing_slip(uow, shipment_id=shipment_id)
    return pdf_response(render_packing_slip(slip), f"packing-slip-{number}")
