"""Fulfilment: allocations and their trace, pick lists (create, print, confirm)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.documents import pick_list_pdf
from ordersmith.fulfillment import backorders, queries
from ordersmith.fulfillment.allocation import allocate_order
from ordersmith.fulfillment.documents import pick_list_document
from ordersmith.fulfillment.models import PickListStatus
from ordersmith.fulfillment.picking import confirm_pick_list, create_pick_list
from ordersmith.orders.queries import order_id
from ordersmith.web.deps import DbDep, require
from ordersmith.web.pagination import MAX_LIMIT
from ordersmith.web.pdf import pdf_response
from ordersmith.web.schemas.fulfilment import (
    AllocateOut,
    AllocationOut,
    AllocationsOut,
    BackorderDateIn,
    DecisionOut,
    PickConfirmIn,
    PickConfirmOut,
    PickLineOut,
    PickListCreate,
    PickListOut,
)

router = APIRouter(tags=["fulfilment"])

MAX_LINE_NO = 2**31 - 1
Reader = Annotated[Principal, Depends(require(Permission.FULFILMENT_READ))]
Worker = Annotated[Principal, Depends(require(Permission.FULFILMENT_WRITE))]


@router.get("/orders/{order}/allocations", response_model=AllocationsOut)
def order_allocations(order: str, db: DbDep, _: Reader) -> AllocationsOut:
    """Which warehouse sends which units of the order, and why (every decision's trace)."""
    with db.reader() as session:
        oid = order_id(session, order)
        return AllocationsOut(
            allocations=[
                AllocationOut.model_validate(a) for a in queries.order_allocations(session, oid)
            ],
            decisions=[
                DecisionOut.model_validate(d) for d in queries.allocation_decisions(session, oid)
            ],
        )


@router.post("/orders/{order}/allocate", response_model=AllocateOut | None)
def allocate(order: str, db: DbDep, principal: Worker) -> AllocateOut | None:
    """Allocate what a confirmed order still needs now (e.g. after a stock correction).
    Answers null when there is nothing left to allocate."""
    with db.unit_of_work(actor=principal.actor) as uow:
        outcome = allocate_order(uow, order_id=order_id(uow.session, order), trigger="manual")
    return AllocateOut.model_validate(outcome) if outcome else None


@router.put("/orders/{order}/lines/{line_no}/backorder", status_code=204)
def set_backorder_date(
    order: str,
    line_no: Annotated[int, Path(ge=1, le=MAX_LINE_NO)],
    body: BackorderDateIn,
    db: DbDep,
    principal: Worker,
) -> Response:
    """When a backordered line's units are expected; the customer is emailed the date."""
    with db.unit_of_work(actor=principal.actor) as uow:
        backorders.set_backorder_date(
            uow,
            order_id=order_id(uow.session, order),
            line_no=line_no,
            expected=body.expected_date,
        )
    return Response(status_code=204)


def _pick_list_out(db: DbDep, pick_list_id: uuid.UUID) -> PickListOut:
    with db.reader() as session:
        return _pick_list_view_out(queries.get_pick_list(session, str(pick_list_id)))


def _pick_list_view_out(view: queries.PickListView) -> PickListOut:
    return PickListOut(
        id=view.id,
        number=view.number,
        warehouse=view.warehouse,
        status=view.status,
        created_by=view.created_by,
        created_at=view.created_at,
        completed_at=view.completed_at,
        lines=[PickLineOut.model_validate(line) for line in view.lines],
    )


@router.post("/pick-lists", status_code=201, response_model=PickListOut)
def create(body: PickListCreate, db: DbDep, principal: Worker) -> PickListOut:
    """A wave: allocated lines of the oldest ready orders of one warehouse, in bin order.
    409 `nothing_to_pick` when no order is ready."""
    with db.unit_of_work(actor=principal.actor) as uow:
        ref = create_pick_list(
            uow, warehouse=body.warehouse, max_orders=body.max_orders, order_ids=body.order_ids
        )
    return _pick_list_out(db, ref.id)


@router.get("/pick-lists", response_model=list[PickListOut])
def list_pick_lists(
    db: DbDep,
    _: Reader,
    warehouse: str | None = None,
    status: str | None = Query(None, pattern="^(open|completed|cancelled)$"),
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> list[PickListOut]:
    """The newest pick lists first, with their lines."""
    with db.reader() as session:
        views = queries.pick_lists(
            session,
            warehouse=warehouse,
            status=PickListStatus(status) if status else None,
            limit=limit,
        )
    return [_pick_list_view_out(v) for v in views]


@router.get("/pick-lists/{pick_list_id}", response_model=PickListOut)
def get_pick_list(pick_list_id: uuid.UUID, db: DbDep, _: Reader) -> PickListOut:
    return _pick_list_out(db, pick_list_id)


@router.get(
    "/pick-lists/{pick_list_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def print_pick_list(pick_list_id: uuid.UUID, db: DbDep, _: Reader) -> Response:
    """The printable pick list (A4 PDF, lines in walking order)."""
    with db.reader() as session:
        doc = pick_list_document(session, pick_list_id)
    return pdf_response(pick_list_pdf(doc), doc.number)


@router.post("/pick-lists/{pick_list_id}/confirm", response_model=PickConfirmOut)
def confirm(
    pick_list_id: uuid.UUID, db: DbDep, principal: Worker, body: PickConfirmIn | None = None
) -> PickConfirmOut:
    """Confirm the pick. Name only the short lines (units found); the rest were picked in
    full. Short units are written off and re-allocated elsewhere or backordered."""
    picked = {p.sequence: p.quantity for p in body.picked} if body else {}
    with db.unit_of_work(actor=principal.actor) as uow:
        result = confirm_pick_list(uow, pick_list_id=pick_list_id, picked=picked)
    return PickConfirmOut(**result)
