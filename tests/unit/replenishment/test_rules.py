"""The replenishment rules, without a database: levels, need, rounding, transfers."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.config import ReplenishmentDefault
from ordersmith.replenishment.models import PolicyKind, RequestKind
from ordersmith.replenishment.rules import (
    Forecast,
    PolicyRule,
    Source,
    Stock,
    SupplierOption,
    need_of,
    pick_source,
    resolve_target,
    suggest,
)

ACME = SupplierOption(uuid.uuid4(), "ACME", 7, min_order_quantity=50, pack_multiple=25)
RUN = uuid.uuid4()
MIN_20_MAX_100 = PolicyRule(PolicyKind.MIN_MAX, 20, 100)


def _source(code: str, available: int, order_up_to: int, committed: int = 0) -> Source:
    return Source(uuid.uuid4(), code, available, 0, committed, order_up_to)


@pytest.mark.parametrize(
    ("need", "expected"),
    [(1, 50), (50, 50), (51, 75), (88, 100), (100, 100), (101, 125)],
)
def test_a_need_is_raised_to_the_minimum_then_up_to_a_whole_pack(need, expected):
    assert ACME.round(need) == expected


def test_a_minimum_that_is_no_whole_pack_still_gives_whole_packs():
    # given: from 30 in packs of 12
    odd = SupplierOption(uuid.uuid4(), "ODD", 3, min_order_quantity=30, pack_multiple=12)
    # then: 30 -> 36
    assert odd.round(5) == 36
    assert odd.rounding(5) == "5 rounded up to 36: it sells from 30 in packs of 12"


@given(need=st.integers(1, 10_000), moq=st.integers(1, 500), pack=st.integers(1, 100))
def test_rounding_never_orders_less_than_needed_nor_a_whole_pack_more_than_required(
    need, moq, pack
):
    option = SupplierOption(uuid.uuid4(), "X", 1, moq, pack)
    quantity = option.round(need)
    assert quantity >= max(need, moq)
    assert quantity % pack == 0
    assert quantity - pack < max(need, moq)


def test_min_max_orders_up_to_max_once_at_or_below_min():
    target = resolve_target(MIN_20_MAX_100, ReplenishmentDefault.FORECAST, None, 0, 2)
    assert target is not None
    assert need_of(Stock(available=21), target) == 0
    assert need_of(Stock(available=20), target) == 80
    assert need_of(Stock(available=5, backordered=10), target) == 105
    assert need_of(Stock(available=5, on_order=10, in_transit=3, on_draft_orders=2), target) == 80


def test_the_forecast_policy_uses_the_forecasts_levels_and_falls_back_without_one():
    forecast = Forecast(RUN, reorder_point=16, order_up_to=26, lead_time_days=7)
    rule = PolicyRule(PolicyKind.FORECAST)
    with_forecast = resolve_target(rule, ReplenishmentDefault.MANUAL, forecast, 40, 2)
    without = resolve_target(rule, ReplenishmentDefault.MANUAL, None, 40, 3)
    assert with_forecast is not None
    assert (with_forecast.basis, with_forecast.reorder_at, with_forecast.order_up_to) == (
        "forecast",
        16,
        26,
    )
    assert without is not None
    assert (without.basis, without.reorder_at, without.order_up_to) == ("reorder_point", 40, 120)


@pytest.mark.parametrize(
    ("rule", "default", "expected"),
    [
        (PolicyRule(PolicyKind.MANUAL), ReplenishmentDefault.FORECAST, None),
        (None, ReplenishmentDefault.MANUAL, None),
        (None, ReplenishmentDefault.MIN_MAX, ("min_max", "default", "reorder_point")),
        (None, ReplenishmentDefault.FORECAST, ("forecast", "default", "forecast")),
    ],
)
def test_pairs_without_a_policy_follow_the_default(rule, default, expected):
    forecast = Forecast(RUN, 16, 26, 7)
    target = resolve_target(rule, default, forecast, 10, 2)
    found = None if target is None else (target.policy.value, target.origin, target.basis)
    assert found == expected


def test_a_warehouse_whose_surplus_covers_the_need_gets_the_transfer():
    # given: MAIN needs 88; EAST spares 150, WEST 90, SOUTH 80
    target = resolve_target(MIN_20_MAX_100, ReplenishmentDefault.MANUAL, None, 0, 2)
    assert target is not None
    sources = [_source("WEST", 190, 100), _source("EAST", 250, 100), _source("SOUTH", 180, 100)]
    # when
    source = pick_source(sources, 88)
    found = suggest("MAIN", Stock(available=12), target, ACME, source)
    # then: the largest surplus
    assert source is not None
    assert source.code == "EAST"
    assert found is not None
    assert (found.kind, found.quantity, found.source_warehouse_id) == (
        RequestKind.TRANSFER,
        88,
        source.warehouse_id,
    )
    assert found.numbers["purchase"]["quantity"] == 100
    assert found.numbers["transfer"]["surplus"] == 150


def test_what_a_warehouse_already_promised_is_not_surplus():
    assert pick_source([_source("EAST", 250, 100, committed=70)], 88) is None


def test_nothing_is_suggested_above_the_reorder_level():
    target = resolve_target(None, ReplenishmentDefault.MIN_MAX, None, 10, 2)
    assert target is not None
    assert suggest("MAIN", Stock(available=11), target, ACME, None) is None


def test_a_zero_reorder_point_knows_no_level_for_surplus():
    target = resolve_target(None, ReplenishmentDefault.FORECAST, None, 0, 2)
    assert target is not None
    assert not target.knows_level
