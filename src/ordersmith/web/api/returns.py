"""Returns (RMA): ask, read, list, the lifecycle actions, the return label, analytics.

A customer token (role ``customer``) sees only its customer's returns: another
customer's return or order answers 404, as an unknown one would. It may ask for a
return, send it back (carrier, tracking) and cancel it; the decisions (authorise,
reject, receive, inspect, resolve) and the analytics are staff's (403).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from ordersmith import clock
from ordersmith.auth.permissions import Permission, check_permission
from ordersmith.auth.services import Principal
from ordersmith.customers.queries import find_customer
from ordersmith.errors import Forbidden
from ordersmith.fulfillment.kpi_report import default_window
from ordersmith.orders import queries as orders
from ordersmith.orders.errors import OrderNotFound
from ordersmith.returns import queries
from ordersmith.returns.analytics import AnalyticsBy, return_analytics
from ordersmith.returns.inputs import (
    DispositionInput,
    ExchangeLineInput,
    ReceivedLineInput,
    ReturnLineInput,
)
from ordersmith.returns.inspection import inspect_return
from ordersmith.returns.labels import return_label_pdf
from ordersmith.returns.models import RequestedBy
from ordersmith.returns.requests import create_return
from ordersmith.returns.resolution import resolve_return
from ordersmith.returns.services import (
    authorise_return,
    cancel_return,
    receive_return,
    reject_return,
    ship_return,
)
from ordersmith.returns.status import ReturnStatus, allowed_actions
from ordersmith.returns.views import ReturnView
from ordersmith.uow import Database, UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_time_cursor,
    encode_time_cursor,
)
from ordersmith.web.schemas.common import Page
from ordersmith.web.schemas.returns import (
    AuthoriseIn,
    CancelIn,
    InspectIn,
    ReceiveIn,
    RejectIn,
    ResolveIn,
    ReturnAnalyticsOut,
    ReturnCreate,
    ReturnOut,
    ShipIn,
)

router = APIRouter(tags=["returns"])

Reader = Annotated[Principal, Depends(require(Permission.RETURNS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.RETURNS_WRITE))]
GoodsIn = Annotated[Principal, Depends(require(Permission.RETURNS_RECEIVE))]
PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}


def _out(view: ReturnView, principal: Principal) -> ReturnOut:
    out = ReturnOut.model_validate(view)
    if principal.customer_id is not None:
        out.allowed_actions = allowed_actions(view.status, customer=True)
    return out


def _json(view: ReturnView, principal: Principal) -> dict[str, Any]:
    return _out(view, principal).model_dump(mode="json")


def _staff(principal: Principal, what: str) -> None:
    if principal.customer_id is not None:
        raise Forbidden(f"a customer token may not {what} a return")


def _return_id(db: Database, ref: str, principal: Principal) -> uuid.UUID:
    """The return's id, scoped to a customer token's customer (404 for others')."""
    with db.reader() as session:
        return queries.get_return(session, ref, customer_id=principal.customer_id).id


@router.post("/returns", status_code=201, response_model=ReturnOut)
def create(body: ReturnCreate, request: Request, db: DbDep, principal: Writer) -> JSONResponse:
    """Ask for a return of units of an order's shipped lines (lines by the order's line
    numbers, each with a reason). Refused with `409 return_exceeds_shipped` beyond what
    was shipped and not yet returned, and `409 return_window_closed` after the return
    window (`ORDERSMITH_RETURN_WINDOW_DAYS` from delivery) unless staff with
    `returns:override` give `override_window_reason`. Send `Idempotency-Key` to make
    retries safe."""
    customer_id = principal.customer_id
    if body.warehouse:
        _staff(principal, "choose the warehouse of")
    if body.override_window_reason.strip():
        _staff(principal, "override the window of")
        check_permission(principal.role, Permission.RETURNS_OVERRIDE)
    with db.reader() as session:
        order = orders.get_order(session, body.order, customer_id=customer_id)

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = create_return(
            uow,
            order_id=order.id,
            lines=[
                ReturnLineInput(li.line_no, li.quantity, li.reason, li.note) for li in body.lines
            ],
            comment=body.comment,
            requested_by=RequestedBy.CUSTOMER if customer_id else RequestedBy.STAFF,
            customer_id=customer_id,
            override_window_reason=body.override_window_reason,
            warehouse=body.warehouse,
        )
        return _json(view, principal)

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/returns", response_model=Page[ReturnOut])
def list_returns(
    db: DbDep,
    principal: Reader,
    status: ReturnStatus | None = None,
    customer: Annotated[str | None, Query(max_length=64, description="id or number")] = None,
    order: Annotated[str | None, Query(max_length=64, description="id or number")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[ReturnOut]:
    """Returns newest first (without their lines), filtered, with keyset pagination. A
    customer token lists its own returns only. Unknown customers or orders match
    nothing."""
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        customer_id = principal.customer_id
        if customer is not None and customer_id is None:
            found = find_customer(session, customer)
            customer_id = found.id if found else uuid.UUID(int=0)
        order_id = None
        if order is not None:
            try:
                order_id = orders.order_id(session, order)
            except OrderNotFound:
                order_id = uuid.UUID(int=0)
        flt = queries.ReturnFilter(status=status, customer_id=customer_id, order_id=order_id)
        rows = queries.list_returns(session, flt, limit=limit + 1, before=before)
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[_out(r, principal) for r in rows[:limit]],
        next_cursor=encode_time_cursor(last.created_at, last.id) if last else None,
    )


@router.get("/returns/analytics", response_model=ReturnAnalyticsOut)
def analytics(
    db: DbDep,
    principal: Reader,
    by: AnalyticsBy = AnalyticsBy.SKU,
    date_from: Annotated[
        date | None,
        Query(alias="from", description="first day (YYYY-MM-DD, UTC); default: 29 days before to"),
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", description="last day, included; default: today")
    ] = None,
) -> ReturnAnalyticsOut:
    """Return rates (units returned on returns asked for in the window / units that
    reached customers in it) by `sku`, `reason`, `customer` or `supplier` (the
    product's preferred one), with the overall rate. At most 366 days
    (`422 window_too_long`). Rates are decimal strings, `null` without deliveries."""
    _staff(principal, "read the analytics of")
    start, end = default_window(date_from, date_to, today=clock.today())
    with db.reader() as session:
        report = return_analytics(session, by=by, date_from=start, date_to=end)
    return ReturnAnalyticsOut.of(report)


@router.get("/returns/{rma}", response_model=ReturnOut)
def get_return(rma: str, db: DbDep, principal: Reader) -> ReturnOut:
    """A return by id or number (`RMA-2026-000001`), with its lines and dispositions."""
    with db.reader() as session:
        return _out(queries.get_return(session, rma, customer_id=principal.customer_id), principal)


@router.get("/returns/{rma}/label", response_class=Response, responses=PDF)
def label(rma: str, db: DbDep, principal: Reader) -> Response:
    """The return label (PDF) of a return shipped with a carrier; `409 no_return_label`
    before that."""
    with db.reader() as session:
        name, pdf = return_label_pdf(session, db.settings, rma, customer_id=principal.customer_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.post("/returns/{rma}/authorise", response_model=ReturnOut)
def authorise(rma: str, db: DbDep, principal: Writer, body: AuthoriseIn | None = None) -> ReturnOut:
    """Accept the request; the customer is emailed the RMA number and where to send the
    goods. Lines returned `damaged` or `wrong_item` count against the original order's
    perfect order from now on."""
    _staff(principal, "authorise")
    return_id = _return_id(db, rma, principal)
    body = body or AuthoriseIn()
    with db.unit_of_work(actor=principal.actor) as uow:
        view = authorise_return(uow, return_id=return_id, warehouse=body.warehouse, note=body.note)
    return _out(view, principal)


@router.post("/returns/{rma}/reject", response_model=ReturnOut)
def reject(rma: str, body: RejectIn, db: DbDep, principal: Writer) -> ReturnOut:
    """Refuse the request; the reason is emailed to the customer."""
    _staff(principal, "reject")
    return_id = _return_id(db, rma, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        view = reject_return(uow, return_id=return_id, reason=body.reason)
    return _out(view, principal)


@router.post("/returns/{rma}/ship", response_model=ReturnOut)
def ship(rma: str, db: DbDep, principal: Writer, body: ShipIn | None = None) -> ReturnOut:
    """The goods are on their way back (`in_transit`), optionally with a carrier and a
    tracking number; a local courier makes the number, and the label is then at
    `GET /returns/{id}/label`."""
    return_id = _return_id(db, rma, principal)
    body = body or ShipIn()
    with db.unit_of_work(actor=principal.actor) as uow:
        view = ship_return(
            uow, return_id=return_id, carrier=body.carrier, tracking_number=body.tracking_number
        )
    return _out(view, principal)


@router.post("/returns/{rma}/receive", response_model=ReturnOut)
def receive(
    rma: str, request: Request, db: DbDep, principal: GoodsIn, body: ReceiveIn | None = None
) -> JSONResponse:
    """Book what arrived, per line (fewer than asked is fine); without lines, everything
    asked back. Nothing goes on hand before inspection. Accepts `Idempotency-Key`."""
    _staff(principal, "receive")
    return_id = _return_id(db, rma, principal)
    lines = None
    if body is not None and body.lines is not None:
        lines = [ReceivedLineInput(li.line_no, li.quantity) for li in body.lines]

    def action(uow: UnitOfWork) -> dict[str, Any]:
        return _json(receive_return(uow, return_id=return_id, lines=lines), principal)

    request_body = body.model_dump(mode="json") if body else {}
    return create_once(request, db, principal, request_body, action, status=200)


@router.post("/returns/{rma}/inspect", response_model=ReturnOut)
def inspect(rma: str, body: InspectIn, db: DbDep, principal: GoodsIn) -> ReturnOut:
    """Decide every received unit: `restock` and `refurbish` put it back on hand (a
    `return` movement; waiting backorders are served), `scrap` receives it and writes it
    off (`return` + `damage` adjustment), `return_to_supplier` keeps it off our stock."""
    _staff(principal, "inspect")
    return_id = _return_id(db, rma, principal)
    dispositions = [
        DispositionInput(d.line_no, d.disposition, d.quantity, d.warehouse, d.supplier, d.note)
        for d in body.dispositions
    ]
    with db.unit_of_work(actor=principal.actor) as uow:
        view = inspect_return(uow, return_id=return_id, dispositions=dispositions)
    return _out(view, principal)


@router.post("/returns/{rma}/resolve", response_model=ReturnOut)
def resolve(
    rma: str, body: ResolveIn, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """`credit_note`: credit the received units on the invoices that billed them;
    `refund`: the same, then pay back what the customer had paid for them
    (`409 refund_not_possible` when that money cannot be refunded here); `exchange`: a
    replacement order at no charge, reserved and confirmed at once. Accepts
    `Idempotency-Key`."""
    _staff(principal, "resolve")
    return_id = _return_id(db, rma, principal)
    exchange = None
    if body.exchange_lines is not None:
        exchange = [ExchangeLineInput(li.sku, li.quantity) for li in body.exchange_lines]

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = resolve_return(
            uow,
            return_id=return_id,
            resolution=body.resolution,
            note=body.note,
            exchange_lines=exchange,
        )
        return _json(view, principal)

    return create_once(request, db, principal, body.model_dump(mode="json"), action, status=200)


@router.post("/returns/{rma}/cancel", response_model=ReturnOut)
def cancel(rma: str, db: DbDep, principal: Writer, body: CancelIn | None = None) -> ReturnOut:
    """Call the return off before the goods arrive (the customer or staff)."""
    return_id = _return_id(db, rma, principal)
    with db.unit_of_work(actor=principal.actor) as uow:
        view = cancel_return(uow, return_id=return_id, reason=body.reason if body else "")
    return _out(view, principal)
