"""The warehouse pages' actions: allocate an order, create a pick list (a wave), confirm
what was picked (``POST /warehouse/...``).

Each is a plain form POST with the CSRF token, needs ``fulfilment:write`` (a user
without it gets the 403 page), and calls the same service as the API in a unit of work
carrying the user's permissions (the services check them too). Done: 303 to the page
that shows the result, with a message. Refused (nothing ready to pick, a pick list
already confirmed, a quantity that is not a whole number or more than the line asks,
a short pick without a reason): the page again with the service's message, code and
status; nothing changed.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError
from ordersmith.fulfillment.allocation import allocate_order
from ordersmith.fulfillment.picking import confirm_pick_list, create_pick_list
from ordersmith.fulfillment.queries import PickListView, get_pick_list
from ordersmith.orders.queries import order_id
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, require
from ordersmith.web.pages.forms import Fields, act, refuse, units
from ordersmith.web.pages.warehouse import pick_list_page, warehouse_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Worker = Annotated[StaffSession, Depends(require(Permission.FULFILMENT_WRITE))]


def _queue(warehouse: str, done: str) -> str:
    return f"/warehouse?warehouse={quote(warehouse)}&done={done}"


@router.post("/warehouse/allocate")
def allocate(request: Request, session: Worker, fields: Fields) -> Response:
    """Allocate what a confirmed order still needs now (stock came back, say)."""
    warehouse = fields.get("warehouse", "").strip()

    def work(uow: UnitOfWork) -> str:
        number = fields.get("order", "").strip()[:64]
        outcome = allocate_order(uow, order_id=order_id(uow.session, number), trigger="manual")
        done = "allocate" if outcome is not None and outcome.allocated else "allocate-nothing"
        return _queue(warehouse, done)

    def refused(error: OmsError) -> HTMLResponse:
        return warehouse_page(request, session, warehouse, error=error)

    return act(request, session, work, on_error=refused)


@router.post("/warehouse/pick-lists")
def create_wave(request: Request, session: Worker, fields: Fields) -> Response:
    """A pick list of the oldest ready orders of the warehouse (at most ``max_orders``)."""
    warehouse = fields.get("warehouse", "").strip()[:20]

    def work(uow: UnitOfWork) -> str:
        problems: list[FieldError] = []
        max_orders = units(fields, "max_orders", problems) or 0
        refuse(problems, "pick list")
        ref = create_pick_list(uow, warehouse=warehouse, max_orders=max_orders)
        return f"/warehouse/pick-lists/{ref.number}?done=create"

    def refused(error: OmsError) -> HTMLResponse:
        return warehouse_page(request, session, warehouse, error=error)

    return act(request, session, work, on_error=refused)


def picked_quantities(
    pick_list: PickListView, fields: dict[str, str]
) -> tuple[dict[int, int], dict[int, str]]:
    """The units found per line (fields ``picked_<sequence>``; empty: all of them) and
    why each short line is short (``reason_<sequence>``, required for a short line)."""
    problems: list[FieldError] = []
    picked: dict[int, int] = {}
    reasons: dict[int, str] = {}
    for line in pick_list.lines:
        name = f"picked_{line.sequence}"
        if not fields.get(name, "").strip():
            continue
        found = units(fields, name, problems)
        reason = fields.get(f"reason_{line.sequence}", "").strip()
        if 0 <= found < line.quantity and not reason and name not in {p.field for p in problems}:
            problems.append(
                FieldError(f"reason_{line.sequence}", f"line {line.sequence} is short: say why")
            )
        picked[line.sequence] = found
        reasons[line.sequence] = reason
    refuse(problems, "pick")
    return picked, reasons


@router.post("/warehouse/pick-lists/{number}/confirm")
def confirm_pick(request: Request, number: str, session: Worker, fields: Fields) -> Response:
    """Confirm what was picked; short lines are written off and re-allocated."""
    with get_db(request).reader() as db:
        pick_list = get_pick_list(db, number)

    def work(uow: UnitOfWork) -> str:
        picked, reasons = picked_quantities(pick_list, fields)
        confirm_pick_list(uow, pick_list_id=pick_list.id, picked=picked, notes=reasons)
        return f"/warehouse/pick-lists/{pick_list.number}?done=confirm"

    def refused(error: OmsError) -> HTMLResponse:
        return pick_list_page(request, session, number, error=error, form=fields)

    return act(request, session, work, on_error=refused)
