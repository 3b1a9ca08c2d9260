"""After-sales at the end of the simulation, counted from the database (``demo.aftersales``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.customer_service.models import Case
from ordersmith.customer_service.sla import breached_clause
from ordersmith.customers.models import CustomerMerge
from ordersmith.db import table_of
from ordersmith.demo.loyalty import customers_by_tier
from ordersmith.orders.models import Order, OrderChange
from ordersmith.returns.models import Return


@dataclass(frozen=True, slots=True)
class AfterSalesSummary:
    returns: dict[str, int]
    """Returns by status (``resolved`` split by resolution: ``resolved (refund)``)."""
    cases: dict[str, int]
    """Cases by status."""
    cases_breached: int
    """Cases past their SLA (open ones late now, the others stopped late)."""
    tiers: dict[str, int]
    """Active customers by loyalty tier (``none``: without one)."""
    customer_merges: int
    order_changes: int
    """Changes recorded on orders after placing (split and merge included)."""
    changed_orders: int
    """Orders now at a version above 1."""


def _grouped(session: Session, *columns: sa.ColumnElement[Any]) -> Counter[tuple[str, ...]]:
    rows = session.execute(sa.select(*columns, sa.func.count()).group_by(*columns))
    return Counter({tuple(str(v) for v in row[:-1]): int(row[-1]) for row in rows})


def aftersales_summary(session: Session, now: datetime) -> AfterSalesSummary:
    r, c = table_of(Return), table_of(Case)
    returns: Counter[str] = Counter()
    for (status, resolution), n in _grouped(session, r.c.status, r.c.resolution).items():
        returns[f"resolved ({resolution})" if status == "resolved" else status] += n
    cases = _grouped(session, c.c.status)
    breached = session.scalar(
        sa.select(sa.func.count())
        .select_from(c)
        .where(breached_clause(c.c.status, c.c.sla_due_at, c.c.clock_stopped_at, now))
    )
    merges = table_of(CustomerMerge)
    o, changes = table_of(Order), table_of(OrderChange)
    return AfterSalesSummary(
        returns=dict(sorted(returns.items())),
        cases={k[0]: n for k, n in sorted(cases.items())},
        cases_breached=int(breached or 0),
        tiers=customers_by_tier(session),
        customer_merges=int(
            session.scalar(
                sa.select(sa.func.count()).select_from(merges).where(merges.c.undone_at.is_(None))
            )
            or 0
        ),
        order_changes=int(session.scalar(sa.select(sa.func.count()).select_from(changes)) or 0),
        changed_orders=int(
            session.scalar(sa.select(sa.func.count()).select_from(o).where(o.c.version > 1)) or 0
        ),
    )
