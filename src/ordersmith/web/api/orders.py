"""Orders: capture (exactly once), read, list, lifecycle actions, history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ordersmith.auth.permissions import Permission, check_permission
from ordersmith.auth.services import Principal
from ordersmith.customers.queries import get_customer
from ordersmith.orders import change_log, drafts, queries, services
from ordersmith.orders.change_rules import ChangeOrder
from ordersmith.orders.changes import change_order
from ordersmith.orders.models import Channel
from ordersmith.orders.requests import LineRequest
from ordersmith.orders.splitting import merge_orders, split_order
from ordersmith.orders.status import HoldReason, OrderStatus
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_number_cursor,
    decode_time_cursor,
    encode_cursor,
    encode_time_cursor,
    utc_filter,
)
from ordersmith.web.schemas.common import Page
from ordersmith.web.schemas.orders import (
    CancelIn,
    ConfirmIn,
    CustomerHistoryOut,
    HistoryEntryOut,
    HoldIn,
    OrderChangeIn,
    OrderChangeOut,
    OrderCreate,
    OrderMergeIn,
    OrderOut,
    OrderSplitIn,
    OrderSplitOut,
    OrderSummaryOut,
    ReleaseIn,
)

router = APIRouter(tags=["orders"])

Reader = Annotated[Principal, Depends(require(Permission.ORDERS_READ))]
Creator = Annotated[Principal, Depends(require(Permission.ORDERS_CREATE))]
Manager = Annotated[Principal, Depends(require(Permission.ORDERS_MANAGE))]
CustomerReader = Annotated[Principal, Depends(require(Permission.CUSTOMERS_READ))]
Changer = Annotated[Principal, Depends(require(Permission.ORDERS_CHANGE))]


def _out(view: OrderView) -> OrderOut:
    return OrderOut.model_validate(view)


@router.post("/orders", status_code=201, response_model=OrderOut)
def create_order(
    body: OrderCreate, request: Request, db: DbDep, principal: Creator
) -> JSONResponse:
    """Capture an order from any channel. Stock is reserved in the same transaction.

    Send `Idempotency-Key` to make retries safe: the same key and body replay the
    first response; the same key with another body is refused (422); a request still
    in flight answers 409. `(channel, external_ref)` is unique. A likely duplicate
    (same customer, same SKUs and quantities, recent) is placed `on_hold`.
    """
    command = services.PlaceOrder(
        customer_id=body.customer_id,
        channel=body.channel,
        lines=[
            services.LineRequest(
                sku=line.sku,
                quantity=line.quantity,
                discount=line.discount,
                warehouse=line.warehouse,
            )
            for line in body.lines
        ],
        external_ref=body.external_ref,
        billing_address=body.billing_address.model_dump() if body.billing_address else None,
        shipping_address=body.shipping_address.model_dump() if body.shipping_address else None,
        backorder_policy=body.backorder_policy,
        ship_policy=body.ship_policy,
        requested_delivery_date=body.requested_delivery_date,
        notes=body.notes,
        shipping_amount=body.shipping_amount,
        draft=body.draft,
    )

    def action(uow: UnitOfWork) -> dict[str, object]:
        return _out(services.place_order(uow, command)).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/orders", response_model=Page[OrderSummaryOut])
def list_orders(
    db: DbDep,
    _: Reader,
    status: OrderStatus | None = None,
    customer_id: uuid.UUID | None = None,
    channel: Channel | None = None,
    created_from: Annotated[
        datetime | None, Query(description="inclusive, ISO 8601; UTC unless an offset is given")
    ] = None,
    created_to: Annotated[datetime | None, Query(description="exclusive, ISO 8601")] = None,
    sku: str | None = None,
    external_ref: str | None = None,
    hold_reason: HoldReason | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[OrderSummaryOut]:
    """Orders newest first, filtered, with keyset pagination (`next_cursor`)."""
    flt = queries.OrderFilter(
        status=status,
        customer_id=customer_id,
        channel=channel.value if channel else None,
        created_from=utc_filter("created_from", created_from),
        created_to=utc_filter("created_to", created_to),
        sku=sku,
        external_ref=external_ref,
        hold_reason=hold_reason.value if hold_reason else None,
    )
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        rows = queries.list_orders(session, flt, limit=limit + 1, before=before)
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[OrderSummaryOut.model_validate(r) for r in rows[:limit]],
        next_cursor=encode_time_cursor(last.created_at, last.id) if last else None,
    )


@router.get("/orders/{order}", response_model=OrderOut)
def get_order(order: str, db: DbDep, _: Reader) -> OrderOut:
    """One order by id or number, with its lines and the actions allowed now."""
    with db.reader() as session:
        return _out(queries.get_order(session, order))


@router.get("/orders/{order}/history", response_model=list[HistoryEntryOut])
def order_history(order: str, db: DbDep, _: Reader) -> list[HistoryEntryOut]:
    """Everything that happened to the order: who, when, what, why (append-only)."""
    with db.reader() as session:
        return [HistoryEntryOut.model_validate(h) for h in queries.order_history(session, order)]


@router.post("/orders/{order}/place", response_model=OrderOut)
def place_draft(order: str, db: DbDep, principal: Creator) -> OrderOut:
    """Place a draft: re-priced, checked for duplicates, stock reserved."""
    with db.unit_of_work(actor=principal.actor) as uow:
        order_id = queries.order_id(uow.session, order)
        view = drafts.place_draft(uow, order_id=order_id)
    return _out(view)


@router.post("/orders/{order}/confirm", response_model=OrderOut)
def confirm(order: str, db: DbDep, principal: Manager, body: ConfirmIn | None = None) -> OrderOut:
    with db.unit_of_work(actor=principal.actor) as uow:
        order_id = queries.order_id(uow.session, order)
        view = services.confirm_order(uow, order_id=order_id, note=body.note if body else "")
    return _out(view)


@router.post("/orders/{order}/hold", response_model=OrderOut)
def hold(order: str, body: HoldIn, db: DbDep, principal: Manager) -> OrderOut:
    with db.unit_of_work(actor=principal.actor) as uow:
        order_id = queries.order_id(uow.session, order)
        view = services.hold_order(uow, order_id=order_id, reason=body.reason, note=body.note)
    return _out(view)


@router.post("/orders/{order}/release", response_model=OrderOut)
def release(order: str, body: ReleaseIn, db: DbDep, principal: Manager) -> OrderOut:
    """Lift a hold. A `credit` hold needs the `credit:release` permission (403 otherwise)."""
    with db.unit_of_work(actor=principal.actor) as uow:
        order_id = queries.order_id(uow.session, order)
        if queries.get_order(uow.session, str(order_id)).hold_reason == HoldReason.CREDIT:
            check_permission(principal.role, Permission.CREDIT_RELEASE)
        view = services.release_order(uow, order_id=order_id, note=body.note)
    return _out(view)


@router.post("/orders/{order}/cancel", response_model=OrderOut)
def cancel(order: str, db: DbDep, principal: Manager, body: CancelIn | None = None) -> OrderOut:
    """Cancel an open order; its reserved stock becomes available again."""
    with db.unit_of_work(actor=principal.actor) as uow:
        order_id = queries.order_id(uow.session, order)
        view = services.cancel_order(uow, order_id=order_id, reason=body.reason if body else "")
    return _out(view)


@router.get("/customers/{customer}/history", response_model=CustomerHistoryOut, tags=["customers"])
def customer_history(customer: str, db: DbDep, _: CustomerReader) -> CustomerHistoryOut:
    """The customer's record (by id or number): orders, units, lifetime value, first and
    last order, recent orders."""
    with db.reader() as session:
        customer_id = get_customer(session, customer).id  # 404 for an unknown customer
        return CustomerHistoryOut.model_validate(queries.customer_history(session, customer_id))


# --- changes after placing (ADR 0020) ---


@router.post("/orders/{order}/changes", response_model=OrderOut)
def change(
    order: str, body: OrderChangeIn, request: Request, db: DbDep, principal: Changer
) -> JSONResponse:
    """One atomic change set: line quantities, added lines, cancelled lines, shipping
    address, requested delivery date, notes. Stock is re-reserved (a shortfall follows
    the order's backorder rule: `insufficient_stock` and nothing changes, or backordered),
    kept units keep their price and added lines take today's price, the version goes up,
    the change is recorded with who and why, and the customer is emailed. Once picking
    started only the address and notes may change (409 `order_picking_started`); an
    invoiced or paid order keeps its lines (409 `order_already_billed`); a stale
    `expected_version` is 409 `order_version_conflict`. Accepts `Idempotency-Key`."""
    command = ChangeOrder(
        reason=body.reason,
        quantities=[(q.line_no, q.quantity) for q in body.quantities],
        add_lines=[
            LineRequest(sku=a.sku, quantity=a.quantity, discount=a.discount) for a in body.add_lines
        ],
        cancel_lines=body.cancel_lines,
        shipping_address=body.shipping_address.model_dump() if body.shipping_address else None,
        requested_delivery_date=body.requested_delivery_date,
        notes=body.notes,
        expected_version=body.expected_version,
    )

    def action(uow: UnitOfWork) -> dict[str, object]:
        order_id = queries.order_id(uow.session, order)
        return _out(change_order(uow, order_id=order_id, request=command)).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action, status=200)


@router.get("/orders/{order}/changes", response_model=Page[OrderChangeOut])
def list_changes(
    order: str,
    db: DbDep,
    _: Reader,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[OrderChangeOut]:
    """The order's versions, newest first: what changed, before and after, who and why."""
    before = None
    if cursor:
        before = decode_number_cursor(cursor)
    with db.reader() as session:
        order_id = queries.order_id(session, order)
        rows = change_log.list_changes(session, order_id, limit=limit + 1, before_version=before)
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[OrderChangeOut.model_validate(r) for r in rows[:limit]],
        next_cursor=encode_cursor([last.version]) if last else None,
    )


@router.post("/orders/{order}/split", status_code=201, response_model=OrderSplitOut)
def split(
    order: str, body: OrderSplitIn, request: Request, db: DbDep, principal: Changer
) -> JSONResponse:
    """Move lines or units to a new order of the same customer (same prices; shipping
    stays). Accepts `Idempotency-Key`."""
    moves: dict[int, int] = {}
    for move in body.moves:
        moves[move.line_no] = moves.get(move.line_no, 0) + move.quantity

    def action(uow: UnitOfWork) -> dict[str, object]:
        original, new = split_order(
            uow,
            order=order,
            moves=moves,
            reason=body.reason,
            expected_version=body.expected_version,
        )
        return OrderSplitOut(original=_out(original), new_order=_out(new)).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.post("/orders/{order}/merge", response_model=OrderOut)
def merge(
    order: str, body: OrderMergeIn, request: Request, db: DbDep, principal: Changer
) -> JSONResponse:
    """Take another open order of the same customer (same currency, shipping address
    and status; nothing picked or billed) into this one; the other is cancelled.
    Accepts `Idempotency-Key`."""

    def action(uow: UnitOfWork) -> dict[str, object]:
        into = queries.order_id(uow.session, order)
        other = queries.order_id(uow.session, body.other)
        view = merge_orders(
            uow, into=into, other=other, reason=body.reason, expected_version=body.expected_version
        )
        return _out(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action, status=200)
