"""A shipment's actions: book and print the label, dispatch, cancel (from the packing
page), record a tracking update or the delivery (from the shipment page):
``POST /shipping/{number}/label|dispatch|cancel|tracking|delivered``.

As every back-office action: the CSRF token, ``fulfilment:write`` (else the 403 page),
the same services as the API in a unit of work carrying the user's permissions; done:
303 to the page showing the result; refused: that page again with the service's
message, code and status, nothing changed. A tracking update typed here is recorded as
a carrier event of source ``staff`` (its id made up), so it resolves the shipment's
state by the same rules as the carrier's own events (ADR 0010).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.shipping.dispatch import cancel_shipment, dispatch_shipment
from ordersmith.shipping.labels import book_label
from ordersmith.shipping.queries import ShipmentView, get_shipment
from ordersmith.shipping.tracking import TrackingInput, record_tracking
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, require
from ordersmith.web.pages.forms import Fields, act
from ordersmith.web.pages.shipping import shipment_page
from ordersmith.web.pages.warehouse_pack import shipment_pack_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Worker = Annotated[StaffSession, Depends(require(Permission.FULFILMENT_WRITE))]
Work = Callable[[UnitOfWork, ShipmentView], str]


def _on_shipment(
    request: Request,
    session: StaffSession,
    number: str,
    work: Work,
    page: Callable[..., HTMLResponse],
    form: dict[str, str],
) -> Response:
    with get_db(request).reader() as db:
        shipment = get_shipment(db, number)

    def refused(error: OmsError) -> HTMLResponse:
        return page(request, session, number, error=error, form=form)

    return act(request, session, lambda uow: work(uow, shipment), on_error=refused)


@router.post("/shipping/{number}/label")
def label(request: Request, number: str, session: Worker, fields: Fields) -> Response:
    """Book the carrier (the first time): the tracking number. The page then links to
    the labels (``label.pdf``), drawn from the stored booking outside any transaction."""

    def work(uow: UnitOfWork, shipment: ShipmentView) -> str:
        book_label(uow, shipment_id=shipment.id)
        return f"/warehouse/pack/{shipment.number}?done=label"

    return _on_shipment(request, session, number, work, shipment_pack_page, fields)


@router.post("/shipping/{number}/dispatch")
def dispatch(request: Request, number: str, session: Worker, fields: Fields) -> Response:
    """The goods left the building: stock goes out, the customer is told."""

    def work(uow: UnitOfWork, shipment: ShipmentView) -> str:
        dispatch_shipment(uow, shipment_id=shipment.id)
        return f"/shipping/{shipment.number}?done=dispatch"

    return _on_shipment(request, session, number, work, shipment_pack_page, fields)


@router.post("/shipping/{number}/cancel")
def cancel(request: Request, number: str, session: Worker, fields: Fields) -> Response:
    """Unpack a shipment that has not left; its goods wait to be packed again."""

    def work(uow: UnitOfWork, shipment: ShipmentView) -> str:
        reason = fields.get("reason", "").strip()[:500]
        cancel_shipment(uow, shipment_id=shipment.id, reason=reason)
        return f"/warehouse/pack/{shipment.number}?done=cancel"

    return _on_shipment(request, session, number, work, shipment_pack_page, fields)


def occurred_at(value: str) -> datetime:
    """A time typed in the form (``YYYY-MM-DDTHH:MM``, UTC); empty: now."""
    if not value.strip():
        return clock.now()
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed(
            "the time of the update is not readable",
            fields=[FieldError("occurred_at", "a date and time, YYYY-MM-DDTHH:MM (UTC)")],
        ) from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _record(uow: UnitOfWork, shipment: ShipmentView, status: str, fields: dict[str, str]) -> str:
    if not shipment.tracking_number:
        raise ValidationFailed(
            f"shipment {shipment.number} has no tracking number yet: print its label first",
            code="no_tracking_number",
        )
    event = TrackingInput(
        event_id=f"staff-{uuid.uuid4().hex}",
        tracking_number=shipment.tracking_number,
        status=status,
        occurred_at=occurred_at(fields.get("occurred_at", "")),
        description=fields.get("description", ""),
        location=fields.get("location", ""),
    )
    record_tracking(uow, carrier=shipment.carrier, events=[event], source="staff")
    return f"/shipping/{shipment.number}"


@router.post("/shipping/{number}/tracking")
def tracking(request: Request, number: str, session: Worker, fields: Fields) -> Response:
    """A tracking update told by the carrier (a phone call, a driver's report)."""

    def work(uow: UnitOfWork, shipment: ShipmentView) -> str:
        return _record(uow, shipment, fields.get("status", ""), fields) + "?done=tracking"

    return _on_shipment(request, session, number, work, shipment_page, fields)


@router.post("/shipping/{number}/delivered")
def delivered(request: Request, number: str, session: Worker, fields: Fields) -> Response:
    """The shipment arrived (now, or at the time given)."""

    def work(uow: UnitOfWork, shipment: ShipmentView) -> str:
        return _record(uow, shipment, "delivered", fields) + "?done=delivered"

    return _on_shipment(request, session, number, work, shipment_page, fields)
