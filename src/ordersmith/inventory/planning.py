"""Pure rules: which warehouse rows a demand takes from (no database).

A demand pinned to a warehouse takes only from it. An unpinned demand prefers one
warehouse that can cover it in full (by warehouse priority, then code); failing that
it takes from warehouses in priority order. With ``allow_partial`` false, a demand
that cannot be met in full takes nothing and is reported short.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Demand:
    product_id: uuid.UUID
    quantity: int
    warehouse_id: uuid.UUID | None = None  # pinned


@dataclass(frozen=True, slots=True)
class Candidate:
    warehouse_id: uuid.UUID
    product_id: uuid.UUID
    available: int
    priority: int
    code: str


DemandKey = tuple[uuid.UUID | None, uuid.UUID]  # (pinned warehouse or None, product)


@dataclass
class Plan:
    take: dict[tuple[uuid.UUID, uuid.UUID], int] = field(default_factory=dict)
    short: dict[uuid.UUID, int] = field(default_factory=dict)  # product -> shortfall
    by_demand: dict[DemandKey, dict[uuid.UUID, int]] = field(default_factory=dict)
    """For each aggregated demand, the units taken per warehouse."""

    @property
    def complete(self) -> bool:
        return not self.short


def aggregate(demands: Iterable[Demand]) -> list[Demand]:
    """Sum demand per (pinned warehouse, product) so two lines of a SKU reserve once."""
    totals: dict[tuple[uuid.UUID | None, uuid.UUID], int] = {}
    for d in demands:
        key = (d.warehouse_id, d.product_id)
        totals[key] = totals.get(key, 0) + d.quantity
    return [Demand(p, q, w) for (w, p), q in totals.items()]


def plan_reservation(
    demands: Iterable[Demand], candidates: Iterable[Candidate], *, allow_partial: bool
) -> Plan:
    left: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
    by_product: dict[uuid.UUID, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: (c.priority, c.code)):
        left[(c.warehouse_id, c.product_id)] = max(c.available, 0)
        by_product.setdefault(c.product_id, []).append(c)

    plan = Plan()
    # pinned demands first: they have no alternative
    for d in sorted(aggregate(demands), key=lambda d: d.warehouse_id is None):
        if d.warehouse_id is not None:
            keys = [(d.warehouse_id, d.product_id)]
        else:
            rows = by_product.get(d.product_id, [])
            full = [c for c in rows if left[(c.warehouse_id, c.product_id)] >= d.quantity]
            keys = (
                [(full[0].warehouse_id, d.product_id)]
                if full
                else [(c.warehouse_id, c.product_id) for c in rows]
            )
        reachable = sum(left.get(k, 0) for k in keys)
        if reachable < d.quantity and not allow_partial:
            plan.short[d.product_id] = plan.short.get(d.product_id, 0) + d.quantity
            continue
        need = d.quantity
        for k in keys:
            took = min(need, left.get(k, 0))
            if took:
                left[k] -= took
                plan.take[k] = plan.take.get(k, 0) + took
                taken_here = plan.by_demand.setdefault((d.warehouse_id, d.product_id), {})
                taken_here[k[0]] = taken_here.get(k[0], 0) + took
                need -= took
        if need:
            plan.short[d.product_id] = plan.short.get(d.product_id, 0) + need
    return plan
