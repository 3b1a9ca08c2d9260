"""Warehouses and stock over HTTP."""

from __future__ import annotations

import pytest


@pytest.fixture
def product(api):
    api.post("/api/v1/warehouses", json={"code": "MAIN", "name": "Main", "priority": 1})
    api.post("/api/v1/warehouses", json={"code": "EAST", "name": "East", "priority": 2})
    return api.post(
        "/api/v1/products", json={"sku": "A-1", "name": "Anvil", "price": "5.00", "currency": "EUR"}
    ).json()


def test_receipts_show_up_in_stock_levels_per_warehouse_and_in_availability(api, product):
    # when
    api.post("/api/v1/stock/receipts", json={"warehouse": "MAIN", "sku": "A-1", "quantity": 4})
    api.post("/api/v1/stock/receipts", json={"warehouse": "EAST", "sku": "A-1", "quantity": 6})
    # then
    levels = api.get("/api/v1/stock", params={"sku": "A-1"}).json()["items"]
    assert [(r["warehouse"], r["on_hand"], r["reserved"], r["available"]) for r in levels] == [
        ("EAST", 6, 0, 6),
        ("MAIN", 4, 0, 4),
    ]
    total = api.get("/api/v1/stock/availability/A-1").json()
    assert (total["on_hand"], total["available"]) == (10, 10)


def test_goods_returned_to_stock_are_on_hand_again_and_in_the_ledger(api, product):
    # given
    api.post("/api/v1/stock/receipts", json={"warehouse": "MAIN", "sku": "A-1", "quantity": 1})
    # when
    response = api.post(
        "/api/v1/stock/returns",
        json={"warehouse": "MAIN", "sku": "A-1", "quantity": 2, "reference": "SO-2026-000001"},
    )
    # then
    assert response.status_code == 201, response.text
    assert (response.json()["on_hand"], response.json()["available"]) == (3, 3)
    ledger = api.get("/api/v1/stock/movements", params={"sku": "A-1"}).json()["items"]
    assert [(m["kind"], m["on_hand_delta"]) for m in ledger] == [("return", 2), ("receipt", 1)]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"warehouse": "MAIN", "sku": "A-1", "quantity": 0}, 422, "validation_error"),
        ({"warehouse": "MAIN", "sku": "NOPE", "quantity": 1}, 404, "product_not_found"),
        ({"warehouse": "WEST", "sku": "A-1", "quantity": 1}, 404, "warehouse_not_found"),
    ],
)
def test_a_bad_return_to_stock_is_a_problem_and_changes_nothing(api, product, body, status, code):
    # when
    response = api.post("/api/v1/stock/returns", json=body)
    # then
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert api.get("/api/v1/stock", params={"sku": "A-1"}).json()["items"] == []


def test_an_adjustment_below_reserved_is_refused_with_a_409(api, product):
    api.post("/api/v1/stock/receipts", json={"warehouse": "MAIN", "sku": "A-1", "quantity": 2})
    response = api.post(
        "/api/v1/stock/adjustments",
        json={"warehouse": "MAIN", "sku": "A-1", "delta": -3, "reason": "loss"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stock_would_go_negative"


def test_the_reorder_point_and_bin_can_be_set_and_low_stock_listed(api, product):
    api.post("/api/v1/stock/receipts", json={"warehouse": "MAIN", "sku": "A-1", "quantity": 2})
    updated = api.patch(
        "/api/v1/stock/MAIN/A-1", json={"reorder_point": 5, "bin_location": "A-01-1"}
    )
    assert updated.json()["reorder_point"] == 5
    low = api.get("/api/v1/stock", params={"low": True}).json()["items"]
    assert [(r["sku"], r["bin_location"]) for r in low] == [("A-1", "A-01-1")]


def test_the_ledger_lists_every_movement_newest_first_with_a_cursor(api, product):
    for quantity in (1, 2, 3):
        api.post(
            "/api/v1/stock/receipts", json={"warehouse": "MAIN", "sku": "A-1", "quantity": quantity}
        )
    page = api.get("/api/v1/stock/movements", params={"limit": 2}).json()
    rest = api.get(
        "/api/v1/stock/movements", params={"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [m["on_hand_delta"] for m in page["items"] + rest["items"]] == [3, 2, 1]
    assert rest["next_cursor"] is None


def test_stock_pages_with_a_cursor(api, product):
    api.post("/api/v1/stock/receipts", json={"warehouse": "MAIN", "sku": "A-1", "quantity": 1})
    api.post("/api/v1/stock/receipts", json={"warehouse": "EAST", "sku": "A-1", "quantity": 1})
    page = api.get("/api/v1/stock", params={"limit": 1}).json()
    rest = api.get("/api/v1/stock", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [page["items"][0]["warehouse"], rest["items"][0]["warehouse"]] == ["EAST", "MAIN"]


@pytest.mark.parametrize(
    "body",
    [
        {"warehouse": "MAIN", "sku": "A-1", "quantity": 0},
        {"warehouse": "MAIN", "sku": "A-1", "quantity": "many"},
        {"warehouse": "MAIN", "sku": "A-1"},
    ],
)
def test_a_bad_receipt_is_a_422(api, product, body):
    response = api.post("/api/v1/stock/receipts", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_unknown_warehouse_and_sku_are_404s(api, product):
    r1 = api.post("/api/v1/stock/receipts", json={"warehouse": "NOPE", "sku": "A-1", "quantity": 1})
    r2 = api.post(
        "/api/v1/stock/receipts", json={"warehouse": "MAIN", "sku": "NOPE", "quantity": 1}
    )
    assert (r1.status_code, r1.json()["code"]) == (404, "warehouse_not_found")
    assert (r2.status_code, r2.json()["code"]) == (404, "product_not_found")
    assert api.get("/api/v1/warehouses/NOPE").status_code == 404


def test_a_duplicate_warehouse_code_is_a_409(api, product):
    response = api.post("/api/v1/warehouses", json={"code": "MAIN", "name": "Again"})
    assert (response.status_code, response.json()["code"]) == (409, "warehouse_exists")


def test_warehouses_are_listed_in_sourcing_order(api, product):
    codes = [w["code"] for w in api.get("/api/v1/warehouses").json()["items"]]
    assert codes == ["MAIN", "EAST"]


def test_metrics_count_requests_by_route_and_status(client, api, product):
    api.get("/api/v1/warehouses")
    body = client.get("/metrics").text
    assert (
        'ordersmith_http_requests_total{method="GET",route="/api/v1/warehouses",status="200"}'
        in body
    )
