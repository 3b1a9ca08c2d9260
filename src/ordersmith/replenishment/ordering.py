"""Approved requests become documents: draft purchase orders and transfers.

``order_purchase_requests``: approved purchase requests, grouped by supplier and
destination warehouse, become one draft purchase order each (one line per product, at
most 500 lines an order), through purchasing's ``create_purchase_order``. Each line's
quantity is the request's, rounded up to the supplier's order rules as they are now
(they may have changed since the request was made: the quantity that went on the order
is kept as ``ordered_quantity``). Requests without a supplier, of an inactive supplier
or for a product the supplier no longer supplies are skipped, with the reason.

``order_transfer_requests``: approved transfer requests, grouped by source and
destination, become one transfer each through inventory's ``create_transfer``, as drafts
or dispatched at once (``dispatch``: all or nothing, like any dispatch).

Both are one unit of work: every document and every request's ``ordered`` state commit
together or not at all. They read the plan first and take the documents' numbers before
the unit of work's first statement (SQLite has one writer: ADR 0003), so call them
first in their unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.models import Product
from ordersmith.db import core, table_of
from ordersmith.inventory.models import Warehouse
from ordersmith.inventory.queries import get_warehouse
from ordersmith.inventory.transfers import TransferLineInput, create_transfer, take_transfer_number
from ordersmith.purchasing.inputs import LineInput
from ordersmith.purchasing.queries import get_supplier, supplier_products
from ordersmith.purchasing.services import create_purchase_order, take_purchase_order_number
from ordersmith.replenishment.events import ReplenishmentRequestOrdered
from ordersmith.replenishment.models import ReplenishmentRequest, RequestKind
from ordersmith.replenishment.services import rounded
from ordersmith.replenishment.status import RequestStatus
from ordersmith.replenishment.views import OrderedDocument, OrderingResult, Skipped
from ordersmith.uow import UnitOfWork

MAX_LINES = 500
_RQ, _P, _W = table_of(ReplenishmentRequest), table_of(Product), table_of(Warehouse)
GroupKey = tuple[uuid.UUID, uuid.UUID, int]
"""(supplier or source warehouse, destination warehouse, part): part counts 500 lines."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which approved requests to order (every one by default)."""

    supplier: str | None = None
    warehouse: str | None = None
    """The destination warehouse."""
    source_warehouse: str | None = None
    request_ids: Sequence[uuid.UUID] | None = None


def _approved(
    session: Session, kind: RequestKind, filters: dict[str, Any], *, lock: bool = False
) -> list[Any]:
    query = (
        sa.select(
            _RQ.c.id,
            _RQ.c.warehouse_id,
            _RQ.c.product_id,
            _RQ.c.supplier_id,
            _RQ.c.source_warehouse_id,
            sa.func.coalesce(_RQ.c.quantity, _RQ.c.suggested_quantity).label("quantity"),
            _P.c.sku,
            _W.c.code.label("warehouse"),
        )
        .join(_P, _P.c.id == _RQ.c.product_id)
        .join(_W, _W.c.id == _RQ.c.warehouse_id)
        .where(_RQ.c.status == RequestStatus.APPROVED.value, _RQ.c.kind == kind.value)
        .order_by(_RQ.c.id)  # the lock order of every replenishment change: no deadlock
    )
    for column, value in filters.items():
        query = query.where(
            _RQ.c.id.in_(sorted(set(value))) if column == "ids" else _RQ.c[column] == value
        )
    rows = session.execute(query.with_for_update(of=_RQ) if lock else query)
    return sorted(rows, key=lambda r: (str(r.warehouse_id), r.sku, str(r.id)))


def _filters(session: Session, scope: Scope) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if scope.supplier is not None:
        found["supplier_id"] = get_supplier(session, scope.supplier).id
    if scope.warehouse is not None:
        found["warehouse_id"] = get_warehouse(session, scope.warehouse).id
    if scope.source_warehouse is not None:
        found["source_warehouse_id"] = get_warehouse(session, scope.source_warehouse).id
    if scope.request_ids is not None:
        found["ids"] = list(scope.request_ids)
    return found


def _groups(rows: list[Any], by: str) -> dict[GroupKey, list[Any]]:
    """Rows by (supplier or source, destination), cut into parts of MAX_LINES."""
    whole: dict[tuple[uuid.UUID, uuid.UUID], list[Any]] = {}
    for row in rows:
        if row._mapping[by] is not None:
            whole.setdefault((row._mapping[by], row.warehouse_id), []).append(row)
    return {
        (head, to, part // MAX_LINES): members[part : part + MAX_LINES]
        for (head, to), members in sorted(whole.items())
        for part in range(0, len(members), MAX_LINES)
    }


def _plan(
    uow: UnitOfWork, kind: RequestKind, scope: Scope, by: str
) -> tuple[dict[str, Any], dict[GroupKey, str]]:
    """Read what would be ordered, then take a number per document (before any SQL)."""
    with uow.db.reader() as session:
        filters = _filters(session, scope)
        planned = _approved(session, kind, filters)
    take = take_purchase_order_number if kind is RequestKind.PURCHASE else take_transfer_number
    numbers = {key: take(uow) for key in _groups(planned, by)}
    return {**filters, "ids": [r.id for r in planned]}, numbers


def order_purchase_requests(uow: UnitOfWork, scope: Scope = Scope()) -> OrderingResult:
    """Draft purchase orders from the approved purchase requests in ``scope``."""
    uow.authorize(Permission.PURCHASING_WRITE)
    filters, numbers = _plan(uow, RequestKind.PURCHASE, scope, "supplier_id")
    result = OrderingResult()
    rows = _approved(uow.session, RequestKind.PURCHASE, filters, lock=True)
    for row in rows:
        if row.supplier_id is None:
            result.skipped.append(_skip(row, "no supplier: choose one (edit the request)"))
    for key, members in _groups(rows, "supplier_id").items():
        supplier = get_supplier(uow.session, key[0])
        if key not in numbers or not supplier.active:
            why = f"supplier {supplier.code} is not active" if not supplier.active else ""
            result.skipped.extend(_skip(r, why or "changed meanwhile: try again") for r in members)
            continue
        items = {i.product_id: i for i in supplier_products(uow.session, supplier_id=supplier.id)}
        lines: list[tuple[Any, int]] = []
        for row in members:
            if row.product_id in items:
                lines.append((row, rounded(items[row.product_id], row.quantity)))
            else:
                result.skipped.append(_skip(row, f"{supplier.code} no longer supplies {row.sku}"))
        if not lines:
            continue
        po = create_purchase_order(
            uow,
            supplier=supplier.id,
            warehouse=str(key[1]),
            lines=[LineInput(row.sku, units) for row, units in lines],
            notes=f"From {len(lines)} replenishment request(s).",
            number=numbers[key],
        )
        _mark_ordered(uow, lines, RequestKind.PURCHASE, po.id, po.number)
        result.documents.append(
            OrderedDocument(
                po.id,
                po.number,
                "purchase_order",
                supplier.code,
                po.warehouse,
                po.status,
                tuple(row.id for row, _ in lines),
                tuple((row.sku, units) for row, units in lines),
            )
        )
    return result


def order_transfer_requests(
    uow: UnitOfWork, scope: Scope = Scope(), *, dispatch: bool = False
) -> OrderingResult:
    """Transfers (drafts, or dispatched with ``dispatch``) from the approved transfer
    requests in ``scope``. A dispatch short of stock refuses everything (InsufficientStock)."""
    uow.authorize(Permission.PURCHASING_WRITE)
    filters, numbers = _plan(uow, RequestKind.TRANSFER, scope, "source_warehouse_id")
    result = OrderingResult()
    rows = _approved(uow.session, RequestKind.TRANSFER, filters, lock=True)
    for key, members in _groups(rows, "source_warehouse_id").items():
        if key not in numbers:
            result.skipped.extend(_skip(r, "changed meanwhile: try again") for r in members)
            continue
        with uow.as_system():  # the transfer is what ordering the requests asked for
            transfer = create_transfer(
                uow,
                from_warehouse=str(key[0]),
                to_warehouse=str(key[1]),
                lines=[TransferLineInput(row.sku, row.quantity) for row in members],
                note=f"From {len(members)} replenishment request(s).",
                dispatch=dispatch,
                number=numbers[key],
            )
        lines = [(row, row.quantity) for row in members]
        _mark_ordered(uow, lines, RequestKind.TRANSFER, transfer.id, transfer.number)
        result.documents.append(
            OrderedDocument(
                transfer.id,
                transfer.number,
                "transfer",
                transfer.from_warehouse,
                transfer.to_warehouse,
                transfer.status.value,
                tuple(row.id for row in members),
                tuple((row.sku, row.quantity) for row in members),
            )
        )
    return result


def _skip(row: Any, reason: str) -> Skipped:
    return Skipped(row.id, row.warehouse, row.sku, reason)


def _mark_ordered(
    uow: UnitOfWork,
    lines: list[tuple[Any, int]],
    kind: RequestKind,
    document_id: uuid.UUID,
    number: str,
) -> None:
    """The requests are ``ordered`` on the document: one executemany UPDATE."""
    now = clock.now()
    document = "purchase_order_id" if kind is RequestKind.PURCHASE else "transfer_id"
    core(uow.session).execute(
        sa.update(_RQ)
        .where(_RQ.c.id == sa.bindparam("rid"), _RQ.c.status == RequestStatus.APPROVED.value)
        .values(
            status=RequestStatus.ORDERED.value,
            ordered_by=uow.actor,
            ordered_at=now,
            updated_at=now,
            ordered_quantity=sa.bindparam("units"),
            document_number=number,
            **{document: document_id},
        ),
        [{"rid": row.id, "units": units} for row, units in lines],
    )
    uow.record(
        *(
            ReplenishmentRequestOrdered(
                aggregate_id=row.id,
                warehouse=row.warehouse,
                sku=row.sku,
                kind=kind.value,
                quantity=units,
                document=number,
                document_id=document_id,
            )
            for row, units in lines
        )
    )
