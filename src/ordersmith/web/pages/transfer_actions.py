"""The transfer pages' actions (inventory:write): create (``POST /inventory/transfers``),
and on a transfer dispatch, receive, cancel (``POST /inventory/transfers/{number}/...``).

Plain form POSTs with the CSRF token, through the inventory services in a unit of work
that carries the user's permissions (the services check them too). Done: 303 to the
transfer's page with a message. Refused (the same warehouse at both ends, too little
available to dispatch, more received than is on the way, a state that does not allow
it): the page again with the service's message and code; nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.inventory.transfer_queries import TransferView, get_transfer
from ordersmith.inventory.transfer_receipts import cancel_transfer, receive_transfer
from ordersmith.inventory.transfers import TransferLineInput, create_transfer, dispatch_transfer
from ordersmith.uow import UnitOfWork
from ordersmith.validation import whole_number
from ordersmith.web.pages.deps import StaffSession, csrf_protect, require, staff_unit_of_work
from ordersmith.web.pages.forms import Fields, act, refuse
from ordersmith.web.pages.transfers import NEW_LINES, new_transfer_page, transfer_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.INVENTORY_WRITE))]


def typed_lines(
    fields: dict[str, str], rows: list[tuple[str, str]], *, what: str
) -> list[TransferLineInput]:
    """The lines of ``rows`` (SKU, name of its units field) with units typed; a message
    per units field that is not a whole number."""
    lines, problems = [], []
    for sku, name in rows:
        text = fields.get(name, "").strip()
        if not sku or not text or text == "0":
            continue
        units = whole_number(text)
        if units is None:
            problems.append(FieldError(name, f"{text!r} is not a whole number of units"))
        else:
            lines.append(TransferLineInput(sku, units))
    refuse(problems, what)
    return lines


@router.post("/inventory/transfers")
def create(request: Request, session: Writer, fields: Fields) -> Response:
    numbers = range(1, NEW_LINES + 1)
    rows = [(fields.get(f"l{i}_sku", "").strip(), f"l{i}_quantity") for i in numbers]
    created: list[TransferView] = []
    try:
        lines = typed_lines(fields, rows, what="transfer")
        with staff_unit_of_work(request, session) as uow:
            created.append(
                create_transfer(
                    uow,
                    from_warehouse=fields.get("from_warehouse", ""),
                    to_warehouse=fields.get("to_warehouse", ""),
                    lines=lines,
                    note=fields.get("note", ""),
                    dispatch=fields.get("dispatch") == "1",
                )
            )
    except OmsError as exc:
        return new_transfer_page(request, session, error=exc, form=fields)
    done = "dispatch" if created[0].status != "draft" else "create"
    return RedirectResponse(
        f"/inventory/transfers/{created[0].number}?done={done}", status_code=303
    )


def _act(
    request: Request,
    session: StaffSession,
    number: str,
    action: str,
    work: Callable[[UnitOfWork, TransferView], object],
    fields: dict[str, str],
) -> Response:
    """Run ``work`` on the transfer; a missing transfer is the 404 page, anything else
    missing (a SKU, a warehouse) a message on the transfer's page."""

    def refused(exc: OmsError) -> HTMLResponse:
        return transfer_page(request, session, number, error=exc, form=fields | {"action": action})

    def missing(exc: OmsError) -> bool:
        return exc.status == 404 and exc.code == "transfer_not_found"

    return act(
        request,
        session,
        lambda uow: work(uow, get_transfer(uow.session, number)),
        done_url=f"/inventory/transfers/{number}?done={action}",
        on_error=refused,
        missing=missing,
    )


@router.post("/inventory/transfers/{number}/dispatch")
def dispatch(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork, transfer: TransferView) -> object:
        return dispatch_transfer(uow, transfer_id=transfer.id)

    return _act(request, session, number, "dispatch", work, fields)


@router.post("/inventory/transfers/{number}/receive")
def receive(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    """The units that arrived per line (fields ``r<line_no>``)."""

    def work(uow: UnitOfWork, transfer: TransferView) -> object:
        rows = [(line.sku, f"r{line.line_no}") for line in transfer.lines]
        lines = typed_lines(fields, rows, what="receipt")
        if not lines:
            raise ValidationFailed(
                "type the units that arrived on at least one line",
                fields=[FieldError("lines", "nothing received")],
            )
        return receive_transfer(
            uow, transfer_id=transfer.id, lines=lines, note=fields.get("note", "")
        )

    return _act(request, session, number, "receive", work, fields)


@router.post("/inventory/transfers/{number}/cancel")
def cancel(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork, transfer: TransferView) -> object:
        return cancel_transfer(uow, transfer_id=transfer.id, reason=fields.get("reason", ""))

    return _act(request, session, number, "cancel", work, fields)
