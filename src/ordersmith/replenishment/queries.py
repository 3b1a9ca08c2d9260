"""Read side of replenishment: policies, requests and review runs.

Lists are keyset-paginated: requests and runs newest first on ``(created_at, id)`` /
``(started_at, id)`` (``ix_replenishment_requests_created``, ``..._status_created``,
``ix_replenishment_runs_started``), policies by SKU then warehouse code. A request is
addressed by its id, or by ``SKU@WAREHOUSE`` for the pair's open or approved request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.inventory.models import Warehouse
from ordersmith.inventory.queries import warehouse_code
from ordersmith.purchasing.models import Supplier
from ordersmith.replenishment.errors import RequestNotFound, RunNotFound
from ordersmith.replenishment.models import (
    PolicyKind,
    ReplenishmentPolicy,
    ReplenishmentRequest,
    ReplenishmentRun,
    RequestKind,
    RequestReason,
)
from ordersmith.replenishment.status import ACTIVE_STATUSES, RequestStatus, allowed_actions
from ordersmith.replenishment.views import PolicyView, RequestView, RunView
from ordersmith.validation import matchable

_RQ, _POL, _RUN = (
    table_of(ReplenishmentRequest),
    table_of(ReplenishmentPolicy),
    table_of(ReplenishmentRun),
)
_P, _S = table_of(Product), table_of(Supplier)
_W, _SRC = table_of(Warehouse).alias("dest"), table_of(Warehouse).alias("src")


# -- requests ----------------------------------------------------------------------------


def _request_query() -> sa.Select[Any]:
    return (
        sa.select(
            _RQ,
            _W.c.code.label("warehouse"),
            _P.c.sku,
            _P.c.name.label("product_name"),
            sa.func.coalesce(_S.c.code, "").label("supplier"),
            sa.func.coalesce(_SRC.c.code, "").label("source_warehouse"),
        )
        .join(_W, _W.c.id == _RQ.c.warehouse_id)
        .join(_P, _P.c.id == _RQ.c.product_id)
        .outerjoin(_S, _S.c.id == _RQ.c.supplier_id)
        .outerjoin(_SRC, _SRC.c.id == _RQ.c.source_warehouse_id)
    )


def request_view(row: Any) -> RequestView:
    m = row._mapping
    status = RequestStatus(m["status"])
    return RequestView(
        id=m["id"],
        status=status.value,
        kind=str(m["kind"]),
        reason=str(m["reason"]),
        warehouse_id=m["warehouse_id"],
        warehouse=m["warehouse"],
        product_id=m["product_id"],
        sku=m["sku"],
        product_name=m["product_name"],
        supplier_id=m["supplier_id"],
        supplier=m["supplier"],
        source_warehouse_id=m["source_warehouse_id"],
        source_warehouse=m["source_warehouse"],
        suggested_quantity=m["suggested_quantity"],
        quantity=m["quantity"],
        numbers=dict(m["numbers"] or {}),
        explanation=m["explanation"],
        created_by=m["created_by"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        evaluated_at=m["evaluated_at"],
        edited_by=m["edited_by"],
        edited_at=m["edited_at"],
        approved_by=m["approved_by"],
        approved_at=m["approved_at"],
        rejected_by=m["rejected_by"],
        rejected_at=m["rejected_at"],
        reject_reason=m["reject_reason"],
        ordered_by=m["ordered_by"],
        ordered_at=m["ordered_at"],
        ordered_quantity=m["ordered_quantity"],
        purchase_order_id=m["purchase_order_id"],
        transfer_id=m["transfer_id"],
        document_number=m["document_number"],
        allowed_actions=tuple(a.value for a in allowed_actions(status)),
    )


def _ref_filter(ref: str | uuid.UUID) -> sa.ColumnElement[bool]:
    """By id, or ``SKU@WAREHOUSE``: the pair's open or approved request."""
    if isinstance(ref, uuid.UUID):
        return _RQ.c.id == ref
    text = ref.strip()
    if not matchable(text) or not text:
        return sa.false()
    try:
        return _RQ.c.id == uuid.UUID(text)
    except ValueError:
        pass
    sku, at, warehouse = text.rpartition("@")
    if not at or not sku or not warehouse:
        return sa.false()
    return sa.and_(
        _P.c.sku == sku,
        _W.c.code == warehouse_code(warehouse),
        _RQ.c.status.in_(sorted(s.value for s in ACTIVE_STATUSES)),
    )


def get_request(session: Session, ref: str | uuid.UUID) -> RequestView:
    """A request by id or ``SKU@WAREHOUSE``; raises RequestNotFound."""
    row = session.execute(_request_query().where(_ref_filter(ref))).first()
    if row is None:
        raise RequestNotFound(f"no replenishment request {str(ref)!r}")
    return request_view(row)


def request_id(session: Session, ref: str | uuid.UUID) -> uuid.UUID:
    return get_request(session, ref).id


@dataclass(frozen=True, slots=True)
class RequestFilter:
    status: RequestStatus | None = None
    kind: RequestKind | None = None
    reason: RequestReason | None = None
    warehouse: str | None = None
    sku: str | None = None
    supplier: str | None = None


def list_requests(
    session: Session,
    flt: RequestFilter = RequestFilter(),  # frozen: never mutated
    *,
    before: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> tuple[list[RequestView], bool]:
    """Requests newest first; and whether more follow. Unknown codes match nothing."""
    if not matchable(flt.warehouse, flt.sku, flt.supplier):
        return [], False
    query = _request_query()
    if flt.status is not None:
        query = query.where(_RQ.c.status == flt.status.value)
    if flt.kind is not None:
        query = query.where(_RQ.c.kind == flt.kind.value)
    if flt.reason is not None:
        query = query.where(_RQ.c.reason == flt.reason.value)
    if flt.warehouse is not None:
        query = query.where(_W.c.code == warehouse_code(flt.warehouse))
    if flt.sku is not None:
        query = query.where(_P.c.sku == flt.sku.strip())
    if flt.supplier is not None:
        query = query.where(_S.c.code == flt.supplier.strip().upper())
    if before is not None:
        query = query.where(sa.tuple_(_RQ.c.created_at, _RQ.c.id) < sa.tuple_(*before))
    query = query.order_by(_RQ.c.created_at.desc(), _RQ.c.id.desc()).limit(limit + 1)
    rows = [request_view(r) for r in session.execute(query)]
    return rows[:limit], len(rows) > limit


# -- policies ----------------------------------------------------------------------------


def _policy_query() -> sa.Select[Any]:
    return (
        sa.select(
            _POL.c.warehouse_id,
            _W.c.code,
            _POL.c.product_id,
            _P.c.sku,
            _POL.c.kind,
            _POL.c.min_quantity,
            _POL.c.max_quantity,
            _POL.c.note,
            _POL.c.updated_by,
            _POL.c.updated_at,
        )
        .join(_W, _W.c.id == _POL.c.warehouse_id)
        .join(_P, _P.c.id == _POL.c.product_id)
    )


def _policy_view(row: Any) -> PolicyView:
    values = list(row)
    values[4] = str(values[4])
    return PolicyView(*values)


def find_policy(
    session: Session, warehouse_id: uuid.UUID, product_id: uuid.UUID
) -> PolicyView | None:
    row = session.execute(
        _policy_query().where(_POL.c.warehouse_id == warehouse_id, _POL.c.product_id == product_id)
    ).first()
    return _policy_view(row) if row else None


def list_policies(
    session: Session,
    *,
    warehouse: str | None = None,
    sku: str | None = None,
    kind: PolicyKind | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 50,
) -> tuple[list[PolicyView], bool]:
    """Policies by SKU then warehouse code; ``after`` = (sku, code) of the last row seen."""
    if not matchable(warehouse, sku, *(after or ())):
        return [], False
    query = _policy_query()
    if warehouse is not None:
        query = query.where(_W.c.code == warehouse_code(warehouse))
    if sku is not None:
        query = query.where(_P.c.sku == sku.strip())
    if kind is not None:
        query = query.where(_POL.c.kind == kind.value)
    if after is not None:
        query = query.where(sa.tuple_(_P.c.sku, _W.c.code) > sa.tuple_(*after))
    query = query.order_by(_P.c.sku, _W.c.code).limit(limit + 1)
    rows = [_policy_view(r) for r in session.execute(query)]
    return rows[:limit], len(rows) > limit


# -- runs --------------------------------------------------------------------------------


def get_run(session: Session, run_id: uuid.UUID) -> RunView:
    row = session.execute(sa.select(_RUN).where(_RUN.c.id == run_id)).first()
    if row is None:
        raise RunNotFound(f"no replenishment run {run_id}")
    return RunView(*row)


def list_runs(
    session: Session, *, before: tuple[datetime, uuid.UUID] | None = None, limit: int = 50
) -> tuple[list[RunView], bool]:
    query = sa.select(_RUN)
    if before is not None:
        query = query.where(sa.tuple_(_RUN.c.started_at, _RUN.c.id) < sa.tuple_(*before))
    query = query.order_by(_RUN.c.started_at.desc(), _RUN.c.id.desc()).limit(limit + 1)
    rows = [RunView(*r) for r in session.execute(query)]
    return rows[:limit], len(rows) > limit
