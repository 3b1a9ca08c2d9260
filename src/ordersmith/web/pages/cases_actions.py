"""The case pages' actions: open a case (``POST /cases``), and on a case add a note,
assign, change the priority, wait, reopen, resolve, close (``POST /cases/{number}/...``).

Each is a plain form POST with the CSRF token, needs ``cases:write`` (a user without it
gets the 403 page, whatever the form says), and calls the same service as the API in a
unit of work that carries the user's permissions (the services check them too). Done:
303 to the case page with a message. Refused (a transition the state machine does not
allow, an empty note or resolution, a closed case): the page again with the service's
message and code, and the error's status; nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.customer_service import queries
from ordersmith.customer_service.models import Visibility
from ordersmith.customer_service.notes import add_note
from ordersmith.customer_service.opening import open_case
from ordersmith.customer_service.services import (
    assign_case,
    change_priority,
    close_case,
    reopen_case,
    resolve_case,
    wait_on_customer,
)
from ordersmith.errors import OmsError
from ordersmith.orders import queries as order_queries
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.cases import case_page, new_case_page
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    require,
    staff_unit_of_work,
)
from ordersmith.web.pages.forms import act

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.CASES_WRITE))]
Text = Annotated[str, Form(max_length=20_000)]


def _act(
    request: Request,
    session: StaffSession,
    number: str,
    action: str,
    work: Callable[[UnitOfWork, uuid.UUID], str | None],
    form: dict[str, str],
) -> Response:
    """Run ``work`` on the case; it may name the message to show (default ``action``)."""
    db = get_db(request)
    with db.reader() as reader:
        case_id = queries.get_case(reader, number).id

    def run(uow: UnitOfWork) -> str:
        return f"/cases/{number}?done={work(uow, case_id) or action}"

    def refused(exc: OmsError) -> HTMLResponse:
        return case_page(request, session, number, error=exc, form=form | {"action": action})

    return act(request, session, run, on_error=refused)


@router.post("/cases")
def open_new_case(
    request: Request,
    session: Writer,
    order: Text = "",
    type: Text = "",  # the form field's name
    priority: Text = "",
    subject: Text = "",
    description: Text = "",
) -> Response:
    """A case about an order (its customer's), its description the first internal note."""
    form = {"type": type, "priority": priority, "subject": subject, "description": description}
    order_number = order.strip()[:64]
    db = get_db(request)
    with db.reader() as reader:  # the case's number is taken before the first statement
        found = order_queries.get_order(reader, order_number)
    try:
        with staff_unit_of_work(request, session) as uow:
            case = open_case(
                uow,
                customer_id=found.customer_id,
                order_id=found.id,
                case_type=type,
                priority=priority,
                subject=subject,
                description=description,
            )
    except OmsError as exc:
        if exc.status == 404:
            raise
        return new_case_page(request, session, order_number, error=exc, form=form)
    return RedirectResponse(f"/cases/{case.number}?done=open", status_code=303)


@router.post("/cases/{number}/note")
def note(
    request: Request,
    number: str,
    session: Writer,
    body: Text = "",
    visibility: Text = "",
    wait: Text = "",
) -> Response:
    """A note; ``visibility=customer`` emails it, ``wait`` also waits for the answer."""

    def work(uow: UnitOfWork, case_id: uuid.UUID) -> str:
        add_note(uow, case_id=case_id, body=body, visibility=visibility, wait=bool(wait))
        return "note_mailed" if visibility == Visibility.CUSTOMER.value else "note"

    form = {"body": body, "visibility": visibility, "wait": wait}
    return _act(request, session, number, "note", work, form)


@router.post("/cases/{number}/assign")
def assign(request: Request, number: str, session: Writer, assignee: Text = "") -> Response:
    def work(uow: UnitOfWork, case_id: uuid.UUID) -> None:
        assign_case(uow, case_id=case_id, assignee=assignee)

    return _act(request, session, number, "assign", work, {"assignee": assignee})


@router.post("/cases/{number}/priority")
def priority(request: Request, number: str, session: Writer, priority: Text = "") -> Response:
    def work(uow: UnitOfWork, case_id: uuid.UUID) -> None:
        change_priority(uow, case_id=case_id, priority=priority)

    return _act(request, session, number, "priority", work, {"priority": priority})


@router.post("/cases/{number}/wait")
def wait(request: Request, number: str, session: Writer) -> Response:
    def work(uow: UnitOfWork, case_id: uuid.UUID) -> None:
        wait_on_customer(uow, case_id=case_id)

    return _act(request, session, number, "wait", work, {})


@router.post("/cases/{number}/reopen")
def reopen(request: Request, number: str, session: Writer) -> Response:
    def work(uow: UnitOfWork, case_id: uuid.UUID) -> None:
        reopen_case(uow, case_id=case_id)

    return _act(request, session, number, "reopen", work, {})


@router.post("/cases/{number}/resolve")
def resolve(request: Request, number: str, session: Writer, resolution: Text = "") -> Response:
    def work(uow: UnitOfWork, case_id: uuid.UUID) -> None:
        resolve_case(uow, case_id=case_id, resolution=resolution)

    return _act(request, session, number, "resolve", work, {"resolution": resolution})


@router.post("/cases/{number}/close")
def close(request: Request, number: str, session: Writer) -> Response:
    def work(uow: UnitOfWork, case_id: uuid.UUID) -> None:
        close_case(uow, case_id=case_id)

    return _act(request, session, number, "close", work, {})
