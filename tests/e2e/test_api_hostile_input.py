"""Hostile input over HTTP (orders and inventory): the same answer on SQLite and PostgreSQL.

A control character or NUL in a text is a 422 that names the field (never a 201 that
stores it, never a field-less ``invalid_value`` from the database); a look-up by a text
that cannot be stored is a 404 or an empty list.
"""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"
ADDRESS = {"line1": "1 Main St", "city": "Berlin", "country": "DE"}


def _order(customer, **extra):
    return {
        "customer_id": customer["id"],
        "channel": "web",
        "lines": [{"sku": "A-1", "quantity": 1}],
        **extra,
    }


def _field_errors(response):
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] != "invalid_value"
    return [e["field"] for e in response.json()["errors"]]


def _reserved(api):
    return [r["reserved"] for r in api.get("/api/v1/stock", params={"sku": "A-1"}).json()["items"]]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"external_ref": "a\u0000b"}, "external_ref"),
        ({"external_ref": "a\u001bb"}, "external_ref"),
        ({"notes": "ring\u0000twice"}, "notes"),
        ({"shipping_address": {**ADDRESS, "line1": "\u0000"}}, "shipping_address.line1"),
        ({"billing_address": {**ADDRESS, "city": "Ber\u0007lin"}}, "billing_address.city"),
        ({"shipping_address": {**ADDRESS, "postcode": "1\u00000"}}, "shipping_address.postcode"),
    ],
)
def test_an_order_with_a_control_character_is_a_422_naming_the_field_and_stores_nothing(
    api, shop, extra, field
):
    # when
    response = api.post("/api/v1/orders", json=_order(shop, **extra))
    # then
    assert _field_errors(response) == [field]
    assert api.get("/api/v1/orders").json()["items"] == []
    assert _reserved(api) == [0]


def test_the_same_refusal_holds_with_an_idempotency_key_and_a_retry_gets_it_again(api, shop):
    # given
    headers = {"Idempotency-Key": "nul-1"}
    body = _order(shop, external_ref="x\u0000")
    # when
    first = api.post("/api/v1/orders", json=body, headers=headers)
    again = api.post("/api/v1/orders", json=body, headers=headers)
    # then
    assert _field_errors(first) == _field_errors(again) == ["external_ref"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "Q1", "name": "a\u0000"}, "name"),
        ({"code": "Q2", "name": "ok", "address": {**ADDRESS, "line1": "\u0000"}}, "address.line1"),
        (
            {"code": "Q3", "name": "ok", "address": {**ADDRESS, "region": "\u001b"}},
            "address.region",
        ),
        ({"code": "ÄÖ", "name": "ok"}, "code"),
        ({"code": "٣٤", "name": "ok"}, "code"),
    ],
)
def test_a_warehouse_with_a_control_character_or_a_non_ascii_code_is_a_422(api, body, field):
    # when
    response = api.post("/api/v1/warehouses", json=body)
    # then
    assert _field_errors(response) == [field]
    assert api.get("/api/v1/warehouses").json()["items"] == []


def test_a_warehouse_code_is_stored_upper_case_and_every_look_up_matches_any_case(api, shop):
    # given
    created = api.post("/api/v1/warehouses", json={"code": "lower1", "name": "Lower"})
    # when
    receipt = api.post(
        "/api/v1/stock/receipts", json={"warehouse": "lower1", "sku": "A-1", "quantity": 4}
    )
    order = api.post(
        "/api/v1/orders",
        json=_order(shop, lines=[{"sku": "A-1", "quantity": 3, "warehouse": "Lower1"}]),
    )
    # then
    assert created.json()["code"] == "LOWER1"
    assert receipt.status_code == 201
    assert order.status_code == 201, order.text
    assert api.get("/api/v1/warehouses/lower1").json()["code"] == "LOWER1"
    stock = api.get("/api/v1/stock", params={"warehouse": "lower1"}).json()["items"]
    assert [(r["warehouse"], r["on_hand"], r["reserved"]) for r in stock] == [("LOWER1", 4, 3)]
    moves = api.get("/api/v1/stock/movements", params={"warehouse": "lOWER1"}).json()["items"]
    assert {m["warehouse"] for m in moves} == {"LOWER1"}
    patched = api.patch("/api/v1/stock/lower1/A-1", json={"bin_location": "L-1"})
    assert patched.json()["bin_location"] == "L-1"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/stock/receipts", {"quantity": 1, "reference": "DN\u000042"}, "reference"),
        ("/api/v1/stock/receipts", {"quantity": 1, "reference": "R" * 65}, "reference"),
        ("/api/v1/stock/receipts", {"quantity": 1, "note": "\u0000"}, "note"),
        ("/api/v1/stock/adjustments", {"delta": 1, "reason": "found", "note": "a\u0000"}, "note"),
    ],
)
def test_a_stock_movement_with_a_control_character_is_a_422_and_posts_nothing(
    api, shop, path, body, field
):
    # given
    before = api.get("/api/v1/stock/movements").json()["items"]
    # when
    response = api.post(path, json={"warehouse": "MAIN", "sku": "A-1", **body})
    # then
    assert _field_errors(response) == [field]
    assert api.get("/api/v1/stock/movements").json()["items"] == before


@pytest.mark.parametrize("bin_location", ["A-01\u0000", "B" * 41])
def test_a_bin_location_with_a_nul_or_too_long_is_a_422(api, shop, bin_location):
    # when
    response = api.patch("/api/v1/stock/MAIN/A-1", json={"bin_location": bin_location})
    # then
    assert _field_errors(response) == ["bin_location"]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/api/v1/orders/a%00b", "order_not_found"),
        ("/api/v1/orders/SO%00/history", "order_not_found"),
        ("/api/v1/warehouses/MA%00IN", "warehouse_not_found"),
        ("/api/v1/stock/availability/A%00B", "product_not_found"),
    ],
)
def test_a_look_up_by_an_unstorable_id_is_a_404_on_both_databases(api, shop, url, code):
    # when
    response = api.get(url)
    # then
    assert response.status_code == 404
    assert response.json()["code"] == code


def test_an_action_on_an_unstorable_order_id_is_a_404(api, shop):
    # when
    response = api.post("/api/v1/orders/a%00b/cancel", json={"reason": "x"})
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/orders", {"sku": "A\u0000B"}),
        ("/api/v1/orders", {"external_ref": "x\u0000"}),
        ("/api/v1/stock", {"sku": "A-1\u0000"}),
        ("/api/v1/stock", {"warehouse": "MAIN\u0000"}),
        ("/api/v1/stock/movements", {"sku": "A-1\u0000"}),
        ("/api/v1/stock/movements", {"warehouse": "\u0000"}),
    ],
)
def test_a_list_filtered_by_an_unstorable_text_is_empty_on_both_databases(api, shop, url, params):
    # given an order, so that the lists are not empty anyway
    assert api.post("/api/v1/orders", json=_order(shop, external_ref="x")).status_code == 201
    # when
    response = api.get(url, params=params)
    # then
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("code", ["NOPE", "MA\u0000IN"])
def test_an_order_line_pinned_to_an_unknown_or_unstorable_warehouse_is_a_422(api, shop, code):
    # when
    response = api.post(
        "/api/v1/orders",
        json=_order(shop, lines=[{"sku": "A-1", "quantity": 1, "warehouse": code}]),
    )
    # then
    assert _field_errors(response) == ["lines.0.warehouse"]
    assert response.json()["code"] == "unknown_warehouse"
