"""The return window, pure: which lines it has closed for."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from ordersmith.returns.policy import ClosedLine, closed_lines, last_day
from ordersmith.returns.views import ReturnableLine


def _line(line_no: int, delivered: datetime | None, shipped: int = 1) -> ReturnableLine:
    return ReturnableLine(
        line_no=line_no,
        order_line_id=uuid.uuid4(),
        product_id=uuid.uuid4(),
        sku=f"SKU-{line_no}",
        name="thing",
        shipped=shipped,
        claimed=0,
        delivered_at=delivered,
        warehouse_id=None,
    )


def test_the_window_closes_at_the_end_of_the_last_day():
    # given a line delivered late on 1 March
    line = _line(1, datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    # when / then: 30 days later is the last day, the day after is too late
    assert last_day(date(2026, 3, 1), 30) == date(2026, 3, 31)
    assert closed_lines([line], days=30, today=date(2026, 3, 31)) == []
    assert closed_lines([line], days=30, today=date(2026, 4, 1)) == [
        ClosedLine(1, "SKU-1", date(2026, 3, 1), date(2026, 3, 31))
    ]


def test_only_the_lines_past_their_own_window_are_named():
    # given two lines delivered a week apart
    early = _line(1, datetime(2026, 3, 1, 9, tzinfo=UTC))
    late = _line(2, datetime(2026, 3, 8, 9, tzinfo=UTC))
    # when
    closed = closed_lines([early, late], days=14, today=date(2026, 3, 20))
    # then
    assert [c.line_no for c in closed] == [1]


def test_a_line_never_delivered_has_no_window_to_close():
    assert closed_lines([_line(1, None, shipped=0)], days=1, today=date(2030, 1, 1)) == []
