"""Customer service cases: open, list, read with notes, add a note, assign, change
priority, and the lifecycle actions (wait, reopen, resolve, close).

A customer token (role ``customer``) opens cases for its own customer, lists and reads
only those (another customer's case, order, shipment or return answers 404, as an
unknown one would), never sees internal notes, and adds notes for the customer; the
staff actions (assign, priority, wait, reopen, resolve, close) answer 403 (ADR 0021).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.customer_service import queries
from ordersmith.customer_service.models import CaseType, Party, Visibility
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
from ordersmith.customer_service.sla import CasePriority
from ordersmith.customer_service.status import CaseStatus
from ordersmith.customer_service.views import CaseView
from ordersmith.customers.queries import find_customer, get_customer
from ordersmith.errors import FieldError, Forbidden, NotFound, ValidationFailed
from ordersmith.orders import queries as orders
from ordersmith.orders.errors import OrderNotFound
from ordersmith.returns.queries import get_return
from ordersmith.shipping.queries import get_shipment
from ordersmith.uow import Database, UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_time_cursor,
    encode_time_cursor,
)
from ordersmith.web.schemas.cases import (
    AssignIn,
    CaseCreate,
    CaseOut,
    NoteIn,
    PriorityIn,
    ResolveIn,
)
from ordersmith.web.schemas.common import Page

router = APIRouter(tags=["cases"])

Reader = Annotated[Principal, Depends(require(Permission.CASES_READ))]
Writer = Annotated[Principal, Depends(require(Permission.CASES_WRITE))]
_NOWHERE = uuid.UUID(int=0)


def _out(view: CaseView, principal: Principal) -> CaseOut:
    if principal.customer_id is not None:
        out = CaseOut.model_validate(view.for_customer())
        out.allowed_actions = []
        return out
    return CaseOut.model_validate(view)


def _staff(principal: Principal, what: str) -> None:
    if principal.customer_id is not None:
        raise Forbidden(f"a customer token may not {what} a case")


def _case_id(db: Database, ref: str, principal: Principal) -> uuid.UUID:
    """The case's id, scoped to a customer token's customer (404 for others')."""
    with db.reader() as session:
        return queries.get_case(session, ref, customer_id=principal.customer_id).id


def _links(db: Database, body: CaseCreate, principal: Principal) -> dict[str, Any]:
    """The customer and the documents' ids; a customer token's own only (404)."""
    own = principal.customer_id
    with db.reader() as session:
        if own is not None:
            if body.customer is not None:
                raise Forbidden("a customer token opens cases for its own customer only")
            customer_id = own
        elif body.customer is None:
            raise ValidationFailed(
                "name the customer the case is about",
                fields=[FieldError("customer", "is required")],
            )
        else:
            customer_id = get_customer(session, body.customer).id
        order_id = orders.get_order(session, body.order, customer_id=own).id if body.order else None
        shipment_id = None
        if body.shipment:
            shipment = get_shipment(session, body.shipment)
            if own is not None and shipment.customer_id != own:
                raise NotFound(f"no shipment {body.shipment!r}", code="shipment_not_found")
            shipment_id = shipment.id
        return_id = get_return(session, body.return_, customer_id=own).id if body.return_ else None
    return {
        "customer_id": customer_id,
        "order_id": order_id,
        "shipment_id": shipment_id,
        "return_id": return_id,
    }


@router.post("/cases", status_code=201, response_model=CaseOut)
def create(body: CaseCreate, request: Request, db: DbDep, principal: Writer) -> JSONResponse:
    """Open a case for a customer, optionally about one of their orders, shipments or
    returns (`422 case_link_mismatch` when one is another customer's). Its SLA due time
    is now plus the hours of its priority (`ORDERSMITH_CASE_SLA_HOURS`). A
    `damage_report` needs its order and records a damage incident on it (the order
    fails *damage free* in the perfect-order KPI). Send `Idempotency-Key` to make
    retries safe."""
    if body.assignee:
        _staff(principal, "assign")
    links = _links(db, body, principal)

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = open_case(
            uow,
            case_type=body.type.value,
            priority=body.priority.value,
            subject=body.subject,
            description=body.description,
            assignee=body.assignee,
            opened_by=Party.CUSTOMER if principal.customer_id else Party.STAFF,
            damage_line_no=body.damage_line_no,
            damage_quantity=body.damage_quantity,
            **links,
        )
        return _out(view, principal).model_dump(mode="json")

    request_body = body.model_dump(mode="json", by_alias=True)
    return create_once(request, db, principal, request_body, action)


@router.get("/cases", response_model=Page[CaseOut])
def list_cases(
    db: DbDep,
    principal: Reader,
    status: CaseStatus | None = None,
    type: CaseType | None = None,
    priority: CasePriority | None = None,
    assignee: Annotated[str | None, Query(max_length=120)] = None,
    customer: Annotated[str | None, Query(max_length=64, description="id or number")] = None,
    order: Annotated[str | None, Query(max_length=64, description="id or number")] = None,
    breached: Annotated[
        bool | None, Query(description="true: past the SLA due time (or resolved after it)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[CaseOut]:
    """Cases newest first (without their notes), filtered, with keyset pagination. A
    customer token lists its own cases only. Unknown customers or orders match nothing."""
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        customer_id = principal.customer_id
        if customer is not None and customer_id is None:
            found = find_customer(session, customer)
            customer_id = found.id if found else _NOWHERE
        order_id = None
        if order is not None:
            try:
                order_id = orders.order_id(session, order)
            except OrderNotFound:
                order_id = _NOWHERE
        flt = queries.CaseFilter(
            status=status,
            type=type,
            priority=priority,
            assignee=assignee,
            customer_id=customer_id,
            order_id=order_id,
            breached=breached,
        )
        rows = queries.list_cases(session, flt, limit=limit + 1, before=before)
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[_out(r, principal) for r in rows[:limit]],
        next_cursor=encode_time_cursor(last.created_at, last.id) if last else None,
    )


@router.get("/cases/{case}", response_model=CaseOut)
def get_case(case: str, db: DbDep, principal: Reader) -> CaseOut:
    """A case by id or number (`CS-2026-000001`) with its notes (a customer token: only
    the notes for the customer)."""
    with db.reader() as session:
        view = queries.get_case(session, case, customer_id=principal.customer_id)
    return _out(view, principal)


@router.post("/cases/{case}/notes", status_code=201, response_model=CaseOut)
def note(case: str, body: NoteIn, db: DbDep, principal: Writer) -> CaseOut:
    """Add a note. `internal`: staff only. `customer`: a staff note is emailed to the
    customer (with `wait`: the case waits on them and its SLA clock stops); a customer's
    note reopens a case that waited on them or was resolved. A closed case answers
    `409 case_closed`."""
    customer = principal.customer_id is not None
    if customer and body.wait:
        raise Forbidden("a customer token may not make a case wait")
    case_id = _case_id(db, case, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        view = add_note(
            uow,
            case_id=case_id,
            body=body.body,
            visibility=Visibility.CUSTOMER.value if customer else body.visibility.value,
            author_kind=Party.CUSTOMER if customer else Party.STAFF,
            wait=body.wait,
        )
    return _out(view, principal)


@router.post("/cases/{case}/assign", response_model=CaseOut)
def assign(case: str, body: AssignIn, db: DbDep, principal: Writer) -> CaseOut:
    """Give the case to a staff member (empty: unassigned)."""
    _staff(principal, "assign")
    case_id = _case_id(db, case, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        return _out(assign_case(uow, case_id=case_id, assignee=body.assignee), principal)


@router.post("/cases/{case}/priority", response_model=CaseOut)
def priority(case: str, body: PriorityIn, db: DbDep, principal: Writer) -> CaseOut:
    """Change the priority; the due time becomes opening + the new hours + time paused."""
    _staff(principal, "reprioritise")
    case_id = _case_id(db, case, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        view = change_priority(uow, case_id=case_id, priority=body.priority.value)
    return _out(view, principal)


@router.post("/cases/{case}/wait", response_model=CaseOut)
def wait(case: str, db: DbDep, principal: Writer) -> CaseOut:
    """Wait on the customer: the SLA clock stops until the case is open again."""
    _staff(principal, "make wait")
    case_id = _case_id(db, case, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        return _out(wait_on_customer(uow, case_id=case_id), principal)


@router.post("/cases/{case}/reopen", response_model=CaseOut)
def reopen(case: str, db: DbDep, principal: Writer) -> CaseOut:
    """Open a waiting or resolved case again (its due time moves by the time paused)."""
    _staff(principal, "reopen")
    case_id = _case_id(db, case, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        return _out(reopen_case(uow, case_id=case_id), principal)


@router.post("/cases/{case}/resolve", response_model=CaseOut)
def resolve(case: str, body: ResolveIn, db: DbDep, principal: Writer) -> CaseOut:
    """Resolve the case, saying how; resolved after its due time it stays breached."""
    _staff(principal, "resolve")
    case_id = _case_id(db, case, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        return _out(resolve_case(uow, case_id=case_id, resolution=body.resolution), principal)


@router.post("/cases/{case}/close", response_model=CaseOut)
def close(case: str, db: DbDep, principal: Writer) -> CaseOut:
    """Close a resolved case for good."""
    _staff(principal, "close")
    case_id = _case_id(db, case, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        return _out(close_case(uow, case_id=case_id), principal)
