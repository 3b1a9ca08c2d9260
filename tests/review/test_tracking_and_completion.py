"""Review: tracking, labels and order completion after dispatch (ADR 0010, ADR 0011)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.review.flow import (
    ADDRESS,
    API,
    COURIER,
    GENERIC,
    confirmed_order,
    dispatched_shipment,
    pack,
    pick_all,
    track,
    violations,
)


def _ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


def test_a_parcel_delivered_then_returned_then_delivered_counts_its_units_delivered_once(
    api, shop, db
):
    # given a dispatched shipment of 3 units, delivered, then returned to sender
    assert api.post(f"{API}/carriers", json=COURIER).status_code == 201
    order = confirmed_order(api, shop, quantity=3)
    shipment = dispatched_shipment(api, order)
    assert track(api, shipment, "e1", "delivered", _ago(30)).status_code == 200
    assert track(api, shipment, "e2", "returned_to_sender", _ago(20)).status_code == 200
    # when: the carrier delivers it after all (ADR 0010: the later terminal point wins)
    response = track(api, shipment, "e3", "delivered", _ago(10))
    # then
    assert response.status_code == 200, response.text
    assert response.json()["shipments"] == {shipment["number"]: "delivered"}
    line = api.get(f"{API}/orders/{order['id']}").json()["lines"][0]
    assert (line["shipped_quantity"], line["delivered_quantity"]) == (3, 3)
    assert violations(db) == {}


def test_printing_the_label_of_a_cancelled_shipment_is_refused_and_books_nothing(api, shop):
    # given a packed shipment that was then cancelled (unpacked)
    assert api.post(f"{API}/carriers", json=COURIER).status_code == 201
    order = confirmed_order(api, shop)
    pick_all(api)
    shipment = pack(api, order)
    assert api.post(f"{API}/shipments/{shipment['number']}/cancel").status_code == 200
    # when
    response = api.post(f"{API}/shipments/{shipment['number']}/label")
    # then
    assert response.status_code == 409, response.status_code
    assert response.json()["code"] == "invalid_transition"
    assert api.get(f"{API}/shipments/{shipment['number']}").json()["tracking_number"] == ""


def test_a_tracking_number_already_used_by_another_shipment_of_the_carrier_is_refused(api, shop):
    # given two packed shipments (two addresses) with a generic carrier; the first labelled
    assert api.post(f"{API}/carriers", json=GENERIC).status_code == 201
    first_order = confirmed_order(api, shop, quantity=1)
    second_order = confirmed_order(
        api, shop, quantity=2, address={**ADDRESS, "line1": "2 Other St"}
    )
    pick_all(api)
    first = pack(api, first_order, carrier="GEN")
    second = pack(api, second_order, carrier="GEN")
    number = "1Z999AA10123456784"
    label = api.post(f"{API}/shipments/{first['number']}/label", json={"tracking_number": number})
    assert label.status_code == 200, label.text
    # when: the packer types the same number for the second shipment
    response = api.post(
        f"{API}/shipments/{second['number']}/label", json={"tracking_number": number}
    )
    # then
    assert response.status_code in (409, 422), response.status_code
    assert api.get(f"{API}/shipments/{second['number']}").json()["tracking_number"] == ""


def test_an_order_held_while_its_goods_are_delivered_completes_when_released(api, shop):
    # given a fully dispatched order, put on hold before the carrier delivers
    assert api.post(f"{API}/carriers", json=COURIER).status_code == 201
    order = confirmed_order(api, shop, quantity=2)
    shipment = dispatched_shipment(api, order)
    held = api.post(f"{API}/orders/{order['id']}/hold", json={"reason": "manual", "note": "audit"})
    assert held.status_code == 200, held.text
    assert track(api, shipment, "d1", "delivered", _ago(5)).status_code == 200
    # when
    released = api.post(f"{API}/orders/{order['id']}/release", json={"note": "audit done"})
    # then
    assert released.status_code == 200, released.text
    after = api.get(f"{API}/orders/{order['id']}").json()
    assert after["fulfilment_status"] == "delivered"
    assert after["status"] == "completed"
