"""Stock transfers over HTTP: the lifecycle, idempotent creation, problem+json codes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from tests.e2e.conftest import assert_problem, bearer

URL = "/api/v1/transfers"


@pytest.fixture
def stocked(api: TestClient) -> TestClient:
    """MAIN (10 A-1, 3 B-2) and EAST (empty)."""
    for code in ("MAIN", "EAST"):
        assert api.post("/api/v1/warehouses", json={"code": code, "name": code}).status_code == 201
    for sku in ("A-1", "B-2"):
        product = {"sku": sku, "name": sku, "price": "5.00", "currency": "EUR"}
        assert api.post("/api/v1/products", json=product).status_code == 201
    for sku, quantity in (("A-1", 10), ("B-2", 3)):
        receipt = {"warehouse": "MAIN", "sku": sku, "quantity": quantity}
        assert api.post("/api/v1/stock/receipts", json=receipt).status_code == 201
    return api


def _body(*lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "from_warehouse": "MAIN",
        "to_warehouse": "EAST",
        "lines": [{"sku": sku, "quantity": q} for sku, q in lines],
        **extra,
    }


def _on_hand(api: TestClient, warehouse: str) -> dict[str, int]:
    rows = api.get("/api/v1/stock", params={"warehouse": warehouse}).json()["items"]
    return {r["sku"]: r["on_hand"] for r in rows}


def test_a_transfer_is_created_dispatched_received_in_parts_and_listed(stocked):
    # given
    api = stocked
    created = api.post(URL, json=_body(("A-1", 4), ("B-2", 3), note="weekend sale"))
    assert created.status_code == 201, created.text
    transfer = created.json()
    assert (transfer["status"], transfer["allowed_actions"]) == ("draft", ["dispatch", "cancel"])
    # when
    sent = api.post(f"{URL}/{transfer['number']}/dispatch")
    on_the_way = api.get(f"{URL}/in-transit", params={"warehouse": "EAST"}).json()["items"]
    part = api.post(
        f"{URL}/{transfer['id']}/receive", json={"lines": [{"sku": "A-1", "quantity": 1}]}
    )
    rest = api.post(f"{URL}/{transfer['id']}/receive")
    # then
    assert (sent.status_code, sent.json()["status"]) == (200, "in_transit")
    assert [(r["sku"], r["warehouse"], r["quantity"]) for r in on_the_way] == [
        ("A-1", "EAST", 4),
        ("B-2", "EAST", 3),
    ]
    assert (part.status_code, part.json()["status"]) == (200, "partially_received")
    assert (rest.status_code, rest.json()["status"]) == (200, "received")
    assert [(line["sku"], line["received_quantity"]) for line in rest.json()["lines"]] == [
        ("A-1", 4),
        ("B-2", 3),
    ]
    assert _on_hand(api, "MAIN") == {"A-1": 6, "B-2": 0}
    assert _on_hand(api, "EAST") == {"A-1": 4, "B-2": 3}
    shown = api.get(f"{URL}/{transfer['number']}").json()
    assert (shown["note"], shown["received_at"] is not None) == ("weekend sale", True)
    listed = api.get(URL, params={"status": "received", "warehouse": "east"}).json()
    assert [t["number"] for t in listed["items"]] == [transfer["number"]]
    kinds = [m["kind"] for m in api.get("/api/v1/stock/movements").json()["items"]]
    assert kinds.count("transfer_out") == 2
    assert kinds.count("transfer_in") == 3


def test_creating_with_an_idempotency_key_replays_instead_of_moving_stock_twice(stocked):
    # given
    api, headers = stocked, {"Idempotency-Key": "tr-1"}
    first = api.post(URL, json=_body(("A-1", 2), dispatch=True), headers=headers)
    # when
    again = api.post(URL, json=_body(("A-1", 2), dispatch=True), headers=headers)
    other = api.post(URL, json=_body(("A-1", 3), dispatch=True), headers=headers)
    # then
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(other, 422, "idempotency_key_reused")
    assert _on_hand(api, "MAIN")["A-1"] == 8
    assert len(api.get(URL).json()["items"]) == 1


def test_a_receipt_retried_with_its_idempotency_key_is_booked_once(stocked):
    # given
    api = stocked
    number = api.post(URL, json=_body(("A-1", 5), dispatch=True)).json()["number"]
    headers, body = {"Idempotency-Key": "arrival-1"}, {"lines": [{"sku": "A-1", "quantity": 2}]}
    # when
    first = api.post(f"{URL}/{number}/receive", json=body, headers=headers)
    again = api.post(f"{URL}/{number}/receive", json=body, headers=headers)
    # then
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _on_hand(api, "EAST") == {"A-1": 2}


def test_cancelling_in_transit_returns_the_goods_to_the_source(stocked):
    # given
    api = stocked
    number = api.post(URL, json=_body(("A-1", 4), dispatch=True)).json()["number"]
    # when
    cancelled = api.post(f"{URL}/{number}/cancel", json={"reason": "truck broke down"})
    # then
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "truck broke down",
    )
    assert _on_hand(api, "MAIN")["A-1"] == 10
    assert api.get(f"{URL}/in-transit").json()["items"] == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_body(("A-1", 1), to_warehouse="MAIN"), 422, "same_warehouse"),
        (_body(("A-1", 1), to_warehouse="NOPE"), 404, "warehouse_not_found"),
        (_body(("NOPE", 1)), 422, "unknown_sku"),
        (_body(("A-1", 0)), 422, "validation_error"),
        (_body(("A-1", "many")), 422, "validation_error"),
        (_body(("A-1", 1), ("A-1", 1)), 422, "validation_error"),
        (_body(), 422, "validation_error"),
        (_body(("A-1", 1), colour="red"), 422, "validation_error"),
        (_body(("A-1", 1), note="a\x00b"), 422, "validation_error"),
        (_body(("A-1", 11), dispatch=True), 409, "insufficient_stock"),
    ],
)
def test_bad_transfers_are_problems_with_stable_codes_and_change_nothing(
    stocked, body, status, code
):
    # when
    response = stocked.post(URL, json=body)
    # then
    assert_problem(response, status, code)
    assert stocked.get(URL).json()["items"] == []
    assert _on_hand(stocked, "MAIN") == {"A-1": 10, "B-2": 3}


def test_a_short_dispatch_names_each_sku_and_what_is_available(stocked):
    # given
    number = stocked.post(URL, json=_body(("A-1", 11), ("B-2", 4))).json()["number"]
    # when
    response = stocked.post(f"{URL}/{number}/dispatch")
    # then
    body = assert_problem(response, 409, "insufficient_stock")
    assert body["shortages"] == [
        {"sku": "A-1", "requested": 11, "available": 10},
        {"sku": "B-2", "requested": 4, "available": 3},
    ]
    assert stocked.get(f"{URL}/{number}").json()["status"] == "draft"


def test_actions_out_of_turn_and_unknown_transfers_are_problems(stocked):
    # given
    api = stocked
    draft = api.post(URL, json=_body(("A-1", 2))).json()["number"]
    sent = api.post(URL, json=_body(("A-1", 2), dispatch=True)).json()["number"]
    too_many = {"lines": [{"sku": "A-1", "quantity": 3}]}
    # when / then
    assert_problem(api.post(f"{URL}/{draft}/receive"), 409, "invalid_transition")
    assert_problem(api.post(f"{URL}/{sent}/dispatch"), 409, "invalid_transition")
    assert_problem(
        api.post(f"{URL}/{sent}/receive", json=too_many), 409, "receipt_exceeds_outstanding"
    )
    stranger = {"lines": [{"sku": "B-2", "quantity": 1}]}
    assert_problem(api.post(f"{URL}/{sent}/receive", json=stranger), 422, "not_on_transfer")
    assert_problem(api.post(f"{URL}/{sent}/receive", json={"lines": []}), 422, "validation_error")
    assert_problem(api.get(f"{URL}/TR-1999-000001"), 404, "transfer_not_found")
    assert_problem(api.post(f"{URL}/nope/cancel"), 404, "transfer_not_found")
    assert_problem(api.get(URL, params={"status": "lost"}), 422, "validation_error")
    assert_problem(api.get(URL, params={"cursor": "garbage"}), 422, "invalid_cursor")
    assert api.get(URL, params={"warehouse": "NOPE"}).json()["items"] == []


def test_lists_page_newest_first_with_a_cursor(stocked):
    # given
    numbers = [stocked.post(URL, json=_body(("A-1", 1))).json()["number"] for _ in range(3)]
    # when
    page = stocked.get(URL, params={"limit": 2}).json()
    rest = stocked.get(URL, params={"limit": 2, "cursor": page["next_cursor"]}).json()
    # then
    assert [t["number"] for t in page["items"] + rest["items"]] == numbers[::-1]
    assert rest["next_cursor"] is None
    assert page["items"][0]["lines"] == []


def test_reading_needs_inventory_read_and_changing_needs_inventory_write(stocked, client, db):
    # given: an integration token may read stock but not move it
    client.headers.update(bearer(db, Role.INTEGRATION, name="shop"))
    # when
    listed = client.get(URL)
    created = client.post(URL, json=_body(("A-1", 1)))
    # then
    assert listed.status_code == 200
    assert_problem(created, 403, "forbidden")
    assert_problem(client.get(URL, headers={"Authorization": "Bearer nope"}), 401, "invalid_token")
