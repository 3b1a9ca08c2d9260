"""GET /api/v1/kpis/perfect-order over HTTP: a week of real warehouse work, windows, errors."""

from __future__ import annotations

import uuid

import pytest

from ordersmith.auth.models import Role
from tests.conftest import make_settings
from tests.e2e.conftest import assert_problem, bearer
from tests.factories.kpi import SetClock, at, week_of_orders

URL = "/api/v1/kpis/perfect-order"
HOUR = 3600


@pytest.fixture
def settings(tmp_path, database_url):
    # several one-unit orders of one customer are no suspected duplicates here
    return make_settings(tmp_path, database_url, duplicate_window_minutes=0)


@pytest.fixture
def set_clock(monkeypatch):
    return SetClock(monkeypatch, at(2, 9))


def test_the_report_over_http_has_every_kpi_with_rates_as_strings(api, db, shop, set_clock):
    # given: the week of tests/factories/kpi.py; "today" is Friday 6 March
    week = week_of_orders(db, set_clock, uuid.UUID(shop["id"]))
    # when
    response = api.get(URL, params={"from": "2026-03-01", "to": "2026-03-31"})
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["as_of"]) == ("2026-03-01", "2026-03-31", "2026-03-06")
    assert (body["orders"], body["perfect"], body["rate"]) == (6, 1, "0.1667")
    assert body["components"] == [
        {"name": "complete", "passed": 4, "total": 6, "rate": "0.6667"},
        {"name": "on_time", "passed": 5, "total": 6, "rate": "0.8333"},
        {"name": "damage_free", "passed": 5, "total": 6, "rate": "0.8333"},
        {"name": "correct_documentation", "passed": 5, "total": 6, "rate": "0.8333"},
    ]
    assert body["failing"] == [
        {"order_id": str(week.id(name)), "number": week.number(name), "reasons": reasons}
        for name, reasons in [
            ("late", ["late_by_2_days"]),
            ("split", ["split_shipment"]),
            ("short", ["short_picked"]),
            ("damaged", ["damaged"]),
            ("no_slip", ["missing_packing_slip", "document_corrected"]),
        ]
    ]
    assert (body["failing_count"], body["no_promise"]) == (5, 0)
    assert body["fill_rate"] == {
        "orders": 6,
        "orders_filled": 5,
        "order_fill_rate": "0.8333",
        "units_ordered": 10,
        "units_filled": 9,
        "unit_fill_rate": "0.9000",
    }
    assert body["cycle_times"] == {
        "placed_to_first_dispatch": {
            "count": 6,
            "median_seconds": 25 * HOUR,
            "p90_seconds": 48 * HOUR,
        },
        "placed_to_delivery": {"count": 6, "median_seconds": 50 * HOUR, "p90_seconds": 99 * HOUR},
    }
    assert body["on_time_dispatch"] == {"passed": 5, "total": 7, "rate": "0.7143"}


def test_without_dates_the_report_covers_the_30_days_to_today(api, set_clock):
    # given
    set_clock.set(at(6, 13))
    # when
    body = api.get(URL).json()
    only_to = api.get(URL, params={"to": "2026-01-31"}).json()
    # then: nothing happened, so nothing is measured (null, not 0)
    assert (body["from"], body["to"], body["as_of"]) == ("2026-02-05", "2026-03-06", "2026-03-06")
    assert (only_to["from"], only_to["to"]) == ("2026-01-02", "2026-01-31")
    assert (body["orders"], body["rate"], body["failing"]) == (0, None, [])
    assert [c["rate"] for c in body["components"]] == [None] * 4
    assert body["fill_rate"]["order_fill_rate"] is None
    assert body["cycle_times"]["placed_to_delivery"] == {
        "count": 0,
        "median_seconds": None,
        "p90_seconds": None,
    }


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"from": "2026-03-05", "to": "2026-03-04"}, "validation_error", "from"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "window_too_long", "to"),
        ({"from": "2026-13-01"}, "validation_error", "from"),
        ({"to": "yesterday"}, "validation_error", "to"),
    ],
)
def test_bad_dates_are_a_422_problem_naming_the_field(api, params, code, field):
    # when
    response = api.get(URL, params=params)
    # then
    body = assert_problem(response, 422, code)
    assert field in [e["field"] for e in body["errors"]]


def test_a_window_of_366_days_is_accepted(api):
    assert api.get(URL, params={"from": "2024-01-01", "to": "2024-12-31"}).status_code == 200


def test_the_report_needs_a_token_that_may_read_orders(client, db):
    # when
    anonymous = client.get(URL)
    integration = client.get(URL, headers=bearer(db, Role.INTEGRATION))
    # then
    assert_problem(anonymous, 401, "unauthorized")
    assert integration.status_code == 200
    assert "/api/v1/kpis/perfect-order" in client.get("/openapi.json").json()["paths"]
