"""The order page's actions: confirm, hold, release, cancel, and invoice
(``POST /orders/{number}/...``).

Each is a plain form POST with the CSRF token, needs ``orders:manage`` (invoicing needs
``billing:write``; a user without it gets the 403 page, whatever the form says), and
calls the same service as the API in a unit of work that carries the user's permissions
(the service checks them too). Done: 303 back to the order page with a message (an
invoice: to the new invoice's page). Refused (a transition the state machine does
not allow, a missing reason, a credit hold without ``credit:release``): the order page
again with the service's message and code, and the error's status; nothing changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.billing.invoices import invoice_order
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.orders import queries, services
from ordersmith.orders.status import HoldReason
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.deps import StaffSession, csrf_protect, require
from ordersmith.web.pages.forms import act
from ordersmith.web.pages.orders import HOLD_CHOICES, order_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Manager = Annotated[StaffSession, Depends(require(Permission.ORDERS_MANAGE))]
Biller = Annotated[StaffSession, Depends(require(Permission.BILLING_WRITE))]
Text = Annotated[str, Form(max_length=4000)]


def _act(
    request: Request,
    session: StaffSession,
    number: str,
    action: str,
    work: Callable[[UnitOfWork, uuid.UUID], object],
    form: dict[str, str],
) -> Response:

    def refused(exc: OmsError) -> HTMLResponse:
        return order_page(request, session, number, error=exc, form=form | {"action": action})

    return act(
        request,
        session,
        lambda uow: work(uow, queries.order_id(uow.session, number)),
        done_url=f"/orders/{number}?done={action}",
        on_error=refused,
    )


@router.post("/orders/{number}/confirm")
def confirm(request: Request, number: str, session: Manager, note: Text = "") -> Response:
    def work(uow: UnitOfWork, order_id: uuid.UUID) -> object:
        return services.confirm_order(uow, order_id=order_id, note=note)

    return _act(request, session, number, "confirm", work, {"note": note})


@router.post("/orders/{number}/hold")
def hold(
    request: Request, number: str, session: Manager, reason: Text = "", note: Text = ""
) -> Response:
    def work(uow: UnitOfWork, order_id: uuid.UUID) -> object:
        if reason not in {h.value for h in HOLD_CHOICES}:
            choices = ", ".join(h.value for h in HOLD_CHOICES)
            raise ValidationFailed(
                f"reason must be one of {choices}",
                fields=[FieldError("reason", f"one of {choices}")],
            )
        return services.hold_order(
            uow,
            order_id=order_id,
            reason=HoldReason(reason),
            note=note,
        )

    return _act(request, session, number, "hold", work, {"reason": reason, "note": note})


@router.post("/orders/{number}/release")
def release(request: Request, number: str, session: Manager, note: Text = "") -> Response:
    def work(uow: UnitOfWork, order_id: uuid.UUID) -> object:
        order = queries.get_order(uow.session, str(order_id))
        if order.hold_reason == HoldReason.CREDIT:  # as the API: lifting credit needs more
            uow.authorize(Permission.CREDIT_RELEASE)
        return services.release_order(uow, order_id=order.id, note=note)

    return _act(request, session, number, "release", work, {"note": note})


@router.post("/orders/{number}/cancel")
def cancel(request: Request, number: str, session: Manager, reason: Text = "") -> Response:
    def work(uow: UnitOfWork, order_id: uuid.UUID) -> object:
        return services.cancel_order(uow, order_id=order_id, reason=reason)

    return _act(request, session, number, "cancel", work, {"reason": reason})


@router.post("/orders/{number}/invoice")
def invoice(request: Request, number: str, session: Biller) -> Response:
    """Invoice what of the order is not invoiced yet; done: the new invoice's page."""

    def work(uow: UnitOfWork) -> object:
        issued = invoice_order(uow, order_id=queries.order_id(uow.session, number))
        return f"/billing/invoices/{issued.number}?done=issued"

    return act(
        request,
        session,
        work,
        on_error=lambda exc: order_page(request, session, number, error=exc, form={}),
    )
