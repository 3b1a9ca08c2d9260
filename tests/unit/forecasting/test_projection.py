"""The projected stock week by week, on hand-computed numbers (pure, no database)."""

from datetime import date, timedelta
from decimal import Decimal

from ordersmith.forecasting.projection import project

WEDNESDAY = date(2026, 3, 4)  # the week starts Monday 2 March; 5 days are left of it
WEEKS = [date(2026, 3, 2) + timedelta(weeks=i) for i in range(13)]
TWENTY = [(week, Decimal("20.00")) for week in WEEKS]


def closings(projection):
    return [w.closing for w in projection.weeks]


def test_stock_runs_down_by_the_forecast_and_runs_out_in_week_five():
    # given 100 available, 10 backordered: 90 to start; 20 a week; safety stock 30
    # when
    p = project(
        today=WEDNESDAY,
        available=100,
        backordered=10,
        receipts=[],
        forecast=TWENTY,
        safety_stock=30,
    )
    # then week 1 takes the 5 days left: 20 * 5/7 = 14.29
    assert p.start == 90
    assert p.weeks[0].demand == Decimal("14.29")
    assert closings(p)[:5] == [
        Decimal("75.71"),
        Decimal("55.71"),
        Decimal("35.71"),
        Decimal("15.71"),
        Decimal("-4.29"),
    ]
    assert [w.opening for w in p.weeks[:2]] == [Decimal(90), Decimal("75.71")]
    assert p.below_safety_stock_week == date(2026, 3, 23)  # 15.71 < 30
    assert p.stock_out_week == date(2026, 3, 30)
    # 15.71 units at 20/7 a day last 5.5 days: the 6th day, Saturday 4 April
    assert p.stock_out_date == date(2026, 4, 4)
    assert len(p.weeks) == 13


def test_a_purchase_order_arriving_in_week_three_delays_the_stock_out():
    # given 50 units expected on Wednesday 18 March (week 3)
    # when
    p = project(
        today=WEDNESDAY,
        available=100,
        backordered=10,
        receipts=[(date(2026, 3, 18), 50)],
        forecast=TWENTY,
        safety_stock=30,
    )
    # then
    assert [w.receipts for w in p.weeks[:4]] == [0, 0, 50, 0]
    assert closings(p)[2] == Decimal("85.71")  # 55.71 + 50 - 20
    assert p.below_safety_stock_week == date(2026, 4, 6)  # 25.71
    assert p.stock_out_week == date(2026, 4, 20)  # week 8: 5.71 - 20 = -14.29
    assert closings(p)[7] == Decimal("-14.29")
    assert p.stock_out_date == date(2026, 4, 21)  # 5.71 units last 2 days


def test_overdue_lines_and_transfers_in_transit_arrive_at_once_and_late_ones_are_apart():
    # when
    p = project(
        today=WEDNESDAY,
        available=0,
        backordered=0,
        receipts=[(date(2026, 2, 20), 30), (date(2026, 6, 29), 500)],
        in_transit=7,
        forecast=TWENTY[:4],
        safety_stock=0,
    )
    # then: week 1 receives the overdue 30 and the 7 on the way
    assert p.weeks[0].receipts == 37
    assert p.receipts_later == 500  # after the week of 25 May, the last one projected
    # weeks past the forecast's 4 weeks are forecast at its average, 20
    assert p.weeks[12].demand == Decimal("20.00")


def test_a_position_already_short_runs_out_today():
    # when
    p = project(
        today=WEDNESDAY,
        available=3,
        backordered=8,
        receipts=[],
        forecast=TWENTY,
        safety_stock=5,
    )
    # then
    assert (p.stock_out_week, p.stock_out_date) == (date(2026, 3, 2), WEDNESDAY)
    assert p.weeks[0].below_safety_stock
