"""The return pages' actions: request a return (``POST /returns``), and on a return
authorise, reject, receive, inspect, resolve, cancel (``POST /returns/{number}/...``).

Each is a plain form POST with the CSRF token, needs ``returns:write`` (a user without it
gets the 403 page, whatever the form says), and calls the same service as the API in a
unit of work that carries the user's permissions (the services check them too: an
override of the return window needs ``returns:override``). Done: 303 to the return page
with a message. Refused (a transition the state machine does not allow, a missing
reason, units that do not add up, a bad number typed): the page again with the
service's message and code, and the error's status; nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError
from ordersmith.orders import queries as order_queries
from ordersmith.returns import queries
from ordersmith.returns.inputs import DispositionInput, ReceivedLineInput, ReturnLineInput
from ordersmith.returns.inspection import inspect_return
from ordersmith.returns.models import Disposition
from ordersmith.returns.requests import create_return
from ordersmith.returns.resolution import resolve_return
from ordersmith.returns.services import (
    authorise_return,
    cancel_return,
    receive_return,
    reject_return,
)
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    require,
    staff_unit_of_work,
)
from ordersmith.web.pages.forms import Fields, line_numbers, refuse
from ordersmith.web.pages.forms import units as read_units
from ordersmith.web.pages.returns import new_return_page, return_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.RETURNS_WRITE))]
GoodsIn = Annotated[StaffSession, Depends(require(Permission.RETURNS_RECEIVE))]


def requested_lines(fields: dict[str, str]) -> list[ReturnLineInput]:
    """The units asked back per order line (fields ``l<n>_quantity``, ``_reason``,
    ``_note``; lines left at 0 are not returned); ValidationFailed for bad numbers."""
    problems: list[FieldError] = []
    lines = []
    for line_no in line_numbers(fields, "l"):
        units = read_units(fields, f"l{line_no}_quantity", problems)
        if units:
            reason = fields.get(f"l{line_no}_reason", "")
            note = fields.get(f"l{line_no}_note", "")
            lines.append(ReturnLineInput(line_no, units, reason, note))
    refuse(problems, "return request")
    return lines


def _act(
    request: Request,
    session: StaffSession,
    number: str,
    action: str,
    work: Callable[[UnitOfWork, uuid.UUID], object],
    form: dict[str, str],
) -> Response:
    db = get_db(request)
    with db.reader() as reader:  # before the unit of work: an exchange takes a number first
        return_id = queries.get_return(reader, number).id
    try:
        with staff_unit_of_work(request, session) as uow:
            work(uow, return_id)
    except OmsError as exc:
        if exc.status == 404:
            raise
        return return_page(request, session, number, error=exc, form=form | {"action": action})
    return RedirectResponse(f"/returns/{number}?done={action}", status_code=303)


@router.post("/returns")
def request_return(request: Request, session: Writer, fields: Fields) -> Response:
    """A return of the units typed per order line (lines left at 0 are not returned)."""
    order_number = fields.get("order", "").strip()[:64]
    created: list[str] = []
    try:
        lines = requested_lines(fields)
        with get_db(request).reader() as reader:  # the return's number is taken first
            order_id = order_queries.order_id(reader, order_number)
        with staff_unit_of_work(request, session) as uow:
            view = create_return(
                uow,
                order_id=order_id,
                lines=lines,
                comment=fields.get("comment", ""),
                override_window_reason=fields.get("override_window_reason", ""),
                warehouse=fields.get("warehouse", "").strip() or None,
            )
            created.append(view.number)
    except OmsError as exc:
        if exc.status == 404:
            raise
        return new_return_page(request, session, order_number, error=exc, form=fields)
    return RedirectResponse(f"/returns/{created[0]}?done=create", status_code=303)


@router.post("/returns/{number}/authorise")
def authorise(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    warehouse, note = fields.get("warehouse", "").strip(), fields.get("note", "")

    def work(uow: UnitOfWork, return_id: uuid.UUID) -> object:
        return authorise_return(uow, return_id=return_id, warehouse=warehouse or None, note=note)

    return _act(request, session, number, "authorise", work, fields)


@router.post("/returns/{number}/reject")
def reject(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork, return_id: uuid.UUID) -> object:
        return reject_return(uow, return_id=return_id, reason=fields.get("reason", ""))

    return _act(request, session, number, "reject", work, fields)


@router.post("/returns/{number}/receive")
def receive(request: Request, number: str, session: GoodsIn, fields: Fields) -> Response:
    """The units that arrived, per line (fields ``l<line_no>_received``)."""

    def work(uow: UnitOfWork, return_id: uuid.UUID) -> object:
        problems: list[FieldError] = []
        lines = [
            ReceivedLineInput(n, read_units(fields, f"l{n}_received", problems))
            for n in line_numbers(fields, "l")
        ]
        refuse(problems, "receipt")
        return receive_return(uow, return_id=return_id, lines=lines)

    return _act(request, session, number, "receive", work, fields)


@router.post("/returns/{number}/inspect")
def inspect(request: Request, number: str, session: GoodsIn, fields: Fields) -> Response:
    """Per line, the units restocked, refurbished, scrapped and held for the supplier
    (fields ``l<line_no>_<disposition>``); they must add up to the units received."""

    def work(uow: UnitOfWork, return_id: uuid.UUID) -> object:
        problems: list[FieldError] = []
        decided = []
        for n in line_numbers(fields, "l"):
            for kind in Disposition:
                units = read_units(fields, f"l{n}_{kind.value}", problems)
                if units:
                    note = fields.get(f"l{n}_note", "")
                    decided.append(DispositionInput(n, kind.value, units, note=note))
        refuse(problems, "inspection")
        return inspect_return(uow, return_id=return_id, dispositions=decided)

    return _act(request, session, number, "inspect", work, fields)


@router.post("/returns/{number}/resolve")
def resolve(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork, return_id: uuid.UUID) -> object:
        return resolve_return(
            uow,
            return_id=return_id,
            resolution=fields.get("resolution", ""),
            note=fields.get("note", ""),
        )

    return _act(request, session, number, "resolve", work, fields)


@router.post("/returns/{number}/cancel")
def cancel(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork, return_id: uuid.UUID) -> object:
        return cancel_return(uow, return_id=return_id, reason=fields.get("reason", ""))

    return _act(request, session, number, "cancel", work, fields)
