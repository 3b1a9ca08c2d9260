"""How the KPI report is shown: the API's JSON (failing orders capped) and the CLI's text."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from rich.console import Console

from ordersmith.cli import kpi_cmd
from ordersmith.fulfillment.kpi_report import KpiReport, default_window
from ordersmith.fulfillment.kpis import (
    OrderFacts,
    cycle_times,
    fill_rate,
    on_time_dispatch_rate,
    perfect_order_report,
)
from ordersmith.web.schemas.kpis import PerfectOrderOut

PLACED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _late_orders(count: int) -> KpiReport:
    """``count`` one-unit orders, each delivered a day after its promise."""
    facts = [
        OrderFacts(
            order_id=uuid.uuid5(uuid.NAMESPACE_OID, str(n)),
            number=f"SO-{n:03d}",
            placed_at=PLACED,
            ordered_units=1,
            promised_date=date(2026, 3, 3),
            dispatched_at=PLACED + timedelta(hours=5),
            fully_dispatched_at=PLACED + timedelta(hours=5),
            delivered_at=PLACED + timedelta(days=2),
            shipment_count=1,
            shipped_units=1,
            first_shipment_units=1,
        )
        for n in range(1, count + 1)
    ]
    return KpiReport(
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        as_of=date(2026, 3, 31),
        perfect_order=perfect_order_report(facts),
        fill_rates=fill_rate(facts),
        cycle_times=cycle_times(facts),
        on_time_dispatch=on_time_dispatch_rate(facts),
    )


def test_the_api_answer_caps_the_failing_orders_and_counts_them_all():
    # when
    out = PerfectOrderOut.of(_late_orders(7), max_failing=5)
    body = out.model_dump(mode="json", by_alias=True)
    # then
    assert (len(body["failing"]), body["failing_count"]) == (5, 7)
    assert body["failing"][0]["reasons"] == ["late_by_1_day"]
    assert (body["from"], body["rate"], body["on_time_dispatch"]["rate"]) == (
        "2026-03-01",
        "0.0000",
        None,
    )
    assert body["cycle_times"]["placed_to_first_dispatch"]["median_seconds"] == 5 * 3600


def test_the_cli_shows_the_first_20_failing_orders_and_how_many_more(capsys, monkeypatch):
    # given
    monkeypatch.setattr(kpi_cmd, "console", Console(width=120, markup=False, highlight=False))
    # when
    kpi_cmd._print_report(_late_orders(23))
    # then
    out = capsys.readouterr().out
    assert "SO-020  late_by_1_day" in out
    assert "SO-021" not in out
    assert "… and 3 more" in out
    assert "0.00 %" in out


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=12), "12 min"),
        (timedelta(hours=5), "5 h"),
        (timedelta(hours=5, minutes=30), "5 h 30 min"),
        (timedelta(days=2), "2 d"),
        (timedelta(days=4, hours=3, minutes=59), "4 d 3 h"),
    ],
)
def test_durations_are_shown_in_days_hours_and_minutes(value, shown):
    assert kpi_cmd.duration(value) == shown


def test_the_default_window_is_the_30_days_ending_today_or_at_to():
    today = date(2026, 3, 6)
    assert default_window(None, None, today=today) == (date(2026, 2, 5), today)
    assert default_window(None, date(2026, 1, 31), today=today) == (
        date(2026, 1, 2),
        date(2026, 1, 31),
    )
    assert default_window(date(2026, 3, 1), None, today=today) == (date(2026, 3, 1), today)
