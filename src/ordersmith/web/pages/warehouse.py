"""The warehouse floor in the back office: a warehouse's work queue and its pick lists.

``GET /warehouse?warehouse=CODE`` (``fulfilment:read``) shows, for one warehouse (the
first by priority unless chosen), the next jobs of each step, oldest first: confirmed
orders waiting for stock (any warehouse), orders allocated here and ready to pick, the
open pick lists, orders picked and waiting to be packed, shipments to label and to
dispatch. ``GET /warehouse/pick-lists/{number}`` is a pick list in walking order with
the form to confirm what was picked, and ``.../pdf`` its printout. ``GET
/warehouse/find?ref=`` takes what a scanner reads (an order, shipment or pick list
number) to its page. The POSTs are in ``warehouse_actions``; packing in ``warehouse_pack``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from ordersmith.auth.permissions import Permission
from ordersmith.documents import pick_list_pdf
from ordersmith.errors import NotFound, OmsError
from ordersmith.fulfillment import work_queue
from ordersmith.fulfillment.documents import pick_list_document
from ordersmith.fulfillment.queries import get_pick_list, pick_list_id
from ordersmith.inventory.queries import list_warehouses
from ordersmith.orders.queries import order_id
from ordersmith.shipping.queries import get_shipment, list_shipments
from ordersmith.shipping.status import ShipmentStatus
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, render, require, status_of
from ordersmith.web.pdf import pdf_response

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
Reader = Annotated[StaffSession, Depends(require(P.FULFILMENT_READ))]
DEFAULT_WAVE = 20


def warehouse_page(
    request: Request,
    session: StaffSession,
    code: str,
    *,
    message: str = "",
    error: OmsError | None = None,
) -> HTMLResponse:
    """The work queue of warehouse ``code`` (empty: the first by priority)."""
    code = code.strip().upper()[:20]
    problems: list[str] = []
    with get_db(request).reader() as db:
        warehouses = [w for w in list_warehouses(db) if w.active]
        chosen = next((w for w in warehouses if w.code == code or not code), None)
        if chosen is None and code:
            problems.append(f"warehouse: no warehouse {code!r}")
        queue: dict[str, object] = {"waiting": work_queue.waiting_for_stock(db)}
        if chosen is not None:
            queue |= {
                "ready": work_queue.ready_to_pick(db, chosen.id),
                "pick_lists": work_queue.open_pick_lists(db, chosen.id),
                "to_pack": work_queue.to_pack(db, chosen.id),
                "to_label": list_shipments(
                    db, status=ShipmentStatus.CREATED.value, warehouse_id=chosen.id
                ),
                "to_dispatch": list_shipments(
                    db, status=ShipmentStatus.LABEL_PRINTED.value, warehouse_id=chosen.id
                ),
            }
    context = {
        "warehouses": warehouses,
        "chosen": chosen,
        "problems": problems,
        "may_write": session.may(P.FULFILMENT_WRITE),
        "default_wave": DEFAULT_WAVE,
        "message": message,
        "error": error,
        **queue,
    }
    return render(request, "warehouse/index.html", context, session, status_code=status_of(error))


DONE = {
    "allocate": "The order is allocated.",
    "allocate-nothing": "Nothing more of the order can be allocated now.",
    "create": "The pick list is ready: walk it in this order.",
    "confirm": "The pick is confirmed.",
}


@router.get("/warehouse", response_class=HTMLResponse)
def warehouse(
    request: Request, session: Reader, warehouse: str = "", done: str = ""
) -> HTMLResponse:
    return warehouse_page(request, session, warehouse, message=DONE.get(done, ""))


#: Where a scanned number leads, tried in order: (page, look-up raising NotFound).
FINDERS: tuple[tuple[str, Callable[[Session, str], object]], ...] = (
    ("pick-lists", pick_list_id),
    ("pack", get_shipment),
    ("pack", order_id),
)


@router.get("/warehouse/find")
def find(request: Request, session: Reader, ref: str = "", warehouse: str = "") -> Response:
    """What a scanner read (or a person typed): a pick list, shipment or order number."""
    ref = ref.strip().upper()[:64]
    with get_db(request).reader() as db:
        for page, look_up in FINDERS:
            try:
                look_up(db, ref)
            except NotFound:
                continue
            return RedirectResponse(f"/warehouse/{page}/{quote(ref)}", status_code=303)
    error = NotFound(f"no order, shipment or pick list {ref!r}", code="not_found")
    return warehouse_page(request, session, warehouse, error=error)


def pick_list_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """A pick list in walking order; while open, the form to confirm what was picked."""
    with get_db(request).reader() as db:
        pick_list = get_pick_list(db, number)
    context = {
        "pick_list": pick_list,
        "may_confirm": pick_list.status == "open" and session.may(P.FULFILMENT_WRITE),
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(
        request, "warehouse/pick_list.html", context, session, status_code=status_of(error)
    )


@router.get("/warehouse/pick-lists/{number}", response_class=HTMLResponse)
def pick_list(request: Request, number: str, session: Reader, done: str = "") -> HTMLResponse:
    return pick_list_page(request, session, number, message=DONE.get(done, ""))


@router.get("/warehouse/pick-lists/{number}/pdf")
def pick_list_printout(request: Request, number: str, session: Reader) -> Response:
    """The printable pick list (the same PDF as the API's)."""
    with get_db(request).reader() as db:
        doc = pick_list_document(db, pick_list_id(db, number))
    return pdf_response(pick_list_pdf(doc), doc.number)
