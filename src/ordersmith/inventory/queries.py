"""Read side of inventory: warehouses, stock levels, availability, the ledger."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog import queries as catalog
from ordersmith.catalog.models import Product
from ordersmith.db import core, table_of
from ordersmith.hot_reads import HotRead, one_of
from ordersmith.inventory.errors import UnknownSku, WarehouseNotFound
from ordersmith.inventory.models import StockLevel, StockMovement, Warehouse
from ordersmith.validation import matchable

_IN_CHUNK = 500  # bound on IN (...) parameters per statement


@dataclass(frozen=True, slots=True)
class WarehouseView:
    id: uuid.UUID
    code: str
    name: str
    address: dict[str, Any]
    priority: int
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StockLevelView:
    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    on_hand: int
    reserved: int
    available: int
    reorder_point: int
    bin_location: str
    updated_at: datetime
    name: str = ""
    """The product's name."""


@dataclass(frozen=True, slots=True)
class MovementView:
    id: uuid.UUID
    warehouse: str
    sku: str
    kind: str
    on_hand_delta: int
    reserved_delta: int
    reason: str
    source_type: str
    source_id: str
    actor: str
    created_at: datetime


def warehouse_view(w: Warehouse) -> WarehouseView:
    return WarehouseView(
        w.id, w.code, w.name, dict(w.address or {}), w.priority, w.active, w.created_at
    )


def warehouse_code(code: str) -> str:
    """A warehouse code as stored: codes are upper-case, so a look-up matches any case."""
    return code.strip().upper()


def get_warehouse(session: Session, code_or_id: str) -> Warehouse:
    """The warehouse with this id or code (any case); raises WarehouseNotFound."""
    if not matchable(code_or_id):
        raise WarehouseNotFound(f"no warehouse {code_or_id!r}")
    query = sa.select(Warehouse)
    try:
        query = query.where(Warehouse.id == uuid.UUID(code_or_id))
    except ValueError:
        query = query.where(Warehouse.code == warehouse_code(code_or_id))
    warehouse = session.scalars(query).one_or_none()
    if warehouse is None:
        raise WarehouseNotFound(f"no warehouse {code_or_id!r}")
    return warehouse


def list_warehouses(session: Session) -> list[WarehouseView]:
    rows = session.scalars(sa.select(Warehouse).order_by(Warehouse.priority, Warehouse.code))
    return [warehouse_view(w) for w in rows]


def active_by_code(postgresql: bool, parameter: str = "codes") -> sa.Select[Any]:
    """The code and id of the active warehouses whose code is one of ``parameter`` (codes
    as stored). A hot read: placement pins warehouses by code (on PostgreSQL as part of
    its prices read, ADR 0042)."""
    wt = table_of(Warehouse)
    return sa.select(wt.c.code, wt.c.id).where(
        one_of(wt.c.code, parameter, postgresql=postgresql), wt.c.active.is_(True)
    )


_ACTIVE_IDS = HotRead(active_by_code)


def warehouse_ids(session: Session, codes: Iterable[str]) -> dict[str, uuid.UUID]:
    """The ids of the active warehouses with these codes, keyed by each code as given
    (any case); unknown and inactive codes are absent."""
    wanted = stored_codes(codes)
    ids: dict[str, uuid.UUID] = {}
    conn = core(session)
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = _ACTIVE_IDS.rows(conn, {"codes": wanted[start : start + _IN_CHUNK]})
        ids.update({row.code: row.id for row in rows})
    return ids_as_given(codes, ids)


def stored_codes(codes: Iterable[str]) -> list[str]:
    """The warehouse codes to look up for ``codes`` (any case): as stored, sorted, once
    each; a code that cannot be stored is left out (it matches nothing)."""
    return sorted({warehouse_code(code) for code in codes if matchable(code)})


def ids_as_given(codes: Iterable[str], ids: Mapping[str, uuid.UUID]) -> dict[str, uuid.UUID]:
    """``ids`` (warehouse id by code as stored) keyed by each of ``codes`` as given;
    the codes not found are absent."""
    return {
        code: ids[warehouse_code(code)]
        for code in codes
        if matchable(code) and warehouse_code(code) in ids
    }


@functools.cache
def _codes_statement() -> sa.Select[Any]:
    wt = table_of(Warehouse)
    return sa.select(wt.c.id, wt.c.code).where(wt.c.id.in_(sa.bindparam("ids", expanding=True)))


def warehouse_codes(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The codes of the warehouses (active or not) with these ids, by id."""
    wanted = sorted(set(ids))
    codes: dict[uuid.UUID, str] = {}
    conn = core(session)
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = conn.execute(_codes_statement(), {"ids": wanted[start : start + _IN_CHUNK]})
        codes.update({warehouse_id: code for warehouse_id, code in rows})
    return codes


def product_id_for_sku(session: Session, sku: str) -> uuid.UUID:
    """The id of the product with this SKU (through the catalog); raises UnknownSku."""
    product_id = catalog.product_id_for_sku(session, sku)
    if product_id is None:
        raise UnknownSku(f"no product with SKU {sku!r}")
    return product_id


def _levels_query() -> sa.Select[Any]:
    levels, warehouses, products = table_of(StockLevel), table_of(Warehouse), table_of(Product)
    return (
        sa.select(
            levels.c.warehouse_id,
            warehouses.c.code.label("warehouse"),
            levels.c.product_id,
            products.c.sku,
            levels.c.on_hand,
            levels.c.reserved,
            (levels.c.on_hand - levels.c.reserved).label("available"),
            levels.c.reorder_point,
            levels.c.bin_location,
            levels.c.updated_at,
            products.c.name,
        )
        .join(warehouses, warehouses.c.id == levels.c.warehouse_id)
        .join(products, products.c.id == levels.c.product_id)
    )


def stock_levels(
    session: Session,
    *,
    sku: str | None = None,
    warehouse: str | None = None,
    at_or_below_reorder_point: bool = False,
    out_of_stock: bool = False,
    search: str | None = None,
    limit: int = 50,
    after: tuple[str, str] | None = None,
) -> list[StockLevelView]:
    """Stock per (warehouse, SKU), ordered by SKU then warehouse code, keyset-paginated.

    ``search``: a SKU or name start, or a barcode (``catalog.queries.product_search``);
    ``out_of_stock``: nothing available."""
    if not matchable(sku, warehouse, search, *(after or ())):
        return []
    levels, warehouses, products = table_of(StockLevel), table_of(Warehouse), table_of(Product)
    query = _levels_query()
    if sku is not None:
        query = query.where(products.c.sku == sku)
    if warehouse is not None:
        query = query.where(warehouses.c.code == warehouse_code(warehouse))
    if at_or_below_reorder_point:
        query = query.where(levels.c.on_hand - levels.c.reserved <= levels.c.reorder_point)
    if out_of_stock:
        query = query.where(levels.c.on_hand - levels.c.reserved <= 0)
    if search:
        query = query.where(catalog.product_search(products, search))
    if after is not None:
        query = query.where(sa.tuple_(products.c.sku, warehouses.c.code) > sa.tuple_(*after))
    query = query.order_by(products.c.sku, warehouses.c.code).limit(limit)
    return [StockLevelView(**row._asdict()) for row in session.execute(query)]


def stock_level(session: Session, warehouse_id: uuid.UUID, product_id: uuid.UUID) -> StockLevelView:
    levels = table_of(StockLevel)
    row = session.execute(
        _levels_query().where(
            levels.c.warehouse_id == warehouse_id, levels.c.product_id == product_id
        )
    ).one()
    return StockLevelView(**row._asdict())


def movements(
    session: Session,
    *,
    sku: str | None = None,
    warehouse: str | None = None,
    limit: int = 50,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> list[MovementView]:
    """The ledger, newest first."""
    if not matchable(sku, warehouse):
        return []
    m, warehouses, products = table_of(StockMovement), table_of(Warehouse), table_of(Product)
    query = (
        sa.select(
            m.c.id,
            warehouses.c.code.label("warehouse"),
            products.c.sku,
            m.c.kind,
            m.c.on_hand_delta,
            m.c.reserved_delta,
            m.c.reason,
            m.c.source_type,
            m.c.source_id,
            m.c.actor,
            m.c.created_at,
        )
        .join(warehouses, warehouses.c.id == m.c.warehouse_id)
        .join(products, products.c.id == m.c.product_id)
    )
    if sku is not None:
        query = query.where(products.c.sku == sku)
    if warehouse is not None:
        query = query.where(warehouses.c.code == warehouse_code(warehouse))
    if before is not None:
        query = query.where(sa.tuple_(m.c.created_at, m.c.id) < sa.tuple_(*before))
    query = query.order_by(m.c.created_at.desc(), m.c.id.desc()).limit(limit)
    return [MovementView(**row._asdict()) for row in session.execute(query)]


def availability(session: Session, skus: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """Units available (on hand less reserved) per warehouse code, for each SKU (the
    sales form's stock column, the portal's reorder)."""
    result: dict[str, list[tuple[str, int]]] = {}
    for sku in dict.fromkeys(skus):
        levels = stock_levels(session, sku=sku, limit=20)
        result[sku] = [(level.warehouse, level.available) for level in levels]
    return result
