"""Read side of stock transfers: one transfer with its lines, lists, stock on the way."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import NamedFromClause

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.inventory.errors import TransferNotFound
from ordersmith.inventory.models import StockTransfer, StockTransferLine, Warehouse
from ordersmith.inventory.queries import warehouse_code
from ordersmith.inventory.transfer_status import (
    OPEN_STATUSES,
    TransferAction,
    TransferStatus,
    allowed_actions,
)
from ordersmith.validation import matchable


@dataclass(frozen=True, slots=True)
class TransferLineView:
    line_no: int
    product_id: uuid.UUID
    sku: str
    quantity: int
    shipped_quantity: int
    received_quantity: int
    in_transit: int
    """Shipped and not received yet, while the transfer is open (0 once received or
    cancelled: a cancelled transfer's units went back to the source)."""


@dataclass(frozen=True, slots=True)
class TransferView:
    id: uuid.UUID
    number: str
    status: TransferStatus
    from_warehouse_id: uuid.UUID
    from_warehouse: str
    to_warehouse_id: uuid.UUID
    to_warehouse: str
    note: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    dispatched_by: str
    dispatched_at: datetime | None
    received_at: datetime | None
    cancelled_by: str
    cancelled_at: datetime | None
    cancel_reason: str
    line_count: int
    units: int
    lines: tuple[TransferLineView, ...] = ()

    @property
    def allowed_actions(self) -> list[TransferAction]:
        return allowed_actions(self.status)


@dataclass(frozen=True, slots=True)
class InTransitView:
    """Units on the way to one warehouse: shipped on open transfers, not received yet."""

    product_id: uuid.UUID
    sku: str
    warehouse_id: uuid.UUID
    warehouse: str
    quantity: int


def _head_query() -> tuple[sa.Select[Any], NamedFromClause, NamedFromClause]:
    """The transfer heads with both warehouses' codes and line totals; and the two
    warehouse aliases (source, destination) to filter on."""
    transfers, lines = table_of(StockTransfer), table_of(StockTransferLine)
    source, destination = table_of(Warehouse).alias("source"), table_of(Warehouse).alias("dest")
    totals = (
        sa.select(
            lines.c.transfer_id,
            sa.func.count().label("line_count"),
            sa.func.sum(lines.c.quantity).label("units"),
        )
        .group_by(lines.c.transfer_id)
        .subquery()
    )
    query = (
        sa.select(
            transfers.c.id,
            transfers.c.number,
            transfers.c.status,
            transfers.c.from_warehouse_id,
            source.c.code.label("from_warehouse"),
            transfers.c.to_warehouse_id,
            destination.c.code.label("to_warehouse"),
            transfers.c.note,
            transfers.c.created_by,
            transfers.c.created_at,
            transfers.c.updated_at,
            transfers.c.dispatched_by,
            transfers.c.dispatched_at,
            transfers.c.received_at,
            transfers.c.cancelled_by,
            transfers.c.cancelled_at,
            transfers.c.cancel_reason,
            sa.func.coalesce(totals.c.line_count, 0).label("line_count"),
            sa.func.coalesce(totals.c.units, 0).label("units"),
        )
        .join(source, source.c.id == transfers.c.from_warehouse_id)
        .join(destination, destination.c.id == transfers.c.to_warehouse_id)
        .outerjoin(totals, totals.c.transfer_id == transfers.c.id)
    )
    return query, source, destination


def _view(row: Any, lines: tuple[TransferLineView, ...] = ()) -> TransferView:
    values = dict(row._mapping)
    values["status"] = TransferStatus(values["status"])
    values["line_count"], values["units"] = int(values["line_count"]), int(values["units"])
    return TransferView(**values, lines=lines)


def transfer_match(id_or_number: str | uuid.UUID) -> sa.ColumnElement[bool]:
    """WHERE clause matching a transfer by id or number (``TR-2026-000001``)."""
    transfers = table_of(StockTransfer)
    if isinstance(id_or_number, uuid.UUID):
        return transfers.c.id == id_or_number
    if not matchable(id_or_number):
        return sa.false()
    try:
        return transfers.c.id == uuid.UUID(id_or_number)
    except ValueError:
        return transfers.c.number == id_or_number.strip().upper()


def transfer_lines(
    session: Session, transfer_id: uuid.UUID, status: TransferStatus
) -> tuple[TransferLineView, ...]:
    """The lines of a transfer in ``status``, in line order."""
    lines = table_of(StockTransferLine)
    on_the_way = status in OPEN_STATUSES
    rows = session.execute(
        sa.select(
            lines.c.line_no,
            lines.c.product_id,
            lines.c.sku,
            lines.c.quantity,
            lines.c.shipped_quantity,
            lines.c.received_quantity,
        )
        .where(lines.c.transfer_id == transfer_id)
        .order_by(lines.c.line_no)
    )
    return tuple(
        TransferLineView(
            **row._asdict(),
            in_transit=row.shipped_quantity - row.received_quantity if on_the_way else 0,
        )
        for row in rows
    )


def get_transfer(session: Session, id_or_number: str | uuid.UUID) -> TransferView:
    """A transfer by id or number, with its lines; raises TransferNotFound."""
    query, _source, _destination = _head_query()
    row = session.execute(query.where(transfer_match(id_or_number))).one_or_none()
    if row is None:
        raise TransferNotFound(f"no transfer {str(id_or_number)!r}")
    return _view(row, transfer_lines(session, row.id, TransferStatus(row.status)))


def list_transfers(
    session: Session,
    *,
    status: TransferStatus | None = None,
    warehouse: str | None = None,
    from_warehouse: str | None = None,
    to_warehouse: str | None = None,
    limit: int = 50,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> list[TransferView]:
    """Transfers newest first (keyset on created_at, id), without their lines.

    ``warehouse`` matches either end; ``from_warehouse``/``to_warehouse`` one end each.
    Unknown warehouse codes match nothing."""
    if not matchable(warehouse, from_warehouse, to_warehouse):
        return []
    transfers = table_of(StockTransfer)
    query, source, destination = _head_query()
    if status is not None:
        query = query.where(transfers.c.status == status.value)
    if warehouse is not None:
        code = warehouse_code(warehouse)
        query = query.where(sa.or_(source.c.code == code, destination.c.code == code))
    if from_warehouse is not None:
        query = query.where(source.c.code == warehouse_code(from_warehouse))
    if to_warehouse is not None:
        query = query.where(destination.c.code == warehouse_code(to_warehouse))
    if before is not None:
        query = query.where(sa.tuple_(transfers.c.created_at, transfers.c.id) < sa.tuple_(*before))
    query = query.order_by(transfers.c.created_at.desc(), transfers.c.id.desc()).limit(limit)
    return [_view(row) for row in session.execute(query)]


def in_transit(
    session: Session, *, sku: str | None = None, warehouse: str | None = None
) -> list[InTransitView]:
    """Units on the way per (product, destination warehouse), ordered by SKU, warehouse."""
    if not matchable(sku, warehouse):
        return []
    transfers, lines = table_of(StockTransfer), table_of(StockTransferLine)
    warehouses, products = table_of(Warehouse), table_of(Product)
    quantity = sa.func.sum(lines.c.shipped_quantity - lines.c.received_quantity)
    query = (
        sa.select(
            lines.c.product_id,
            products.c.sku,
            transfers.c.to_warehouse_id.label("warehouse_id"),
            warehouses.c.code.label("warehouse"),
            quantity.label("quantity"),
        )
        .join(transfers, transfers.c.id == lines.c.transfer_id)
        .join(warehouses, warehouses.c.id == transfers.c.to_warehouse_id)
        .join(products, products.c.id == lines.c.product_id)
        .where(transfers.c.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(
            lines.c.product_id, products.c.sku, transfers.c.to_warehouse_id, warehouses.c.code
        )
        .having(quantity > 0)
        .order_by(products.c.sku, warehouses.c.code)
    )
    if sku is not None:
        query = query.where(products.c.sku == sku)
    if warehouse is not None:
        query = query.where(warehouses.c.code == warehouse_code(warehouse))
    return [
        InTransitView(r.product_id, r.sku, r.warehouse_id, r.warehouse, int(r.quantity))
        for r in session.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class DraftTransferUnits:
    """Units of a product on draft transfers (not dispatched) from one warehouse to another."""

    product_id: uuid.UUID
    from_warehouse_id: uuid.UUID
    to_warehouse_id: uuid.UUID
    quantity: int


def draft_transfer_units(
    session: Session, *, product_ids: Collection[uuid.UUID] | None = None
) -> list[DraftTransferUnits]:
    """Units on draft transfers per (product, source, destination), in one grouped query.
    A draft moves and reserves nothing (ADR 0015); replenishment counts it as planned so
    that it does not propose the same units again."""
    transfers, lines = table_of(StockTransfer), table_of(StockTransferLine)
    query = (
        sa.select(
            lines.c.product_id,
            transfers.c.from_warehouse_id,
            transfers.c.to_warehouse_id,
            sa.func.sum(lines.c.quantity),
        )
        .join(transfers, transfers.c.id == lines.c.transfer_id)
        .where(transfers.c.status == TransferStatus.DRAFT.value)
        .group_by(lines.c.product_id, transfers.c.from_warehouse_id, transfers.c.to_warehouse_id)
    )
    if product_ids is not None:
        query = query.where(lines.c.product_id.in_(sorted(set(product_ids))))
    return [DraftTransferUnits(p, f, t, int(q)) for p, f, t, q in session.execute(query)]
