"""Stock transfers between warehouses: create, dispatch, receive (in parts), cancel; lists
and the stock on the way to each warehouse."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.inventory import transfer_queries as queries
from ordersmith.inventory.transfer_receipts import cancel_transfer, receive_transfer
from ordersmith.inventory.transfer_status import TransferStatus
from ordersmith.inventory.transfers import TransferLineInput, create_transfer, dispatch_transfer
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
from ordersmith.web.schemas.transfers import (
    InTransitOut,
    TransferCancelIn,
    TransferCreate,
    TransferLineIn,
    TransferOut,
    TransferReceiveIn,
)

router = APIRouter(tags=["inventory"])

Reader = Annotated[Principal, Depends(require(Permission.INVENTORY_READ))]
Writer = Annotated[Principal, Depends(require(Permission.INVENTORY_WRITE))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def _lines(lines: list[TransferLineIn]) -> list[TransferLineInput]:
    return [TransferLineInput(sku=line.sku, quantity=line.quantity) for line in lines]


def _out(view: queries.TransferView) -> dict[str, object]:
    return TransferOut.model_validate(view).model_dump(mode="json")


def _transfer_id(db: Database, transfer: str) -> uuid.UUID:
    with db.reader() as session:
        return queries.get_transfer(session, transfer).id


@router.post("/transfers", status_code=201, response_model=TransferOut)
def create(body: TransferCreate, request: Request, db: DbDep, principal: Writer) -> JSONResponse:
    """A transfer between two active warehouses (draft); with `"dispatch": true` the
    goods leave the source at once. Refused whole if the source is short of available
    stock (`insufficient_stock`, naming each SKU): reserved stock is never transferred."""

    def action(uow: UnitOfWork) -> dict[str, object]:
        view = create_transfer(
            uow,
            from_warehouse=body.from_warehouse,
            to_warehouse=body.to_warehouse,
            lines=_lines(body.lines),
            note=body.note,
            dispatch=body.dispatch,
        )
        return _out(view)

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/transfers", response_model=Page[TransferOut])
def list_transfers(
    db: DbDep,
    _: Reader,
    status: TransferStatus | None = None,
    warehouse: Annotated[str | None, Query(description="either end", max_length=20)] = None,
    from_warehouse: Annotated[str | None, Query(max_length=20)] = None,
    to_warehouse: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[TransferOut]:
    """Transfers newest first (without their lines), with keyset pagination."""
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        rows = queries.list_transfers(
            session,
            status=status,
            warehouse=warehouse,
            from_warehouse=from_warehouse,
            to_warehouse=to_warehouse,
            limit=limit + 1,
            before=before,
        )
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[TransferOut.model_validate(r) for r in rows[:limit]],
        next_cursor=encode_time_cursor(last.created_at, last.id) if last else None,
    )


@router.get("/transfers/in-transit", response_model=Page[InTransitOut])
def in_transit(
    db: DbDep,
    _: Reader,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    warehouse: Annotated[str | None, Query(description="destination", max_length=20)] = None,
) -> Page[InTransitOut]:
    """Stock on the way per (SKU, destination): shipped on open transfers, not received
    yet. It is on neither warehouse's hand until it arrives."""
    with db.reader() as session:
        rows = queries.in_transit(session, sku=sku, warehouse=warehouse)
    return Page(items=[InTransitOut.model_validate(r) for r in rows], next_cursor=None)


@router.get("/transfers/{transfer}", response_model=TransferOut)
def get_transfer(transfer: str, db: DbDep, _: Reader) -> TransferOut:
    """A transfer by id or number, with its lines."""
    with db.reader() as session:
        return TransferOut.model_validate(queries.get_transfer(session, transfer))


@router.post("/transfers/{transfer}/dispatch", response_model=TransferOut)
def dispatch(transfer: str, db: DbDep, principal: Writer) -> TransferOut:
    """The goods leave the source: every line in one ledger post, or nothing."""
    transfer_id = _transfer_id(db, transfer)
    with db.unit_of_work(actor=principal.actor) as uow:
        view = dispatch_transfer(uow, transfer_id=transfer_id)
    return TransferOut.model_validate(view)


@router.post("/transfers/{transfer}/receive", response_model=TransferOut)
def receive(
    transfer: str,
    request: Request,
    db: DbDep,
    principal: Writer,
    body: TransferReceiveIn | None = None,
) -> JSONResponse:
    """Book what arrived (per line, at most what is still on the way); without lines,
    everything outstanding. Backorders waiting for these products are allocated, oldest
    order first. Send an `Idempotency-Key` so a retried receipt is not booked twice."""
    transfer_id = _transfer_id(db, transfer)
    lines = _lines(body.lines) if body and body.lines is not None else None
    note = body.note if body else ""

    def action(uow: UnitOfWork) -> dict[str, object]:
        return _out(receive_transfer(uow, transfer_id=transfer_id, lines=lines, note=note))

    request_body = body.model_dump(mode="json") if body else {}
    return create_once(request, db, principal, request_body, action, status=200)


@router.post("/transfers/{transfer}/cancel", response_model=TransferOut)
def cancel(
    transfer: str, db: DbDep, principal: Writer, body: TransferCancelIn | None = None
) -> TransferOut:
    """Call off a draft or in-transit transfer; goods in transit go back to the source."""
    transfer_id = _transfer_id(db, transfer)
    with db.unit_of_work(actor=principal.actor) as uow:
        view = cancel_transfer(uow, transfer_id=transfer_id, reason=body.reason if body else "")
    return TransferOut.model_validate(view)
