"""The Syntetos-Boylan classification on hand-made series (worked out on paper)."""

from decimal import Decimal

import pytest

from ordersmith.forecasting.intermittency import classify
from ordersmith.forecasting.models import DemandClass


def test_a_series_with_the_same_demand_every_week_is_smooth():
    # when
    found = classify([4, 4, 4, 4])
    # then: ADI 4/4 = 1, sizes all 4 so CV² 0
    assert (found.adi, found.cv2, found.demand_class) == (
        Decimal("1.0000"),
        Decimal("0.0000"),
        DemandClass.SMOOTH,
    )
    assert found.demand_weeks == 4
    assert not found.slow_mover


def test_a_series_with_demand_every_week_but_wildly_varying_sizes_is_erratic():
    # given sizes 1 and 9: mean 5, population variance 16, CV² 16/25 = 0.64
    # when
    found = classify([1, 9, 1, 9])
    # then
    assert (found.adi, found.cv2, found.demand_class) == (
        Decimal("1.0000"),
        Decimal("0.6400"),
        DemandClass.ERRATIC,
    )


def test_a_series_with_steady_sizes_in_one_week_of_three_is_intermittent():
    # given 6 weeks, 2 with demand: ADI 3; sizes 2 and 2: CV² 0
    # when
    found = classify([2, 0, 0, 2, 0, 0])
    # then
    assert (found.adi, found.cv2, found.demand_class) == (
        Decimal("3.0000"),
        Decimal("0.0000"),
        DemandClass.INTERMITTENT,
    )
    assert found.slow_mover


def test_a_series_with_rare_and_varying_orders_is_lumpy():
    # given 7 weeks, 3 with demand (1, 10, 1): ADI 7/3 = 2.3333; mean 4,
    # population variance (9 + 36 + 9) / 3 = 18, CV² 18/16 = 1.125
    # when
    found = classify([1, 0, 0, 10, 0, 1, 0])
    # then
    assert (found.adi, found.cv2, found.demand_class) == (
        Decimal("2.3333"),
        Decimal("1.1250"),
        DemandClass.LUMPY,
    )


def test_the_cut_off_values_themselves_count_as_regular_and_steady():
    # given 33 weeks with demand in 25 of them: ADI 33/25 = 1.32 exactly
    # when
    found = classify([3] * 25 + [0] * 8)
    # then
    assert found.adi == Decimal("1.3200")
    assert found.demand_class == DemandClass.SMOOTH


def test_a_series_without_any_demand_or_with_a_negative_week_is_refused():
    with pytest.raises(ValueError, match="a week with demand"):
        classify([0, 0, 0])
    with pytest.raises(ValueError, match="negative"):
        classify([3, -1])
