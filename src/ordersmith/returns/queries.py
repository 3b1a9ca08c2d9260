"""Read side of returns: one return with its lines and dispositions, filtered lists."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import table_of
from ordersmith.inventory.models import Warehouse
from ordersmith.orders.models import Order
from ordersmith.purchasing.models import Supplier
from ordersmith.returns.errors import ReturnNotFound
from ordersmith.returns.models import Return, ReturnDisposition, ReturnLine
from ordersmith.returns.status import ReturnStatus
from ordersmith.returns.views import DispositionView, ReturnLineView, ReturnView
from ordersmith.shipping.models import Carrier
from ordersmith.validation import matchable

_R, _RL, _RD = table_of(Return), table_of(ReturnLine), table_of(ReturnDisposition)


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    status: ReturnStatus | None = None
    customer_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    reason: str | None = None
    """Returns with at least one line returned for this reason (``ReturnReason``)."""


def return_match(ref: str | uuid.UUID) -> sa.ColumnElement[bool]:
    """WHERE clause matching a return by id or number (``RMA-2026-000001``, any case)."""
    if isinstance(ref, uuid.UUID):
        return _R.c.id == ref
    if not matchable(ref):
        return sa.false()
    try:
        return _R.c.id == uuid.UUID(ref)
    except ValueError:
        return _R.c.number == ref.strip().upper()


def _head_query() -> sa.Select[Any]:
    orders, replacement = table_of(Order), table_of(Order).alias("replacement")
    warehouses, carriers = table_of(Warehouse), table_of(Carrier)
    totals = (
        sa.select(
            _RL.c.return_id,
            sa.func.count().label("line_count"),
            sa.func.sum(_RL.c.quantity).label("units"),
        )
        .group_by(_RL.c.return_id)
        .subquery()
    )
    return (
        sa.select(
            _R,
            orders.c.number.label("order_number"),
            warehouses.c.code.label("warehouse"),
            carriers.c.code.label("carrier"),
            replacement.c.number.label("replacement_order_number"),
            sa.func.coalesce(totals.c.line_count, 0).label("line_count"),
            sa.func.coalesce(totals.c.units, 0).label("units"),
        )
        .join(orders, orders.c.id == _R.c.order_id)
        .join(warehouses, warehouses.c.id == _R.c.warehouse_id)
        .outerjoin(carriers, carriers.c.id == _R.c.carrier_id)
        .outerjoin(replacement, replacement.c.id == _R.c.replacement_order_id)
        .outerjoin(totals, totals.c.return_id == _R.c.id)
    )


_HEAD_FIELDS = [f for f in ReturnView.__dataclass_fields__ if f not in ("lines", "credit_notes")]


def _view(row: Any, lines: tuple[ReturnLineView, ...] = ()) -> ReturnView:
    values = {name: row._mapping[name] for name in _HEAD_FIELDS}
    values["status"] = ReturnStatus(values["status"])
    values["requested_by"] = str(values["requested_by"])
    values["resolution"] = str(values["resolution"]) if values["resolution"] else None
    values["line_count"], values["units"] = int(values["line_count"]), int(values["units"])
    return ReturnView(**values, credit_notes=tuple(row._mapping["credit_notes"] or ()), lines=lines)


def return_lines(session: Session, return_id: uuid.UUID) -> tuple[ReturnLineView, ...]:
    """The lines of a return in line order, each with its dispositions."""
    warehouses, suppliers = table_of(Warehouse), table_of(Supplier)
    decided: dict[uuid.UUID, list[DispositionView]] = defaultdict(list)
    for r in session.execute(
        sa.select(
            _RD.c.return_line_id,
            _RD.c.disposition,
            _RD.c.quantity,
            warehouses.c.code,
            suppliers.c.code,
            _RD.c.note,
        )
        .outerjoin(warehouses, warehouses.c.id == _RD.c.warehouse_id)
        .outerjoin(suppliers, suppliers.c.id == _RD.c.supplier_id)
        .where(_RD.c.return_id == return_id)
        .order_by(_RD.c.created_at, _RD.c.id)
    ):
        decided[r[0]].append(DispositionView(str(r[1]), int(r[2]), r[3], r[4], r[5]))
    rows = session.execute(
        sa.select(_RL).where(_RL.c.return_id == return_id).order_by(_RL.c.line_no)
    ).mappings()
    return tuple(
        ReturnLineView(
            line_no=r["line_no"],
            order_line_id=r["order_line_id"],
            product_id=r["product_id"],
            sku=r["sku"],
            name=r["name"],
            quantity=int(r["quantity"]),
            received_quantity=int(r["received_quantity"]),
            reason=str(r["reason"]),
            note=r["note"],
            dispositions=tuple(decided.get(r["id"], ())),
        )
        for r in rows
    )


def get_return(
    session: Session, ref: str | uuid.UUID, *, customer_id: uuid.UUID | None = None
) -> ReturnView:
    """A return by id or number with its lines; ``customer_id`` scopes the look-up to
    that customer (ReturnNotFound for anyone else's, as for an unknown one)."""
    query = _head_query().where(return_match(ref))
    if customer_id is not None:
        query = query.where(_R.c.customer_id == customer_id)
    row = session.execute(query).one_or_none()
    if row is None:
        raise ReturnNotFound(f"no return {str(ref)!r}")
    return _view(row, return_lines(session, row.id))


def list_returns(
    session: Session,
    flt: ReturnFilter,
    *,
    limit: int = 50,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> list[ReturnView]:
    """Returns newest first (keyset on created_at, id), without their lines. Served by
    the indexes ``ix_returns_{status,customer,order}_created`` and ``ix_returns_created``."""
    query = _head_query()
    if flt.status is not None:
        query = query.where(_R.c.status == flt.status.value)
    if flt.customer_id is not None:
        query = query.where(_R.c.customer_id == flt.customer_id)
    if flt.order_id is not None:
        query = query.where(_R.c.order_id == flt.order_id)
    if flt.reason is not None:
        query = query.where(
            sa.exists().where(_RL.c.return_id == _R.c.id, _RL.c.reason == flt.reason)
        )
    if before is not None:
        query = query.where(sa.tuple_(_R.c.created_at, _R.c.id) < sa.tuple_(*before))
    query = query.order_by(_R.c.created_at.desc(), _R.c.id.desc()).limit(limit)
    return [_view(row) for row in session.execute(query)]
