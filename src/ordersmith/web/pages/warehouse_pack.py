"""Packing on the warehouse floor: ``GET /warehouse/pack/{order or shipment number}``.

For an order: what was picked and waits for packing (per warehouse), and the form that
packs it into boxes (``shipping.packing.pack_shipment``): a carrier, its service level
and each box's weight and size; with several boxes (``?boxes=N``), the units of each
line in each box. For a shipment: its contents and boxes, then the steps its state
allows — print the label (books the carrier), the label and packing slip PDFs, dispatch,
cancel (the POSTs are in ``shipping_actions``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, NotFound, OmsError, ValidationFailed
from ordersmith.fulfillment.models import AllocationStatus
from ordersmith.fulfillment.queries import AllocationView, order_allocations
from ordersmith.orders.queries import get_order
from ordersmith.shipping.carriers import list_carriers
from ordersmith.shipping.packing import PackageInput, pack_shipment
from ordersmith.shipping.queries import get_shipment, list_shipments
from ordersmith.shipping.status import ShipmentStatus, allowed_actions
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, render, require, status_of
from ordersmith.web.pages.forms import Fields, act, refuse, units

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
Reader = Annotated[StaffSession, Depends(require(P.FULFILMENT_READ))]
Worker = Annotated[StaffSession, Depends(require(P.FULFILMENT_WRITE))]
MAX_BOXES = 10
MEASURES = (
    ("weight", "Weight (g)"),
    ("length", "Length (mm)"),
    ("width", "Width (mm)"),
    ("height", "Height (mm)"),
)


def waiting_to_pack(allocations: list[AllocationView]) -> dict[str, list[AllocationView]]:
    """The order's picked, not yet packed allocations, per warehouse code."""
    found: dict[str, list[AllocationView]] = defaultdict(list)
    for a in allocations:
        if a.status == AllocationStatus.PICKED and a.picked_quantity > a.packed_quantity:
            found[a.warehouse].append(a)
    return dict(found)


def order_pack_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    boxes: int = 1,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db:
        order = get_order(db, number)
        waiting = waiting_to_pack(order_allocations(db, order.id))
        shipments = list_shipments(db, order_id=order.id)
        carriers = [c for c in list_carriers(db) if c.active]
    context = {
        "order": order,
        "waiting": waiting,
        "shipments": shipments,
        "carriers": carriers,
        "service_levels": sorted({s.service_level for c in carriers for s in c.services}),
        "boxes": max(1, min(boxes, MAX_BOXES)),
        "max_boxes": MAX_BOXES,
        "measures": MEASURES,
        "may_pack": bool(waiting) and session.may(P.FULFILMENT_WRITE),
        "error": error,
        "form": form or {},
    }
    return render(
        request, "warehouse/pack_order.html", context, session, status_code=status_of(error)
    )


def shipment_pack_page(
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
    may_write = session.may(P.FULFILMENT_WRITE)
    actions = allowed_actions(ShipmentStatus(shipment.status)) if may_write else []
    context = {
        "shipment": shipment,
        "orders": sorted({line.order_number for line in shipment.lines}),
        "actions": [a.value for a in actions],
        "may_print": may_write and bool(shipment.tracking_number),
        "may_slip": may_write and shipment.status != ShipmentStatus.CANCELLED,
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(
        request, "warehouse/pack_shipment.html", context, session, status_code=status_of(error)
    )


DONE = {
    "pack": "Packed. Next: print the label.",
    "label": "The carrier is booked: print the label and the packing slip, then dispatch.",
    "cancel": "The shipment is cancelled: its goods wait, picked, to be packed again.",
}


@router.get("/warehouse/pack/{ref}", response_class=HTMLResponse)
def pack(request: Request, ref: str, session: Reader, boxes: str = "1", done: str = "") -> Response:
    """The packing page of a shipment (SH-…) or of an order's picked goods (SO-…)."""
    with get_db(request).reader() as db:
        try:
            get_shipment(db, ref)
        except NotFound:
            is_shipment = False
        else:
            is_shipment = True
    if is_shipment:
        return shipment_pack_page(request, session, ref, message=DONE.get(done, ""))
    count = int(boxes) if boxes.isascii() and boxes.isdigit() and len(boxes) < 3 else 1
    return order_pack_page(request, session, ref, boxes=count)


def read_packages(
    fields: dict[str, str], lines: dict[int, uuid.UUID], boxes: int
) -> list[PackageInput]:
    """Box ``b<i>_<measure>`` fields; with several boxes, ``b<i>_l<line_no>`` units."""
    problems: list[FieldError] = []
    packages = []
    for i in range(1, boxes + 1):
        size = [units(fields, f"b{i}_{name}", problems) for name, _label in MEASURES]
        contents: dict[uuid.UUID, int] = {}
        for line_no, line_id in lines.items() if boxes > 1 else ():
            if found := units(fields, f"b{i}_l{line_no}", problems):
                contents[line_id] = found
        weight, length, width, height = size
        packages.append(PackageInput(weight, length, width, height, contents=contents))
    refuse(problems, "packing")
    return packages


@router.post("/warehouse/pack/{number}")
def pack_order(request: Request, number: str, session: Worker, fields: Fields) -> Response:
    """Pack the order's picked goods at the warehouse into the boxes described."""
    boxes = units(fields, "boxes", []) or 1
    with get_db(request).reader() as db:
        order = get_order(db, number)
        waiting = waiting_to_pack(order_allocations(db, order.id))
    warehouse = fields.get("warehouse", "").strip() or next(iter(waiting), "")
    lines = {a.line_no: a.line_id for a in waiting.get(warehouse, [])}

    def work(uow: UnitOfWork) -> str:
        if not 1 <= boxes <= MAX_BOXES:
            raise ValidationFailed(
                f"from 1 to {MAX_BOXES} boxes", fields=[FieldError("boxes", "too many")]
            )
        ref = pack_shipment(
            uow,
            order_ids=[order.id],
            warehouse=warehouse,
            carrier=fields.get("carrier", ""),
            service_level=fields.get("service_level", "").strip() or None,
            packages=read_packages(fields, lines, boxes),
        )
        return f"/warehouse/pack/{ref.number}?done=pack"

    def refused(error: OmsError) -> HTMLResponse:
        return order_pack_page(request, session, number, boxes=boxes, error=error, form=fields)

    return act(request, session, work, on_error=refused)
