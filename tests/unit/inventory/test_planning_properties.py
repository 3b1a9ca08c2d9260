"""Properties of the pure reservation planner (ordersmith.inventory.planning).

The planner decides which (warehouse, product) stock rows an order takes from; the
ledger's conditional update then applies the plan. Whatever the demands and the
stock, a plan must never take more than a row has, must account for every unit
demanded (taken or short), must respect pinned warehouses, and, when partial
reservations are not allowed, must be all-or-nothing per demand.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from ordersmith.inventory.planning import Candidate, Demand, Plan, aggregate, plan_reservation

WAREHOUSES = [uuid.UUID(int=0x1000 + i) for i in range(4)]
PRODUCTS = [uuid.UUID(int=0x2000 + i) for i in range(3)]


@st.composite
def stock_rows(draw: st.DrawFn) -> list[Candidate]:
    """Unique (warehouse, product) rows; priority and code belong to the warehouse."""
    priority = {w: draw(st.integers(0, 3)) for w in WAREHOUSES}
    keys = draw(
        st.sets(st.tuples(st.sampled_from(WAREHOUSES), st.sampled_from(PRODUCTS)), max_size=12)
    )
    return [
        Candidate(w, p, draw(st.integers(-3, 25)), priority[w], f"W{WAREHOUSES.index(w)}")
        for w, p in sorted(keys)
    ]


demands_st = st.lists(
    st.builds(
        Demand,
        product_id=st.sampled_from(PRODUCTS),
        quantity=st.integers(1, 30),
        warehouse_id=st.none() | st.sampled_from(WAREHOUSES),
    ),
    min_size=1,
    max_size=8,
)


def _demanded(demands: list[Demand]) -> dict[uuid.UUID, int]:
    total: dict[uuid.UUID, int] = defaultdict(int)
    for d in demands:
        total[d.product_id] += d.quantity
    return dict(total)


def _taken_by_product(plan: Plan) -> dict[uuid.UUID, int]:
    total: dict[uuid.UUID, int] = defaultdict(int)
    for (_w, p), q in plan.take.items():
        total[p] += q
    return dict(total)


@settings(max_examples=200)
@given(demands=demands_st, candidates=stock_rows(), allow_partial=st.booleans())
def test_a_plan_never_takes_more_than_a_stock_row_has_available(
    demands: list[Demand], candidates: list[Candidate], allow_partial: bool
) -> None:
    # given
    available = {(c.warehouse_id, c.product_id): max(c.available, 0) for c in candidates}
    # when
    plan = plan_reservation(demands, candidates, allow_partial=allow_partial)
    # then
    for key, quantity in plan.take.items():
        assert key in available, f"took from {key}, which is not a stock row"
        assert 0 < quantity <= available[key]


@settings(max_examples=200)
@given(demands=demands_st, candidates=stock_rows(), allow_partial=st.booleans())
def test_every_unit_demanded_is_either_taken_or_reported_short(
    demands: list[Demand], candidates: list[Candidate], allow_partial: bool
) -> None:
    # when
    plan = plan_reservation(demands, candidates, allow_partial=allow_partial)
    # then
    taken = _taken_by_product(plan)
    for product, demanded in _demanded(demands).items():
        assert taken.get(product, 0) + plan.short.get(product, 0) == demanded
    assert set(taken) | set(plan.short) <= set(_demanded(demands))
    assert all(q > 0 for q in plan.short.values())


@settings(max_examples=200)
@given(demands=demands_st, candidates=stock_rows(), allow_partial=st.booleans())
def test_the_units_per_demand_add_up_to_the_units_taken_per_stock_row(
    demands: list[Demand], candidates: list[Candidate], allow_partial: bool
) -> None:
    # when
    plan = plan_reservation(demands, candidates, allow_partial=allow_partial)
    # then the per-demand split (used to hand units to order lines) matches the take
    from_demands: dict[tuple[uuid.UUID, uuid.UUID], int] = defaultdict(int)
    for (_pinned, product), per_warehouse in plan.by_demand.items():
        for warehouse, quantity in per_warehouse.items():
            from_demands[(warehouse, product)] += quantity
    assert dict(from_demands) == plan.take
    wanted = {(d.warehouse_id, d.product_id): d.quantity for d in aggregate(demands)}
    for key, per_warehouse in plan.by_demand.items():
        assert sum(per_warehouse.values()) <= wanted[key]


@settings(max_examples=200)
@given(demands=demands_st, candidates=stock_rows(), allow_partial=st.booleans())
def test_a_pinned_demand_only_takes_from_its_own_warehouse(
    demands: list[Demand], candidates: list[Candidate], allow_partial: bool
) -> None:
    # when
    plan = plan_reservation(demands, candidates, allow_partial=allow_partial)
    # then
    for (pinned, _product), per_warehouse in plan.by_demand.items():
        if pinned is not None:
            assert set(per_warehouse) <= {pinned}
    pinned_only = {p for p in PRODUCTS if all(d.warehouse_id for d in demands if d.product_id == p)}
    pinned_to = {(d.warehouse_id, d.product_id) for d in demands if d.warehouse_id}
    for warehouse, product in plan.take:
        if product in pinned_only:
            assert (warehouse, product) in pinned_to


@settings(max_examples=200)
@given(demands=demands_st, candidates=stock_rows())
def test_without_partial_reservations_each_demand_is_taken_in_full_or_not_at_all(
    demands: list[Demand], candidates: list[Candidate]
) -> None:
    # when
    plan = plan_reservation(demands, candidates, allow_partial=False)
    # then
    for d in aggregate(demands):
        taken = sum(plan.by_demand.get((d.warehouse_id, d.product_id), {}).values())
        assert taken in (0, d.quantity)
    # and a product asked for one way only (all pinned to one warehouse, or all unpinned)
    # is either fully taken or fully short
    taken_by_product = _taken_by_product(plan)
    for product, demanded in _demanded(demands).items():
        ways = {d.warehouse_id for d in demands if d.product_id == product}
        if len(ways) == 1:
            assert (taken_by_product.get(product, 0), plan.short.get(product, 0)) in (
                (demanded, 0),
                (0, demanded),
            )


@settings(max_examples=200)
@given(demands=demands_st, candidates=stock_rows())
def test_without_partial_reservations_a_demand_is_short_only_if_its_rows_could_not_cover_it(
    demands: list[Demand], candidates: list[Candidate]
) -> None:
    # given: demands on different products never compete, so check one product at a time
    for product in PRODUCTS:
        mine = [d for d in demands if d.product_id == product]
        rows = [c for c in candidates if c.product_id == product]
        if len(mine) != 1:
            continue
        (demand,) = mine
        reachable = sum(
            max(c.available, 0)
            for c in rows
            if demand.warehouse_id is None or c.warehouse_id == demand.warehouse_id
        )
        # when
        plan = plan_reservation(mine, rows, allow_partial=False)
        # then
        assert (product in plan.short) == (reachable < demand.quantity)


@settings(max_examples=200)
@given(candidates=stock_rows(), quantity=st.integers(1, 30), product=st.sampled_from(PRODUCTS))
def test_an_unpinned_demand_that_one_warehouse_can_cover_is_taken_from_one_warehouse(
    candidates: list[Candidate], quantity: int, product: uuid.UUID
) -> None:
    # given
    rows = [c for c in candidates if c.product_id == product]
    coverers = sorted(
        (c for c in rows if c.available >= quantity), key=lambda c: (c.priority, c.code)
    )
    # when
    plan = plan_reservation([Demand(product, quantity)], rows, allow_partial=True)
    # then
    if coverers:
        assert plan.take == {(coverers[0].warehouse_id, product): quantity}
    else:
        assert sum(plan.take.values()) == min(quantity, sum(max(c.available, 0) for c in rows))


@given(demands=demands_st)
def test_aggregating_demands_keeps_the_total_per_warehouse_and_product(
    demands: list[Demand],
) -> None:
    # when
    merged = aggregate(demands)
    # then
    keys = [(d.warehouse_id, d.product_id) for d in merged]
    assert len(keys) == len(set(keys))
    expected: dict[tuple[uuid.UUID | None, uuid.UUID], int] = defaultdict(int)
    for d in demands:
        expected[(d.warehouse_id, d.product_id)] += d.quantity
    assert {(d.warehouse_id, d.product_id): d.quantity for d in merged} == dict(expected)
