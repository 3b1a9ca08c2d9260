"""Sourcing: which warehouse sends which units of an order, and why. Pure, no database.

The planner builds a handful of candidate plans (fill from one warehouse first, then
the others nearest first; fill nearest first; fill by warehouse priority; greedy
fewest-warehouses) and chooses one by the configured rule chain, a lexicographic
comparison of the plans' scores:

    covered units (always first: never choose a plan that ships less)
    ship_complete  one warehouse sends everything (0) or not (1)
    nearest        Σ units x distance zone to the ship-to address
    fewest_splits  number of warehouses
    priority       Σ units x warehouse priority (lower is preferred)

The trace records every candidate plan with its scores, and the rule that decided:
the first rule on which the chosen plan beat the runner-up.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Key = tuple[uuid.UUID, uuid.UUID]  # (warehouse_id, product_id)


@dataclass(frozen=True, slots=True)
class LineNeed:
    line_id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    quantity: int
    pinned_warehouse_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Site:
    warehouse_id: uuid.UUID
    code: str
    priority: int
    distance: int
    """Zone distance to the ship-to address (ordersmith.fulfillment.distance)."""


@dataclass(frozen=True, slots=True)
class Plan:
    label: str
    take: tuple[tuple[uuid.UUID, uuid.UUID, int], ...]  # (line_id, warehouse_id, units)
    short: tuple[tuple[uuid.UUID, int], ...]  # (line_id, units not allocated)
    scores: tuple[tuple[str, int], ...]

    @property
    def covered(self) -> int:
        return sum(q for _l, _w, q in self.take)

    def warehouses(self) -> set[uuid.UUID]:
        return {w for _l, w, _q in self.take}


@dataclass(frozen=True, slots=True)
class Decision:
    plan: Plan
    decided_by: str
    summary: str
    trace: dict[str, Any] = field(default_factory=dict)


def choose(
    needs: Sequence[LineNeed],
    sites: Sequence[Site],
    usable: Mapping[Key, int],
    *,
    rules: Sequence[str],
) -> Decision:
    """Choose a plan for ``needs`` from the ``usable`` units per (warehouse, product)."""
    by_id = {s.warehouse_id: s for s in sites}
    plans = _dedupe([_fill(needs, order, usable, label) for label, order in _orders(sites)])
    ranked = sorted(plans, key=lambda p: _key(p, rules))
    chosen = ranked[0]
    decided_by = _deciding_rule(chosen, ranked[1] if len(ranked) > 1 else None, rules)
    summary = _summary(chosen, by_id, needs, decided_by)
    trace = {
        "rules": ["covered", *rules],
        "sites": [
            {"warehouse": s.code, "priority": s.priority, "distance": s.distance}
            for s in sorted(sites, key=lambda s: (s.distance, s.priority, s.code))
        ],
        "lines": [
            {
                "line_no": n.line_no,
                "sku": n.sku,
                "needed": n.quantity,
                "pinned": by_id[n.pinned_warehouse_id].code
                if n.pinned_warehouse_id in by_id
                else None,
                "usable": {
                    s.code: usable.get((s.warehouse_id, n.product_id), 0)
                    for s in sites
                    if n.pinned_warehouse_id in (None, s.warehouse_id)
                },
            }
            for n in needs
        ],
        "candidates": [
            {
                "plan": p.label,
                "chosen": p is chosen,
                "scores": dict(p.scores),
                "warehouses": sorted(by_id[w].code for w in p.warehouses()),
            }
            for p in ranked
        ],
        "decided_by": decided_by,
    }
    return Decision(chosen, decided_by, summary, trace)


def _orders(sites: Sequence[Site]) -> list[tuple[str, list[Site]]]:
    nearest = sorted(sites, key=lambda s: (s.distance, s.priority, s.code))
    by_priority = sorted(sites, key=lambda s: (s.priority, s.distance, s.code))
    orders = [("nearest first", nearest), ("priority order", by_priority)]
    for site in nearest:
        rest = [s for s in nearest if s is not site]
        orders.append((f"{site.code} first", [site, *rest]))
    return orders


def _fill(
    needs: Sequence[LineNeed], order: Sequence[Site], usable: Mapping[Key, int], label: str
) -> Plan:
    left = dict(usable)
    take: list[tuple[uuid.UUID, uuid.UUID, int]] = []
    short: list[tuple[uuid.UUID, int]] = []
    for need in needs:
        wanted = need.quantity
        for site in order:
            if need.pinned_warehouse_id not in (None, site.warehouse_id) or wanted == 0:
                continue
            key = (site.warehouse_id, need.product_id)
            units = min(wanted, left.get(key, 0))
            if units > 0:
                take.append((need.line_id, site.warehouse_id, units))
                left[key] -= units
                wanted -= units
        if wanted:
            short.append((need.line_id, wanted))
    return _scored(label, take, short, order)


def _scored(
    label: str,
    take: list[tuple[uuid.UUID, uuid.UUID, int]],
    short: list[tuple[uuid.UUID, int]],
    sites: Sequence[Site],
) -> Plan:
    by_id = {s.warehouse_id: s for s in sites}
    used = {w for _l, w, _q in take}
    scores = (
        ("covered", -sum(q for _l, _w, q in take)),
        ("ship_complete", 0 if not short and len(used) <= 1 else 1),
        ("nearest", sum(q * by_id[w].distance for _l, w, q in take)),
        ("fewest_splits", len(used)),
        ("priority", sum(q * by_id[w].priority for _l, w, q in take)),
    )
    return Plan(label, tuple(take), tuple(short), scores)


def _key(plan: Plan, rules: Sequence[str]) -> tuple[int, ...]:
    scores = dict(plan.scores)
    return (scores["covered"], *(scores[r] for r in rules))


def _dedupe(plans: list[Plan]) -> list[Plan]:
    seen: dict[tuple[tuple[uuid.UUID, uuid.UUID, int], ...], Plan] = {}
    for plan in plans:
        seen.setdefault(tuple(sorted(plan.take)), plan)
    return list(seen.values())


def _deciding_rule(chosen: Plan, runner_up: Plan | None, rules: Sequence[str]) -> str:
    if runner_up is None:
        return "only_option"
    mine, theirs = dict(chosen.scores), dict(runner_up.scores)
    for rule in ("covered", *rules):
        if mine[rule] != theirs[rule]:
            return rule
    return "tie"


def _summary(
    plan: Plan, sites: Mapping[uuid.UUID, Site], needs: Sequence[LineNeed], decided_by: str
) -> str:
    codes = sorted(sites[w].code for w in plan.warehouses())
    short = sum(q for _l, q in plan.short)
    where = " + ".join(codes) if codes else "no warehouse"
    reasons = {
        "ship_complete": "one warehouse can send everything",
        "nearest": "nearest to the ship-to address",
        "fewest_splits": "fewest warehouses",
        "priority": "preferred warehouse",
        "covered": "the most units available",
        "only_option": "the only way",
        "tie": "candidates equal, first kept",
    }
    text = f"{plan.covered} of {sum(n.quantity for n in needs)} units from {where}"
    text += f" ({reasons.get(decided_by, decided_by)})"
    if short:
        text += f"; {short} backordered"
    return text
