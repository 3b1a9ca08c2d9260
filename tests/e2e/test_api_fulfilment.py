"""Fulfilment over HTTP: allocate, pick, pack, label, slip, dispatch, track by signed webhook."""

from __future__ import annotations

import io
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from ordersmith.shipping.signing import signature_headers
from tests.e2e.conftest import assert_problem
from tests.factories.fulfillment import label_drawing_fails_once

API = "/api/v1"
BOX = {"weight_grams": 1500, "length_mm": 300, "width_mm": 200, "height_mm": 100}
COURIER = {
    "code": "LOCAL",
    "name": "City Couriers",
    "kind": "local_courier",
    "tracking_url_template": "https://track.example.com/{tracking_number}",
    "services": [
        {"service_level": "standard", "name": "Standard", "transit_days": 1, "is_default": True}
    ],
}


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _confirmed_order(api, shop, quantity: int = 3) -> dict[str, Any]:
    order = api.post(
        f"{API}/orders",
        json={
            "customer_id": shop["id"],
            "channel": "web",
            "lines": [{"sku": "A-1", "quantity": quantity}],
            "shipping_address": {
                "name": "Ann",
                "line1": "1 Main St",
                "city": "Berlin",
                "postcode": "10117",
                "country": "DE",
            },
        },
    )
    assert order.status_code == 201, order.text
    confirmed = api.post(f"{API}/orders/{order.json()['id']}/confirm")
    assert confirmed.status_code == 200
    return dict(confirmed.json())


def _picked_and_packed(api, order) -> dict[str, Any]:
    pick_list = api.post(f"{API}/pick-lists", json={"warehouse": "MAIN"})
    assert pick_list.status_code == 201, pick_list.text
    assert api.post(f"{API}/pick-lists/{pick_list.json()['id']}/confirm").status_code == 200
    shipment = api.post(
        f"{API}/shipments",
        json={
            "order_ids": [order["id"]],
            "warehouse": "MAIN",
            "carrier": "LOCAL",
            "packages": [BOX],
        },
    )
    assert shipment.status_code == 201, shipment.text
    return dict(shipment.json())


def _webhook(client, db, events, *, secret=None, at=None, message_id="msg_1"):
    body = json.dumps({"events": events}).encode()
    headers = signature_headers(
        secret or db.settings.effective_webhook_secret(),
        message_id=message_id,
        timestamp=int(at if at is not None else time.time()),
        body=body,
    )
    return client.post(
        f"{API}/carriers/LOCAL/tracking-webhook",
        content=body,
        headers={**headers, "content-type": "application/json"},
    )


def test_an_order_goes_from_confirmation_to_delivered_through_the_api(api, shop, db):
    # given
    assert api.post(f"{API}/carriers", json=COURIER).status_code == 201
    order = _confirmed_order(api, shop)
    assert order["fulfilment_status"] == "allocated"
    allocations = api.get(f"{API}/orders/{order['id']}/allocations").json()
    assert allocations["decisions"][0]["summary"].startswith("3 of 3 units from MAIN")
    # when: pick, pack, label, slip, dispatch
    shipment = _picked_and_packed(api, order)
    label = api.post(f"{API}/shipments/{shipment['number']}/label")
    slip = api.get(f"{API}/shipments/{shipment['number']}/packing-slip")
    dispatched = api.post(f"{API}/shipments/{shipment['number']}/dispatch")
    # then
    assert label.headers["content-type"] == "application/pdf"
    tracking_number = dispatched.json()["tracking_number"]
    assert tracking_number in _text(label.content)
    slip_text = _text(slip.content)
    assert order["number"] in slip_text
    assert "Anvil" in slip_text
    assert dispatched.json()["status"] == "dispatched"
    assert dispatched.json()["tracking_url"] == f"https://track.example.com/{tracking_number}"
    # when: the carrier reports delivery by signed webhook
    now = datetime.now(UTC)
    delivered = _webhook(
        api,
        db,
        [
            {
                "event_id": "e2",
                "tracking_number": tracking_number,
                "status": "delivered",
                "occurred_at": now.isoformat(),
            },
            {
                "event_id": "e1",
                "tracking_number": tracking_number,
                "status": "in_transit",
                "occurred_at": (now - timedelta(hours=3)).isoformat(),
            },
        ],
    )
    # then
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["shipments"] == {shipment["number"]: "delivered"}
    final = api.get(f"{API}/orders/{order['id']}").json()
    assert (final["status"], final["fulfilment_status"]) == ("completed", "delivered")


def test_a_tracking_webhook_with_a_bad_signature_or_an_old_timestamp_is_refused(
    client, api, shop, db
):
    # given
    api.post(f"{API}/carriers", json=COURIER)
    event = [
        {
            "event_id": "x",
            "tracking_number": "NOPE",
            "status": "in_transit",
            "occurred_at": datetime.now(UTC).isoformat(),
        }
    ]
    # when
    forged = _webhook(client, db, event, secret="not-the-secret")
    stale = _webhook(client, db, event, at=time.time() - 3600)
    # then
    assert_problem(forged, 401, "webhook_signature_invalid")
    assert_problem(stale, 401, "webhook_timestamp_out_of_tolerance")


def test_a_replayed_tracking_event_is_counted_once(api, shop, db):
    # given
    api.post(f"{API}/carriers", json=COURIER)
    order = _confirmed_order(api, shop)
    shipment = _picked_and_packed(api, order)
    api.post(f"{API}/shipments/{shipment['id']}/label")
    tracking_number = api.get(f"{API}/shipments/{shipment['id']}").json()["tracking_number"]
    event = [
        {
            "event_id": "scan-1",
            "tracking_number": tracking_number,
            "status": "in_transit",
            "occurred_at": datetime.now(UTC).isoformat(),
        }
    ]
    # when
    first = _webhook(api, db, event)
    again = _webhook(api, db, event, message_id="msg_2")
    # then: the first scan dispatched the shipment; the replay changed nothing
    assert (first.json()["received"], again.json()["duplicates"]) == (1, 1)
    view = api.get(f"{API}/shipments/{shipment['id']}").json()
    assert view["status"] == "in_transit"
    assert view["dispatched_at"] is not None
    assert len(view["tracking"]) == 1


def test_a_label_that_fails_to_draw_is_a_clear_problem_and_prints_again(api, shop, monkeypatch):
    # given: a packed shipment, and a label renderer that fails once
    api.post(f"{API}/carriers", json=COURIER)
    shipment = _picked_and_packed(api, _confirmed_order(api, shop))
    label_drawing_fails_once(monkeypatch)
    # when
    failed = api.post(f"{API}/shipments/{shipment['number']}/label")
    # then: the booking stands and the problem names its tracking number
    problem = assert_problem(failed, 503, "label_not_rendered")
    booked = api.get(f"{API}/shipments/{shipment['number']}").json()
    assert booked["status"] == "label_printed"
    assert booked["tracking_number"] in problem["detail"]
    # when: printed again
    again = api.post(f"{API}/shipments/{shipment['number']}/label")
    # then
    assert again.status_code == 200
    assert again.headers["content-type"] == "application/pdf"
    assert booked["tracking_number"] in _text(again.content)


def test_pick_list_pdf_lists_the_lines_to_pick(api, shop):
    # given
    _confirmed_order(api, shop, quantity=2)
    pick_list = api.post(f"{API}/pick-lists", json={"warehouse": "MAIN"}).json()
    # when
    pdf = api.get(f"{API}/pick-lists/{pick_list['id']}/pdf")
    # then
    assert pdf.status_code == 200
    assert pick_list["number"] in _text(pdf.content)
    assert "A-1" in _text(pdf.content)


def test_pick_lists_are_listed_newest_first_with_their_lines_and_filters(api, shop):
    # given three pick lists of MAIN, one order each, the first one confirmed (completed)
    created = []
    for quantity in (1, 2, 3):
        _confirmed_order(api, shop, quantity=quantity)
        response = api.post(f"{API}/pick-lists", json={"warehouse": "MAIN"})
        assert response.status_code == 201, response.text
        created.append(response.json())
    numbers = [p["number"] for p in created]
    assert api.post(f"{API}/pick-lists/{created[0]['id']}/confirm").status_code == 200
    # when
    everything = api.get(f"{API}/pick-lists")
    completed = api.get(f"{API}/pick-lists", params={"status": "completed"})
    newest_two = api.get(f"{API}/pick-lists", params={"warehouse": "main", "limit": 2})
    elsewhere = api.get(f"{API}/pick-lists", params={"warehouse": "NOPE"})
    # then
    assert everything.status_code == 200
    assert [p["number"] for p in everything.json()] == numbers[::-1]
    assert [[(ln["sku"], ln["quantity"]) for ln in p["lines"]] for p in everything.json()] == [
        [("A-1", 3)],
        [("A-1", 2)],
        [("A-1", 1)],
    ]
    assert [(p["number"], p["status"]) for p in completed.json()] == [(numbers[0], "completed")]
    assert [p["number"] for p in newest_two.json()] == numbers[:0:-1]
    assert elsewhere.json() == []


def test_an_unknown_pick_list_and_its_pdf_are_not_found(api, shop):
    # given
    unknown = uuid.uuid4()
    # when
    pick_list = api.get(f"{API}/pick-lists/{unknown}")
    pdf = api.get(f"{API}/pick-lists/{unknown}/pdf")
    # then
    assert str(unknown) in assert_problem(pick_list, 404, "pick_list_not_found")["detail"]
    assert str(unknown) in assert_problem(pdf, 404, "pick_list_not_found")["detail"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"warehouse": "NOPE"}, (404, "warehouse_not_found")),
        ({"warehouse": "MAIN", "max_orders": 0}, (422, "validation_error")),
        ({"warehouse": "MAIN", "order_ids": ["not-a-uuid"]}, (422, "validation_error")),
    ],
)
def test_bad_pick_list_requests_get_a_clear_error(api, shop, body, code):
    # when
    response = api.post(f"{API}/pick-lists", json=body)
    # then
    assert_problem(response, *code)


def test_nothing_to_pick_and_nothing_to_pack_are_conflicts(api, shop):
    # given
    api.post(f"{API}/carriers", json=COURIER)
    order = _confirmed_order(api, shop)
    # when
    nothing_packed = api.post(
        f"{API}/shipments",
        json={
            "order_ids": [order["id"]],
            "warehouse": "MAIN",
            "carrier": "LOCAL",
            "packages": [BOX],
        },
    )
    api.post(f"{API}/pick-lists", json={"warehouse": "MAIN"})
    nothing_to_pick = api.post(f"{API}/pick-lists", json={"warehouse": "MAIN"})
    # then
    assert_problem(nothing_packed, 409, "nothing_to_pack")
    assert_problem(nothing_to_pick, 409, "nothing_to_pick")


def test_staff_record_when_a_backordered_line_is_expected_and_the_customer_is_told(api, shop, db):
    # given: 12 ordered, 10 in stock
    order = api.post(
        f"{API}/orders",
        json={
            "customer_id": shop["id"],
            "channel": "phone",
            "backorder_policy": "backorder",
            "lines": [{"sku": "A-1", "quantity": 12}],
        },
    ).json()
    api.post(f"{API}/orders/{order['id']}/confirm")
    expected = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    # when
    done = api.put(
        f"{API}/orders/{order['number']}/lines/1/backorder", json={"expected_date": expected}
    )
    past = api.put(
        f"{API}/orders/{order['number']}/lines/1/backorder", json={"expected_date": "2020-01-01"}
    )
    no_line = api.put(
        f"{API}/orders/{order['number']}/lines/9/backorder", json={"expected_date": expected}
    )
    # then
    assert done.status_code == 204
    history = api.get(f"{API}/orders/{order['id']}/history").json()
    assert history[-1]["action"] == "backorder_date"
    assert_problem(past, 422, "validation_error")
    assert_problem(no_line, 404, "line_not_found")
