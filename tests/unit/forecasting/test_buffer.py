"""Safety stock, reorder point and the recommended order, on hand-computed numbers."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.forecasting.buffer import (
    demand_over,
    plan_buffer,
    safety_stock,
    weeks_of,
    z_value,
)


def test_z_is_the_normal_quantile_of_the_service_level_to_four_places():
    assert z_value(Decimal("0.95")) == Decimal("1.6449")
    assert z_value(Decimal("0.975")) == Decimal("1.9600")
    assert z_value(Decimal("0.5")) == Decimal("0.0000")
    assert z_value(Decimal("0.99")) == Decimal("2.3263")


@pytest.mark.parametrize("level", ["0.4999", "0.9991", "1"])
def test_a_service_level_outside_one_half_to_0_999_is_refused(level):
    with pytest.raises(ValueError, match="service level"):
        z_value(Decimal(level))


def test_safety_stock_is_z_times_sigma_times_the_root_of_the_lead_time_in_weeks_rounded_up():
    # 1.6449 * 10 * √2 = 23.26 → 24
    assert safety_stock(Decimal("1.6449"), Decimal("10"), 14) == 24
    # 1.6449 * 10 * √1 = 16.449 → 17
    assert safety_stock(Decimal("1.6449"), Decimal("10"), 7) == 17
    # 2.3263 * 3.5 * √(28/7 = 4) = 16.2841 → 17
    assert safety_stock(Decimal("2.3263"), Decimal("3.5"), 28) == 17
    # a whole number stays: 2 * 4 * √1 = 8
    assert safety_stock(Decimal("2"), Decimal("4"), 7) == 8
    # no forecast error, no buffer
    assert safety_stock(Decimal("1.6449"), Decimal("0"), 14) == 0


def test_demand_over_part_of_a_week_is_taken_pro_rata_and_beyond_the_horizon_at_its_average():
    means = [Decimal("10"), Decimal("20"), Decimal("30")]
    # 10 days = 1 3/7 weeks: 10 + 3/7 * 20
    assert demand_over(weeks_of(10), means).quantize(Decimal("0.01")) == Decimal("18.57")
    assert demand_over(Decimal(2), means) == Decimal("30")
    # 5 weeks: 60 over the horizon, then two weeks at the average 20
    assert demand_over(Decimal(5), means) == Decimal("100")
    assert demand_over(Decimal(0), means) == Decimal("0")


def test_the_buffer_of_a_steady_product_with_some_stock_recommends_topping_up():
    # given 12 a week, sigma 5, service 95 %, lead time 14 days, review every 7 days
    # when
    buffer = plan_buffer(
        means=[Decimal("12.00")] * 13,
        sigma=Decimal("5"),
        service_level=Decimal("0.95"),
        lead_time_days=14,
        review_period_days=7,
        available=30,
        backordered=4,
        on_order=0,
    )
    # then
    assert buffer.z == Decimal("1.6449")
    assert buffer.safety_stock == 12  # 1.6449 * 5 * √2 = 11.63 → 12
    assert buffer.lead_time_demand == Decimal("24.00")  # 2 weeks * 12
    assert buffer.review_demand == Decimal("12.00")  # the third week
    assert buffer.reorder_point == 36  # 24 + 12
    assert buffer.order_up_to == 48  # 24 + 12 + 12
    assert buffer.position == 26  # 30 - 4 + 0
    assert buffer.at_or_below_reorder_point
    assert buffer.recommended_order == 22  # 48 - 26


def test_no_order_is_recommended_while_the_position_covers_the_order_up_to_level():
    # when
    buffer = plan_buffer(
        means=[Decimal("1.50")] * 13,
        sigma=Decimal("1"),
        service_level=Decimal("0.9"),
        lead_time_days=7,
        review_period_days=0,
        available=100,
        backordered=0,
        on_order=0,
    )
    # then
    assert buffer.safety_stock == 2  # 1.2816 * 1 * 1 → 2
    assert (buffer.reorder_point, buffer.order_up_to) == (4, 4)  # ⌈1.50 + 2⌉
    assert buffer.recommended_order == 0


quantities = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)


@given(
    means=st.lists(quantities, min_size=1, max_size=52),
    sigma=st.decimals(min_value=0, max_value=5_000, places=4, allow_nan=False),
    level=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("0.999"), places=3),
    lead=st.integers(min_value=0, max_value=365),
    review=st.integers(min_value=0, max_value=91),
    available=st.integers(min_value=0, max_value=10**6),
    backordered=st.integers(min_value=0, max_value=10**6),
)
def test_the_buffer_figures_are_whole_ordered_and_never_negative(
    means, sigma, level, lead, review, available, backordered
):
    # when
    b = plan_buffer(
        means=means,
        sigma=sigma,
        service_level=level,
        lead_time_days=lead,
        review_period_days=review,
        available=available,
        backordered=backordered,
        on_order=0,
    )
    # then: the CHECK constraint of forecast_series holds
    assert 0 <= b.safety_stock <= b.reorder_point <= b.order_up_to
    assert b.recommended_order == max(0, b.order_up_to - b.position)
    assert b.lead_time_demand >= 0
    assert b.review_demand >= 0
