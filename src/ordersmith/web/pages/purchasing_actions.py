"""The purchase order page's actions: approve, send, receive, close, cancel
(``POST /purchasing/orders/{number}/...``).

Each is a plain form POST with the CSRF token and needs its permission
(``purchasing:approve`` to approve, ``inventory:write`` to receive: ADR 0027,
``purchasing:write`` for the rest); a user without it gets the 403 page, and the
service refuses too, since the unit of work carries the user's permissions. Done: 303
to the purchase order page with a message. Refused (a transition the state machine
does not allow, an over-receipt, a short close without a reason, a bad number typed):
the page again with the service's message and code and the error's status; nothing
changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.purchasing import queries
from ordersmith.purchasing.inputs import ReceiptLineInput
from ordersmith.purchasing.receiving import receive_purchase_order
from ordersmith.purchasing.services import (
    approve_purchase_order,
    cancel_purchase_order,
    close_purchase_order,
    send_purchase_order,
)
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, require
from ordersmith.web.pages.forms import Fields, act, refuse, units
from ordersmith.web.pages.purchasing import purchase_order_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
Approver = Annotated[StaffSession, Depends(require(P.PURCHASING_APPROVE))]
Writer = Annotated[StaffSession, Depends(require(P.PURCHASING_WRITE))]
GoodsIn = Annotated[StaffSession, Depends(require(P.INVENTORY_WRITE))]


def _act(
    request: Request,
    session: StaffSession,
    number: str,
    action: str,
    work: Callable[[UnitOfWork, uuid.UUID], object],
    form: dict[str, str],
) -> Response:
    with get_db(request).reader() as reader:
        po = queries.get_purchase_order(reader, number)

    def refused(exc: OmsError) -> HTMLResponse:
        form_in = form | {"action": action}
        return purchase_order_page(request, session, po.number, error=exc, form=form_in)

    return act(
        request,
        session,
        lambda uow: work(uow, po.id),
        done_url=f"/purchasing/orders/{po.number}?done={action}",
        on_error=refused,
    )


@router.post("/purchasing/orders/{number}/approve")
def approve(request: Request, number: str, session: Approver, fields: Fields) -> Response:
    def work(uow: UnitOfWork, po_id: uuid.UUID) -> object:
        return approve_purchase_order(uow, purchase_order_id=po_id)

    return _act(request, session, number, "approve", work, fields)


@router.post("/purchasing/orders/{number}/send")
def send(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    """approved → sent; with ``email`` (the default) the worker mails the PDF."""
    email = fields.get("email", "1") != "0"

    def work(uow: UnitOfWork, po_id: uuid.UUID) -> object:
        return send_purchase_order(uow, purchase_order_id=po_id, email=email)

    return _act(request, session, number, "send", work, fields)


def _receipt_lines(fields: dict[str, str]) -> list[ReceiptLineInput]:
    """The units typed per line (fields ``l<line_no>_received``); lines left at 0 or
    empty are not received."""
    problems: list[FieldError] = []
    lines = []
    for key in sorted(fields):
        head, _, tail = key.partition("_")
        if tail != "received" or not head.startswith("l") or not head[1:].isdigit():
            continue
        received = units(fields, key, problems)
        if received:
            lines.append(ReceiptLineInput(int(head[1:]), received))
    refuse(problems, "receipt")
    if not lines:
        raise ValidationFailed(
            "type the units that arrived on at least one line",
            fields=[FieldError("lines", "nothing typed")],
        )
    return lines


@router.post("/purchasing/orders/{number}/receive")
def receive(request: Request, number: str, session: GoodsIn, fields: Fields) -> Response:
    """A delivery: the units that arrived per line, and the supplier's delivery note."""

    def work(uow: UnitOfWork, po_id: uuid.UUID) -> object:
        return receive_purchase_order(
            uow,
            purchase_order_id=po_id,
            lines=_receipt_lines(fields),
            delivery_note=fields.get("delivery_note", ""),
            note=fields.get("note", ""),
        )

    return _act(request, session, number, "receive", work, fields)


@router.post("/purchasing/orders/{number}/close")
def close(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork, po_id: uuid.UUID) -> object:
        return close_purchase_order(uow, purchase_order_id=po_id, reason=fields.get("reason", ""))

    return _act(request, session, number, "close", work, fields)


@router.post("/purchasing/orders/{number}/cancel")
def cancel(request: Request, number: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork, po_id: uuid.UUID) -> object:
        return cancel_purchase_order(uow, purchase_order_id=po_id, reason=fields.get("reason", ""))

    return _act(request, session, number, "cancel", work, fields)
