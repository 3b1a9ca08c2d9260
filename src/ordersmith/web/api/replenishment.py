"""Replenishment: policies per (warehouse, SKU), requests to buy or transfer stock (why,
and with which numbers), approving, editing and rejecting them, turning approved ones
into draft purchase orders and transfers, and review runs.

A request is addressed by its id, or by `SKU@WAREHOUSE` for that pair's open or approved
request. Reading needs `purchasing:read`; everything else `purchasing:write` (creating
transfers also `inventory:write`); approving the purchase orders made here is still
`purchasing:approve`, on the purchase order. Creating POSTs accept `Idempotency-Key`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ordersmith.auth.permissions import Permission, check_permission
from ordersmith.auth.services import Principal
from ordersmith.replenishment import ordering, policies, queries, services
from ordersmith.replenishment.errors import RunNotFound
from ordersmith.replenishment.models import PolicyKind, RequestKind, RequestReason
from ordersmith.replenishment.queries import RequestFilter
from ordersmith.replenishment.runs import review_all
from ordersmith.replenishment.status import RequestStatus
from ordersmith.replenishment.views import RequestView
from ordersmith.uow import Database, UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
    encode_time_cursor,
)
from ordersmith.web.schemas.common import Page
from ordersmith.web.schemas.replenishment import (
    OrderIn,
    OrderingOut,
    PolicyIn,
    PolicyOut,
    RejectIn,
    RequestCreate,
    RequestOut,
    RequestUpdate,
    RunOut,
)

router = APIRouter(prefix="/replenishment", tags=["replenishment"])
Reader = Annotated[Principal, Depends(require(Permission.PURCHASING_READ))]
Writer = Annotated[Principal, Depends(require(Permission.PURCHASING_WRITE))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]


# -- policies ----------------------------------------------------------------------------


@router.get("/policies", response_model=Page[PolicyOut])
def list_policies(
    db: DbDep,
    _: Reader,
    warehouse: Annotated[str | None, Query(max_length=64)] = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    kind: PolicyKind | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[PolicyOut]:
    """The (warehouse, SKU) pairs with a policy of their own, by SKU then warehouse; the
    others follow `ORDERSMITH_REPLENISHMENT_DEFAULT_POLICY`."""
    after = decode_cursor(cursor, 2) if cursor else None
    with db.reader() as session:
        rows, more = queries.list_policies(
            session,
            warehouse=warehouse,
            sku=sku,
            kind=kind,
            after=(after[0], after[1]) if after else None,
            limit=limit,
        )
    return Page(
        items=[PolicyOut.model_validate(p) for p in rows],
        next_cursor=encode_cursor([rows[-1].sku, rows[-1].warehouse]) if more else None,
    )


@router.put("/policies/{warehouse}/{sku:path}", response_model=PolicyOut)
def set_policy(warehouse: str, sku: str, body: PolicyIn, db: DbDep, principal: Writer) -> PolicyOut:
    """Set the pair's policy: `manual` (never suggested automatically), `min_max` (with
    `min_quantity` and `max_quantity`) or `forecast` (the latest forecast's reorder point
    and order-up-to level). Setting it again replaces it."""
    with db.unit_of_work(actor=principal.actor) as uow:
        view = policies.set_policy(uow, warehouse=warehouse, sku=sku, **body.model_dump())
    return PolicyOut.model_validate(view)


@router.delete("/policies/{warehouse}/{sku:path}", status_code=204)
def remove_policy(warehouse: str, sku: str, db: DbDep, principal: Writer) -> Response:
    """The pair follows the default policy again (`404 replenishment_policy_not_found`
    when it had none of its own)."""
    with db.unit_of_work(actor=principal.actor) as uow:
        policies.remove_policy(uow, warehouse=warehouse, sku=sku)
    return Response(status_code=204)


# -- requests ----------------------------------------------------------------------------


def _json(view: RequestView) -> dict[str, Any]:
    return RequestOut.of(view).model_dump(mode="json")


@router.get("/requests", response_model=Page[RequestOut])
def list_requests(
    db: DbDep,
    _: Reader,
    status: RequestStatus | None = None,
    kind: RequestKind | None = None,
    reason: RequestReason | None = None,
    warehouse: Annotated[str | None, Query(max_length=64)] = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    supplier: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[RequestOut]:
    """Requests newest first, with the numbers behind each and why."""
    before = decode_time_cursor(cursor) if cursor else None
    flt = RequestFilter(status, kind, reason, warehouse, sku, supplier)
    with db.reader() as session:
        rows, more = queries.list_requests(session, flt, before=before, limit=limit)
    return Page(
        items=[RequestOut.of(r) for r in rows],
        next_cursor=encode_time_cursor(rows[-1].created_at, rows[-1].id) if more else None,
    )


@router.post("/requests", status_code=201, response_model=RequestOut)
def raise_request(
    body: RequestCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Raise a request by hand (reason `manual`). `409 replenishment_request_exists` when
    the pair has an open or approved one: edit that."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        return _json(services.raise_request(uow, **body.model_dump()))

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/requests/{ref:path}", response_model=RequestOut)
def get_request(ref: str, db: DbDep, _: Reader) -> RequestOut:
    """One request by id or `SKU@WAREHOUSE`."""
    with db.reader() as session:
        return RequestOut.of(queries.get_request(session, ref))


def _act(
    db: Database, principal: Principal, ref: str, change: Callable[..., RequestView]
) -> RequestOut:
    with db.reader() as session:
        request_id = queries.request_id(session, ref)
    with db.unit_of_work(actor=principal.actor) as uow:
        return RequestOut.of(change(uow, request_id))


@router.patch("/requests/{ref:path}", response_model=RequestOut)
def edit_request(ref: str, body: RequestUpdate, db: DbDep, principal: Writer) -> RequestOut:
    """Change an open or approved request's quantity, supplier or source warehouse. A
    purchase quantity must fit the supplier's order rules (`422`, naming the next that
    does); a new supplier without a quantity rounds the current one to its rules."""
    changes = body.model_dump(exclude_unset=True)
    return _act(
        db,
        principal,
        ref,
        lambda uow, rid: services.edit_request(uow, request_id=rid, **changes),
    )


@router.post("/requests/{ref:path}/approve", response_model=RequestOut)
def approve_request(ref: str, db: DbDep, principal: Writer) -> RequestOut:
    """open → approved."""
    return _act(db, principal, ref, lambda uow, rid: services.approve_request(uow, request_id=rid))


@router.post("/requests/{ref:path}/reject", response_model=RequestOut)
def reject_request(ref: str, body: RejectIn, db: DbDep, principal: Writer) -> RequestOut:
    """open / approved → rejected, with the reason (required)."""
    return _act(
        db,
        principal,
        ref,
        lambda uow, rid: services.reject_request(uow, request_id=rid, reason=body.reason),
    )


# -- ordering ----------------------------------------------------------------------------


def _scope(body: OrderIn) -> ordering.Scope:
    return ordering.Scope(
        supplier=body.supplier,
        warehouse=body.warehouse,
        source_warehouse=body.source_warehouse,
        request_ids=body.requests,
    )


@router.post("/purchase-orders", status_code=201, response_model=OrderingOut)
def order_purchases(
    request: Request, db: DbDep, principal: Writer, body: OrderIn | None = None
) -> JSONResponse:
    """Turn approved purchase requests into draft purchase orders, one per supplier and
    destination warehouse, one line per product, quantities rounded up to the supplier's
    order rules. Answers the purchase orders made and the requests `skipped` (no
    supplier, an inactive supplier, a product it no longer supplies)."""
    body = body or OrderIn()

    def action(uow: UnitOfWork) -> dict[str, Any]:
        result = ordering.order_purchase_requests(uow, _scope(body))
        return OrderingOut.of(result).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.post("/transfers", status_code=201, response_model=OrderingOut)
def order_transfers(
    request: Request, db: DbDep, principal: Writer, body: OrderIn | None = None
) -> JSONResponse:
    """Turn approved transfer requests into transfers, one per source and destination,
    as drafts or `dispatch`ed at once (all or nothing: `409 insufficient_stock` when the
    source is short). Needs `inventory:write` too."""
    check_permission(principal.role, Permission.INVENTORY_WRITE)
    body = body or OrderIn()

    def action(uow: UnitOfWork) -> dict[str, Any]:
        result = ordering.order_transfer_requests(uow, _scope(body), dispatch=body.dispatch)
        return OrderingOut.of(result).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


# -- runs --------------------------------------------------------------------------------


@router.post("/runs", status_code=201, response_model=RunOut)
def start_run(request: Request, db: DbDep, principal: Writer) -> JSONResponse:
    """Review every (warehouse, SKU) now, as the daily job does: raise, update or withdraw
    requests. Answers the run when it is stored."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        return RunOut.model_validate(review_all(uow)).model_dump(mode="json")

    return create_once(request, db, principal, {}, action)


@router.get("/runs", response_model=Page[RunOut])
def list_runs(
    db: DbDep, _: Reader, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[RunOut]:
    """Review runs, newest first."""
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        rows, more = queries.list_runs(session, before=before, limit=limit)
    return Page(
        items=[RunOut.model_validate(r) for r in rows],
        next_cursor=encode_time_cursor(rows[-1].started_at, rows[-1].id) if more else None,
    )


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: str, db: DbDep, _: Reader) -> RunOut:
    """One review run: what it looked at and what it did."""
    try:
        parsed = uuid.UUID(run_id)
    except ValueError:
        raise RunNotFound(f"no replenishment run {run_id!r}") from None
    with db.reader() as session:
        return RunOut.model_validate(queries.get_run(session, parsed))
