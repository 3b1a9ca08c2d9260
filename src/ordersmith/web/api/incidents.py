"""Incidents recorded against an order: damage and document corrections (reported by
people), backorders and short picks (recorded by the warehouse work)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.fulfillment.incidents import record_incident
from ordersmith.fulfillment.queries import order_incidents
from ordersmith.orders import queries
from ordersmith.uow import UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.schemas.incidents import IncidentCreate, IncidentOut

router = APIRouter(tags=["orders"])
Reader = Annotated[Principal, Depends(require(Permission.ORDERS_READ))]
Manager = Annotated[Principal, Depends(require(Permission.ORDERS_MANAGE))]


@router.post("/orders/{order}/incidents", status_code=201, response_model=IncidentOut)
def create_incident(
    order: str, body: IncidentCreate, request: Request, db: DbDep, principal: Manager
) -> JSONResponse:
    """Report damage (`kind: damage`, optionally `line_no` and `quantity`; only once
    something was dispatched) or a corrected document (`kind: document_correction` with
    `document`: packing_slip, invoice, label or other). Append-only; the order's history
    shows it, and it counts against the perfect order. Accepts `Idempotency-Key`."""

    def action(uow: UnitOfWork) -> dict[str, object]:
        view = queries.get_order(uow.session, order)
        incident = record_incident(
            uow,
            order_id=view.id,
            kind=body.kind.value,
            note=body.note,
            line_no=body.line_no,
            quantity=body.quantity,
            document=body.document.value if body.document else None,
        )
        lines = {line.id: line for line in view.lines}
        return IncidentOut.of(incident, lines).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/orders/{order}/incidents", response_model=list[IncidentOut])
def list_incidents(order: str, db: DbDep, _: Reader) -> list[IncidentOut]:
    """Everything recorded against the order, oldest first."""
    with db.reader() as session:
        view = queries.get_order(session, order)
        incidents = order_incidents(session, view.id)
    lines = {line.id: line for line in view.lines}
    return [IncidentOut.of(i, lines) for i in incidents]
