"""Catalog routes: products and price lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.catalog import price_lists, queries, services
from ordersmith.catalog.status import ProductStatus
from ordersmith.uow import UnitOfWork
from ordersmith.validation import MAX_QUANTITY
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from ordersmith.web.schemas.catalog import (
    PriceItemIn,
    PriceListCreate,
    PriceListItemsIn,
    PriceListOut,
    PriceListSummaryOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
)
from ordersmith.web.schemas.common import Page

router = APIRouter(tags=["catalog"])
CanRead = Annotated[Principal, Depends(require(Permission.CATALOG_READ))]
CanWrite = Annotated[Principal, Depends(require(Permission.CATALOG_WRITE))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]


def _after(cursor: str | None) -> str | None:
    return decode_cursor(cursor, 1)[0] if cursor else None


def _items(items: list[PriceItemIn]) -> list[price_lists.PriceItemInput]:
    return [price_lists.PriceItemInput(i.sku, i.price, i.min_quantity) for i in items]


@router.post("/products", status_code=201, response_model=ProductOut)
def create_product(
    body: ProductCreate, request: Request, db: DbDep, principal: CanWrite
) -> JSONResponse:
    """Add a product (409 `sku_exists` when the SKU is taken). Send `Idempotency-Key`
    to make retries safe."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = services.create_product(uow, **body.model_dump())
        return ProductOut.from_view(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/products", response_model=Page[ProductOut])
def list_products(
    db: DbDep,
    _principal: CanRead,
    q: Annotated[str | None, Query(max_length=200, description="in SKU or name")] = None,
    status: ProductStatus | None = None,
    category: str | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ProductOut]:
    """Products by SKU."""
    with db.reader() as session:
        items, more = queries.list_products(
            session, q=q, status=status, category=category, after=_after(cursor), limit=limit
        )
    return Page(
        items=[ProductOut.from_view(v) for v in items],
        next_cursor=encode_cursor([items[-1].sku]) if more else None,
    )


@router.get("/products/{sku_or_id:path}", response_model=ProductOut)
def get_product(sku_or_id: str, db: DbDep, _principal: CanRead) -> ProductOut:
    """One product by SKU or id."""
    with db.reader() as session:
        return ProductOut.from_view(queries.get_product(session, sku_or_id))


@router.patch("/products/{sku_or_id:path}", response_model=ProductOut)
def update_product(
    sku_or_id: str, body: ProductUpdate, db: DbDep, principal: CanWrite
) -> ProductOut:
    """Change some fields of a product (409 `invalid_transition` for a disallowed status)."""
    with db.unit_of_work(actor=principal.actor) as uow:
        view = services.update_product(
            uow, product=sku_or_id, **body.model_dump(exclude_unset=True)
        )
    return ProductOut.from_view(view)


@router.post("/price-lists", status_code=201, response_model=PriceListOut)
def create_price_list(
    body: PriceListCreate, request: Request, db: DbDep, principal: CanWrite
) -> JSONResponse:
    """Add a price list for a customer group, with optional items (quantity breaks)."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = price_lists.create_price_list(
            uow, **body.model_dump(exclude={"items"}), items=_items(body.items)
        )
        return PriceListOut.from_view(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/price-lists", response_model=Page[PriceListSummaryOut])
def list_price_lists(
    db: DbDep,
    _principal: CanRead,
    customer_group: str | None = None,
    currency: str | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[PriceListSummaryOut]:
    """Price lists by code, with their item counts."""
    with db.reader() as session:
        items, more = queries.list_price_lists(
            session,
            customer_group=customer_group,
            currency=currency,
            after=_after(cursor),
            limit=limit,
        )
    return Page(
        items=[PriceListSummaryOut.model_validate(v) for v in items],
        next_cursor=encode_cursor([items[-1].code]) if more else None,
    )


@router.get("/price-lists/{code_or_id}", response_model=PriceListOut)
def get_price_list(code_or_id: str, db: DbDep, _principal: CanRead) -> PriceListOut:
    """One price list by code or id, with its items."""
    with db.reader() as session:
        return PriceListOut.from_view(queries.get_price_list(session, code_or_id))


@router.put("/price-lists/{code_or_id}/items", response_model=PriceListOut)
def replace_price_list_items(
    code_or_id: str, body: PriceListItemsIn, db: DbDep, principal: CanWrite
) -> PriceListOut:
    """Replace all items of a price list."""
    with db.unit_of_work(actor=principal.actor) as uow:
        view = price_lists.replace_price_list_items(
            uow, price_list=code_or_id, items=_items(body.items)
        )
    return PriceListOut.from_view(view)


@router.post("/price-lists/{code_or_id}/items", response_model=PriceListOut)
def set_price_list_item(
    code_or_id: str, body: PriceItemIn, db: DbDep, principal: CanWrite
) -> PriceListOut:
    """Set one price: add it, or change the price of that SKU from `min_quantity` units;
    the list's other items stay. Sending the same price again changes nothing more."""
    with db.unit_of_work(actor=principal.actor) as uow:
        view, _replaced = price_lists.set_price_list_item(
            uow, price_list=code_or_id, item=_items([body])[0]
        )
    return PriceListOut.from_view(view)


@router.delete("/price-lists/{code_or_id}/items/{sku:path}", status_code=204)
def remove_price_list_item(
    code_or_id: str,
    sku: str,
    db: DbDep,
    principal: CanWrite,
    min_quantity: Annotated[int, Query(ge=1, le=MAX_QUANTITY)] = 1,
) -> Response:
    """Remove one item (a SKU's price from `min_quantity` units)."""
    with db.unit_of_work(actor=principal.actor) as uow:
        price_lists.remove_price_list_item(
            uow, price_list=code_or_id, sku=sku, min_quantity=min_quantity
        )
    return Response(status_code=204)
