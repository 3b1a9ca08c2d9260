"""The order timeline: `GET /orders/{id}/timeline` — history, emails, shipments and
tracking, invoices, payments, credit notes, refunds, returns, cases and notes, in time
order (ADR 0021). Staff and integrations only (orders and cases read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ordersmith.auth.permissions import Permission, check_permission
from ordersmith.auth.services import Principal
from ordersmith.customer_service.timeline import MAX_ENTRIES, order_timeline
from ordersmith.web.deps import DbDep, require
from ordersmith.web.schemas.cases import TimelineOut

router = APIRouter(tags=["cases"])

Reader = Annotated[Principal, Depends(require(Permission.ORDERS_READ))]


@router.get("/orders/{order}/timeline", response_model=TimelineOut)
def timeline(
    order: str,
    db: DbDep,
    principal: Reader,
    newest_first: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_ENTRIES)] = 200,
) -> TimelineOut:
    """Everything that happened to an order (by id or number), oldest first (or
    `newest_first`), at most `limit` entries: one place to answer "where is my
    order?"."""
    check_permission(principal.role, Permission.CASES_READ)
    with db.reader() as session:
        found = order_timeline(session, order, newest_first=newest_first, limit=limit)
    return TimelineOut.model_validate(found)
