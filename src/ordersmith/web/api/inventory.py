"""Warehouses, stock levels, availability, receipts, returns, adjustments and the ledger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.inventory import queries, services
from ordersmith.inventory.queries import StockLevelView
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
from ordersmith.web.schemas.inventory import (
    AdjustmentCreate,
    AvailabilityOut,
    MovementOut,
    ReceiptCreate,
    ReturnCreate,
    StockLevelOut,
    StockSettingsUpdate,
    WarehouseCreate,
    WarehouseOut,
)

router = APIRouter(tags=["inventory"])

Reader = Annotated[Principal, Depends(require(Permission.INVENTORY_READ))]
Writer = Annotated[Principal, Depends(require(Permission.INVENTORY_WRITE))]
WarehouseAdmin = Annotated[Principal, Depends(require(Permission.WAREHOUSES_WRITE))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.post("/warehouses", status_code=201, response_model=WarehouseOut)
def create_warehouse(
    body: WarehouseCreate, request: Request, db: DbDep, principal: WarehouseAdmin
) -> JSONResponse:
    def action(uow: UnitOfWork) -> dict[str, object]:
        view = services.create_warehouse(
            uow,
            code=body.code,
            name=body.name,
            priority=body.priority,
            address=body.address.model_dump() if body.address else None,
        )
        return WarehouseOut.model_validate(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/warehouses", response_model=Page[WarehouseOut])
def list_warehouses(db: DbDep, _: Reader) -> Page[WarehouseOut]:
    with db.reader() as session:
        views = queries.list_warehouses(session)
    return Page(items=[WarehouseOut.model_validate(v) for v in views], next_cursor=None)


@router.get("/warehouses/{code}", response_model=WarehouseOut)
def get_warehouse(code: str, db: DbDep, _: Reader) -> WarehouseOut:
    with db.reader() as session:
        return WarehouseOut.model_validate(
            queries.warehouse_view(queries.get_warehouse(session, code))
        )


@router.get("/stock", response_model=Page[StockLevelOut])
def list_stock(
    db: DbDep,
    _: Reader,
    sku: str | None = None,
    warehouse: str | None = None,
    low: Annotated[bool, Query(description="only rows at or below their reorder point")] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[StockLevelOut]:
    """Stock per (warehouse, SKU): on hand, reserved, available; ordered by SKU, warehouse."""
    after = None
    if cursor:
        after_sku, after_warehouse = decode_cursor(cursor, 2)
        after = (after_sku, after_warehouse)
    with db.reader() as session:
        rows = queries.stock_levels(
            session,
            sku=sku,
            warehouse=warehouse,
            at_or_below_reorder_point=low,
            limit=limit + 1,
            after=after,
        )
    next_cursor = (
        encode_cursor([rows[limit - 1].sku, rows[limit - 1].warehouse])
        if len(rows) > limit
        else None
    )
    return Page(
        items=[StockLevelOut.model_validate(r) for r in rows[:limit]], next_cursor=next_cursor
    )


@router.get("/stock/availability/{sku}", response_model=AvailabilityOut)
def availability(sku: str, db: DbDep, _: Reader) -> AvailabilityOut:
    """Availability of one SKU across all warehouses, with the per-warehouse rows."""
    with db.reader() as session:
        queries.product_id_for_sku(session, sku)
        rows = queries.stock_levels(session, sku=sku, limit=MAX_LIMIT)
    return AvailabilityOut(
        sku=sku,
        on_hand=sum(r.on_hand for r in rows),
        reserved=sum(r.reserved for r in rows),
        available=sum(r.available for r in rows),
        warehouses=[StockLevelOut.model_validate(r) for r in rows],
    )


@router.post("/stock/receipts", status_code=201, response_model=StockLevelOut)
def receive(body: ReceiptCreate, request: Request, db: DbDep, principal: Writer) -> JSONResponse:
    """Goods in: on hand grows; answers the new stock level."""
    return _goods_in(services.receive_stock, body, request, db, principal)


@router.post("/stock/returns", status_code=201, response_model=StockLevelOut)
def return_to_stock(
    body: ReturnCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Goods back from a customer, fit to sell again: on hand grows and backorders waiting
    for the SKU are allocated, oldest order first; answers the new stock level."""
    return _goods_in(services.return_to_stock, body, request, db, principal)


def _goods_in(
    service: Callable[..., StockLevelView],
    body: ReceiptCreate | ReturnCreate,
    request: Request,
    db: Database,
    principal: Principal,
) -> JSONResponse:
    """Run a goods-in service (receipt or return) once per Idempotency-Key."""

    def action(uow: UnitOfWork) -> dict[str, object]:
        level = service(
            uow,
            warehouse=body.warehouse,
            sku=body.sku,
            quantity=body.quantity,
            reference=body.reference,
            note=body.note,
        )
        return StockLevelOut.model_validate(level).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.post("/stock/adjustments", status_code=201, response_model=StockLevelOut)
def adjust(body: AdjustmentCreate, request: Request, db: DbDep, principal: Writer) -> JSONResponse:
    """Correct on-hand stock with a reason; refused if it would leave less than is reserved."""

    def action(uow: UnitOfWork) -> dict[str, object]:
        level = services.adjust_stock(
            uow,
            warehouse=body.warehouse,
            sku=body.sku,
            delta=body.delta,
            reason=body.reason,
            note=body.note,
        )
        return StockLevelOut.model_validate(level).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.patch("/stock/{warehouse}/{sku}", response_model=StockLevelOut)
def update_stock_settings(
    warehouse: str, sku: str, body: StockSettingsUpdate, db: DbDep, principal: Writer
) -> StockLevelOut:
    """Set the reorder point (StockLow fires at or below it) and the bin location."""
    with db.unit_of_work(actor=principal.actor) as uow:
        level = services.set_stock_settings(
            uow,
            warehouse=warehouse,
            sku=sku,
            reorder_point=body.reorder_point,
            bin_location=body.bin_location,
        )
    return StockLevelOut.model_validate(level)


@router.get("/stock/movements", response_model=Page[MovementOut])
def list_movements(
    db: DbDep,
    _: Reader,
    sku: str | None = None,
    warehouse: str | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[MovementOut]:
    """The stock ledger, newest first."""
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        rows = queries.movements(
            session, sku=sku, warehouse=warehouse, limit=limit + 1, before=before
        )
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[MovementOut.model_validate(r) for r in rows[:limit]],
        next_cursor=encode_time_cursor(last.created_at, last.id) if last else None,
    )
