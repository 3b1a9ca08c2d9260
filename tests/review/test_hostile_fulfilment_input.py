"""Review: hostile and edge input on the fulfilment, shipping and KPI routes.

Bad input gets a clear error and changes nothing; a 500 is a bug (ARCHITECTURE §4).
"""

from __future__ import annotations

import pytest

from tests.review.flow import (
    API,
    BOX,
    COURIER,
    confirmed_order,
    dispatched_shipment,
    pick_all,
    track,
    violations,
    webhook,
)


@pytest.mark.parametrize(
    "query",
    ["to=0001-01-01", "to=0001-01-15", "to=9999-12-31", "from=9999-12-30&to=9999-12-31"],
)
def test_a_kpi_window_at_the_edge_of_the_calendar_is_answered_or_refused_never_a_500(
    api, shop, query
):
    # given a shop
    # when
    response = api.get(f"{API}/kpis/perfect-order?{query}")
    # then
    assert response.status_code in (200, 422), response.text


def test_a_tracking_event_dated_before_year_one_in_utc_is_a_422_naming_occurred_at(api, shop, db):
    # given a dispatched shipment
    assert api.post(f"{API}/carriers", json=COURIER).status_code == 201
    shipment = dispatched_shipment(api, confirmed_order(api, shop))
    # when: 0001-01-01T00:00+01:00 is a moment before datetime.min in UTC
    response = track(api, shipment, "early", "in_transit", "0001-01-01T00:00:00+01:00")
    # then
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["events.0.occurred_at"]
    assert api.get(f"{API}/shipments/{shipment['number']}").json()["tracking"] == []


def test_a_carrier_webhook_event_dated_before_year_one_in_utc_is_a_422(api, shop, db):
    # given a dispatched shipment
    assert api.post(f"{API}/carriers", json=COURIER).status_code == 201
    shipment = dispatched_shipment(api, confirmed_order(api, shop))
    event = {
        "event_id": "early",
        "tracking_number": shipment["tracking_number"],
        "status": "in_transit",
        "occurred_at": "0001-01-01T00:00:00+05:00",
    }
    # when
    response = webhook(api, db, [event])
    # then
    assert response.status_code == 422, response.text
    assert api.get(f"{API}/shipments/{shipment['number']}").json()["status"] == "dispatched"


def test_a_backorder_date_for_a_line_number_beyond_any_integer_is_a_422_naming_line_no(api, shop):
    # given a confirmed order
    order = confirmed_order(api, shop)
    # when
    response = api.put(
        f"{API}/orders/{order['id']}/lines/99999999999999999999/backorder",
        json={"expected_date": "2030-01-01"},
    )
    # then: a clear answer naming the field, never a 500
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["line_no"]


def test_a_pick_confirmation_naming_the_same_line_twice_is_a_422_and_the_list_stays_open(
    api, shop, db
):
    # given an open pick list with one line of 3 units
    confirmed_order(api, shop, quantity=3)
    pick_list = api.post(f"{API}/pick-lists", json={"warehouse": "MAIN"}).json()
    # when: the picker says both "found none" and "found all" for line 1
    response = api.post(
        f"{API}/pick-lists/{pick_list['id']}/confirm",
        json={"picked": [{"sequence": 1, "quantity": 0}, {"sequence": 1, "quantity": 3}]},
    )
    # then
    assert response.status_code == 422, response.text
    assert api.get(f"{API}/pick-lists/{pick_list['id']}").json()["status"] == "open"
    assert violations(db) == {}


def test_a_package_naming_the_same_line_twice_packs_both_quantities_or_is_refused(api, shop, db):
    # given an order of 3 picked units
    assert api.post(f"{API}/carriers", json=COURIER).status_code == 201
    order = confirmed_order(api, shop, quantity=3)
    pick_all(api)
    line_id = api.get(f"{API}/orders/{order['id']}").json()["lines"][0]["id"]
    contents = [{"line_id": line_id, "quantity": 1}, {"line_id": line_id, "quantity": 2}]
    # when: the packer lists the line twice in one box, 1 + 2 units
    response = api.post(
        f"{API}/shipments",
        json={
            "order_ids": [order["id"]],
            "warehouse": "MAIN",
            "carrier": "LOCAL",
            "packages": [{**BOX, "contents": contents}],
        },
    )
    # then: either all 3 units are in the box, or the request is refused
    if response.status_code == 201:
        assert sum(line["quantity"] for line in response.json()["lines"]) == 3
    else:
        assert response.status_code == 422, response.text
        assert api.get(f"{API}/shipments").json()["items"] == []
    assert violations(db) == {}
