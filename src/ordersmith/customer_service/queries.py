"""Read side of customer service: one case with its notes, filtered lists (keyset), and
a customer's cases for the customer record (``list_cases``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.customer_service.errors import CaseNotFound
from ordersmith.customer_service.models import Case, CaseNote, CaseType, Visibility
from ordersmith.customer_service.sla import CasePriority, breached_clause, is_breached
from ordersmith.customer_service.status import CaseStatus
from ordersmith.customer_service.views import CaseNoteView, CaseView
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.orders.models import Order
from ordersmith.returns.models import Return
from ordersmith.shipping.models import Shipment
from ordersmith.validation import matchable

_C, _N = table_of(Case), table_of(CaseNote)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: CaseStatus | None = None
    type: CaseType | None = None
    priority: CasePriority | None = None
    assignee: str | None = None
    customer_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    breached: bool | None = None


def case_match(ref: str | uuid.UUID) -> sa.ColumnElement[bool]:
    """WHERE clause matching a case by id or number (``CS-2026-000001``, any case)."""
    if isinstance(ref, uuid.UUID):
        return _C.c.id == ref
    if not matchable(ref):
        return sa.false()
    try:
        return _C.c.id == uuid.UUID(ref)
    except ValueError:
        return _C.c.number == ref.strip().upper()


def _head_query() -> sa.Select[Any]:
    customers, orders = table_of(Customer), table_of(Order)
    shipments, returns = table_of(Shipment), table_of(Return)
    counts = (
        sa.select(
            _N.c.case_id,
            sa.func.count().label("note_count"),
            sa.func.sum(sa.case((_N.c.visibility == Visibility.CUSTOMER.value, 1), else_=0)).label(
                "customer_note_count"
            ),
        )
        .group_by(_N.c.case_id)
        .subquery()
    )
    return (
        sa.select(
            _C,
            customers.c.number.label("customer_number"),
            customers.c.name.label("customer_name"),
            orders.c.number.label("order_number"),
            shipments.c.number.label("shipment_number"),
            returns.c.number.label("return_number"),
            sa.func.coalesce(counts.c.note_count, 0).label("note_count"),
            sa.func.coalesce(counts.c.customer_note_count, 0).label("customer_note_count"),
        )
        .join(customers, customers.c.id == _C.c.customer_id)
        .outerjoin(orders, orders.c.id == _C.c.order_id)
        .outerjoin(shipments, shipments.c.id == _C.c.shipment_id)
        .outerjoin(returns, returns.c.id == _C.c.return_id)
        .outerjoin(counts, counts.c.case_id == _C.c.id)
    )


_HEAD_FIELDS = [
    f for f in CaseView.__dataclass_fields__ if f not in ("notes", "breached", "status")
]


def _view(row: Any, now: datetime, notes: tuple[CaseNoteView, ...] = ()) -> CaseView:
    m = row._mapping
    values = {name: m[name] for name in _HEAD_FIELDS}
    for name in ("type", "priority", "opened_by"):
        values[name] = str(values[name])
    for name in ("note_count", "customer_note_count", "paused_seconds", "sla_hours"):
        values[name] = int(values[name])
    return CaseView(
        **values,
        status=CaseStatus(m["status"]),
        breached=is_breached(m["sla_due_at"], m["clock_stopped_at"], now),
        notes=notes,
    )


def case_notes(session: Session, case_id: uuid.UUID) -> tuple[CaseNoteView, ...]:
    """A case's notes, oldest first."""
    rows = session.execute(
        sa.select(_N).where(_N.c.case_id == case_id).order_by(_N.c.created_at, _N.c.id)
    ).mappings()
    return tuple(
        CaseNoteView(
            id=r["id"],
            author=r["author"],
            author_kind=str(r["author_kind"]),
            visibility=str(r["visibility"]),
            body=r["body"],
            communication_id=r["communication_id"],
            created_at=r["created_at"],
        )
        for r in rows
    )


def get_case(
    session: Session, ref: str | uuid.UUID, *, customer_id: uuid.UUID | None = None
) -> CaseView:
    """A case by id or number with its notes (all of them: a customer's caller shows
    ``for_customer()``); ``customer_id`` scopes the look-up to that customer
    (CaseNotFound for anyone else's, as for an unknown one)."""
    query = _head_query().where(case_match(ref))
    if customer_id is not None:
        query = query.where(_C.c.customer_id == customer_id)
    row = session.execute(query).one_or_none()
    if row is None:
        raise CaseNotFound(f"no case {str(ref)!r}")
    return _view(row, clock.now(), case_notes(session, row.id))


def list_cases(
    session: Session,
    flt: CaseFilter | None = None,
    *,
    customer_id: uuid.UUID | None = None,
    limit: int = 50,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> list[CaseView]:
    """Cases newest first (keyset on created_at, id), without their notes. Served by
    ``ix_cases_{status,customer,order,assignee}_created``, ``ix_cases_created`` and,
    for ``breached``, ``ix_cases_status_due``. ``customer_id`` is a shortcut for a
    filter on one customer (the customer record lists a customer's cases with it)."""
    flt = flt or CaseFilter()
    customer = customer_id if customer_id is not None else flt.customer_id
    query = _head_query()
    if flt.status is not None:
        query = query.where(_C.c.status == flt.status.value)
    if flt.type is not None:
        query = query.where(_C.c.type == flt.type.value)
    if flt.priority is not None:
        query = query.where(_C.c.priority == flt.priority.value)
    if flt.assignee is not None:
        query = query.where(_C.c.assignee == flt.assignee.strip())
    if customer is not None:
        query = query.where(_C.c.customer_id == customer)
    if flt.order_id is not None:
        query = query.where(_C.c.order_id == flt.order_id)
    now = clock.now()
    if flt.breached is not None:
        breached = breached_clause(_C.c.status, _C.c.sla_due_at, _C.c.clock_stopped_at, now)
        query = query.where(breached if flt.breached else sa.not_(breached))
    if before is not None:
        query = query.where(sa.tuple_(_C.c.created_at, _C.c.id) < sa.tuple_(*before))
    query = query.order_by(_C.c.created_at.desc(), _C.c.id.desc()).limit(limit)
    return [_view(row, now) for row in session.execute(query)]
