"""The catalog API over HTTP: products and price lists, auth, problems, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.uow import Database
from ordersmith.web.pagination import encode_cursor
from tests.e2e.conftest import assert_problem, bearer

PRODUCT = {"sku": "A-1", "name": "Anvil", "price": "12.50", "currency": "EUR"}


def _post_product(api: TestClient, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/v1/products", json={**PRODUCT, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_posting_a_product_answers_201_with_the_product_and_its_defaults(api: TestClient) -> None:
    # when
    response = api.post("/api/v1/products", json=PRODUCT)
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["id"]
    assert {k: body[k] for k in ("sku", "name", "price", "currency")} == PRODUCT
    assert (body["status"], body["tax_rate"], body["unit"], body["stocked"]) == (
        "active",
        "0.0000",
        "each",
        True,
    )
    assert body["created_at"].endswith("Z")


def test_a_product_without_a_currency_is_priced_in_the_default_one(api: TestClient) -> None:
    body = _post_product(api, currency=None, price="3", tax_rate="0.2", weight_kg="1.250")
    assert (body["currency"], body["price"], body["tax_rate"]) == ("EUR", "3.00", "0.2000")
    assert body["weight_kg"] == "1.25"


def test_a_duplicate_sku_answers_409(api: TestClient) -> None:
    # given
    _post_product(api)
    # when
    response = api.post("/api/v1/products", json={**PRODUCT, "name": "Another"})
    # then
    assert_problem(response, 409, "sku_exists")


def test_bad_product_input_answers_422_with_every_field_error_and_stores_nothing(
    api: TestClient,
) -> None:
    # when
    response = api.post(
        "/api/v1/products",
        json={"sku": "A 1", "name": "", "price": "12.50001", "currency": "EURO", "tax_rate": "1"},
    )
    # then
    body = assert_problem(response, 422, "validation_error")
    assert {e["field"] for e in body["errors"]} == {"sku", "name", "price", "currency", "tax_rate"}
    assert api.get("/api/v1/products").json()["items"] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": 12.5}, "price"),
        ({"status": "sold_out"}, "status"),
        ({"colour": "red"}, "colour"),
        ({"sku": None}, "sku"),
    ],
)
def test_malformed_product_json_answers_422_naming_the_field(
    api: TestClient, fields: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/products", json={**PRODUCT, **fields})
    body = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == [field]


def test_the_same_idempotency_key_replays_the_first_answer(api: TestClient) -> None:
    # given
    headers = {"Idempotency-Key": "product-a-1"}
    first = api.post("/api/v1/products", json=PRODUCT, headers=headers)
    # when
    again = api.post("/api/v1/products", json=PRODUCT, headers=headers)
    # then
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/api/v1/products").json()["items"]) == 1


def test_the_same_idempotency_key_with_another_body_answers_422(api: TestClient) -> None:
    # given
    api.post("/api/v1/products", json=PRODUCT, headers={"Idempotency-Key": "k1"})
    # when
    response = api.post(
        "/api/v1/products", json={**PRODUCT, "sku": "B-2"}, headers={"Idempotency-Key": "k1"}
    )
    # then
    assert_problem(response, 422, "idempotency_key_reused")


def test_a_failed_creation_with_a_key_can_be_retried_with_the_same_key(api: TestClient) -> None:
    # given
    _post_product(api)
    refused = api.post("/api/v1/products", json=PRODUCT, headers={"Idempotency-Key": "k2"})
    # when
    retry = api.post(
        "/api/v1/products", json={**PRODUCT, "sku": "A-2"}, headers={"Idempotency-Key": "k2"}
    )
    # then
    assert refused.status_code == 409
    assert retry.status_code == 201


def test_products_are_listed_page_by_page_with_a_cursor(api: TestClient) -> None:
    # given
    for sku in ["C-3", "A-1", "B-2"]:
        _post_product(api, sku=sku)
    # when
    first = api.get("/api/v1/products", params={"limit": 2}).json()
    second = api.get("/api/v1/products", params={"limit": 2, "cursor": first["next_cursor"]})
    # then
    assert [p["sku"] for p in first["items"]] == ["A-1", "B-2"]
    assert [p["sku"] for p in second.json()["items"]] == ["C-3"]
    assert second.json()["next_cursor"] is None


def test_the_product_list_filters_by_text_status_and_category(api: TestClient) -> None:
    # given
    _post_product(api, sku="HAM-1", name="Claw hammer", category="tools")
    _post_product(api, sku="HAM-2", name="Sledge", category="tools", status="draft")
    _post_product(api, sku="NAIL", name="Nails", category="fixings")
    # when
    by_text = api.get("/api/v1/products", params={"q": "ham"}).json()["items"]
    drafts = api.get("/api/v1/products", params={"status": "draft"}).json()["items"]
    fixings = api.get("/api/v1/products", params={"category": "fixings"}).json()["items"]
    # then
    assert [p["sku"] for p in by_text] == ["HAM-1", "HAM-2"]
    assert [p["sku"] for p in drafts] == ["HAM-2"]
    assert [p["sku"] for p in fixings] == ["NAIL"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
        ({"limit": 501}, "validation_error"),
        ({"limit": 0}, "validation_error"),
        ({"status": "gone"}, "validation_error"),
    ],
)
def test_bad_list_parameters_answer_422(api: TestClient, params: dict[str, Any], code: str) -> None:
    assert_problem(api.get("/api/v1/products", params=params), 422, code)


def test_a_product_is_read_by_sku_or_by_id(api: TestClient) -> None:
    # given
    made = _post_product(api, sku="AB/12")
    # when
    by_sku = api.get("/api/v1/products/AB/12")
    by_id = api.get(f"/api/v1/products/{made['id']}")
    # then
    assert by_sku.status_code == by_id.status_code == 200
    assert by_sku.json() == by_id.json() == made


def test_an_unknown_product_answers_404(api: TestClient) -> None:
    assert_problem(api.get("/api/v1/products/NOPE"), 404, "product_not_found")
    assert_problem(api.patch("/api/v1/products/NOPE", json={"name": "x"}), 404, "product_not_found")


def test_patching_a_product_changes_only_the_fields_sent(api: TestClient) -> None:
    # given
    _post_product(api, category="tools", barcode="4006381333931")
    # when
    response = api.patch("/api/v1/products/A-1", json={"price": "11", "barcode": None})
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["price"], body["barcode"], body["category"]) == ("11.00", None, "tools")
    assert api.get("/api/v1/products/A-1").json() == body


def test_patching_the_sku_is_refused(api: TestClient) -> None:
    # given
    _post_product(api)
    # when
    response = api.patch("/api/v1/products/A-1", json={"sku": "B-2"})
    # then
    body = assert_problem(response, 422, "validation_error")
    assert "sku cannot be changed" in body["detail"]
    assert api.get("/api/v1/products/A-1").status_code == 200


def test_a_disallowed_status_change_answers_409(api: TestClient) -> None:
    # given
    _post_product(api)
    # when
    response = api.patch("/api/v1/products/A-1", json={"status": "draft"})
    # then
    assert_problem(response, 409, "invalid_transition")
    assert api.get("/api/v1/products/A-1").json()["status"] == "active"


def test_a_null_name_in_a_patch_is_refused(api: TestClient) -> None:
    _post_product(api)
    body = assert_problem(
        api.patch("/api/v1/products/A-1", json={"name": None}), 422, "validation_error"
    )
    assert [e["field"] for e in body["errors"]] == ["name"]


def test_a_price_list_is_created_read_listed_and_its_items_replaced(api: TestClient) -> None:
    # given
    _post_product(api, sku="A-1")
    _post_product(api, sku="B-2")
    # when
    created = api.post(
        "/api/v1/price-lists",
        json={
            "code": "WHOLESALE",
            "name": "Wholesale",
            "customer_group": "wholesale",
            "valid_from": "2026-01-01",
            "items": [
                {"sku": "A-1", "price": "10"},
                {"sku": "A-1", "price": "9.5", "min_quantity": 10},
            ],
        },
    )
    listed = api.get("/api/v1/price-lists").json()
    replaced = api.put(
        "/api/v1/price-lists/WHOLESALE/items", json={"items": [{"sku": "B-2", "price": "0.3"}]}
    )
    read = api.get(f"/api/v1/price-lists/{created.json()['id']}")
    # then
    assert created.status_code == 201
    assert [(i["sku"], i["min_quantity"], i["price"]) for i in created.json()["items"]] == [
        ("A-1", 1, "10.00"),
        ("A-1", 10, "9.50"),
    ]
    assert (created.json()["valid_from"], created.json()["currency"]) == ("2026-01-01", "EUR")
    assert [(p["code"], p["item_count"]) for p in listed["items"]] == [("WHOLESALE", 2)]
    assert replaced.status_code == 200
    assert read.json() == replaced.json()
    assert [(i["sku"], i["price"]) for i in read.json()["items"]] == [("B-2", "0.30")]


def test_a_price_list_item_is_deleted(api: TestClient) -> None:
    # given
    _post_product(api, sku="A-1")
    api.post(
        "/api/v1/price-lists",
        json={
            "code": "WH",
            "name": "Wholesale",
            "customer_group": "wholesale",
            "items": [
                {"sku": "A-1", "price": "10"},
                {"sku": "A-1", "price": "9", "min_quantity": 5},
            ],
        },
    )
    # when
    deleted = api.delete("/api/v1/price-lists/WH/items/A-1", params={"min_quantity": 5})
    again = api.delete("/api/v1/price-lists/WH/items/A-1", params={"min_quantity": 5})
    # then
    assert deleted.status_code == 204
    assert_problem(again, 404, "price_list_item_not_found")
    assert [i["min_quantity"] for i in api.get("/api/v1/price-lists/WH").json()["items"]] == [1]


def test_one_price_is_set_without_sending_the_whole_list(api: TestClient) -> None:
    # given
    _post_product(api, sku="A-1")
    _post_product(api, sku="B-2")
    api.post(
        "/api/v1/price-lists",
        json={
            "code": "WH",
            "name": "W",
            "customer_group": "wholesale",
            "items": [{"sku": "A-1", "price": "10"}],
        },
    )
    # when: B-2 is added, then A-1 changed
    added = api.post("/api/v1/price-lists/WH/items", json={"sku": "B-2", "price": "0.3"})
    changed = api.post("/api/v1/price-lists/WH/items", json={"sku": "A-1", "price": "9.5"})
    refused = api.post("/api/v1/price-lists/WH/items", json={"sku": "A-1", "price": "cheap"})
    missing = api.post("/api/v1/price-lists/NOPE/items", json={"sku": "A-1", "price": "1"})
    # then
    assert added.status_code == 200
    assert [(i["sku"], i["price"]) for i in changed.json()["items"]] == [
        ("A-1", "9.50"),
        ("B-2", "0.30"),
    ]
    assert [e["field"] for e in assert_problem(refused, 422, "validation_error")["errors"]] == [
        "price"
    ]
    assert_problem(missing, 404, "price_list_not_found")


def test_a_price_list_with_an_unknown_sku_answers_422_naming_the_item(api: TestClient) -> None:
    # when
    response = api.post(
        "/api/v1/price-lists",
        json={
            "code": "WH",
            "name": "W",
            "customer_group": "wholesale",
            "items": [{"sku": "NOPE", "price": "1"}],
        },
    )
    # then
    body = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["items.0.sku"]
    assert api.get("/api/v1/price-lists").json()["items"] == []


def test_a_duplicate_price_list_code_answers_409(api: TestClient) -> None:
    payload = {"code": "WH", "name": "W", "customer_group": "wholesale"}
    assert api.post("/api/v1/price-lists", json=payload).status_code == 201
    assert_problem(api.post("/api/v1/price-lists", json=payload), 409, "price_list_code_exists")


def test_an_unknown_price_list_answers_404(api: TestClient) -> None:
    assert_problem(api.get("/api/v1/price-lists/NOPE"), 404, "price_list_not_found")
    assert_problem(
        api.put("/api/v1/price-lists/NOPE/items", json={"items": []}), 404, "price_list_not_found"
    )
    assert_problem(api.delete("/api/v1/price-lists/NOPE/items/A-1"), 404, "price_list_not_found")


def test_price_lists_are_listed_page_by_page_and_filtered(api: TestClient) -> None:
    # given
    for code, group in [("B", "wholesale"), ("A", "retail"), ("C", "wholesale")]:
        api.post("/api/v1/price-lists", json={"code": code, "name": code, "customer_group": group})
    # when
    first = api.get("/api/v1/price-lists", params={"limit": 2}).json()
    rest = api.get(
        "/api/v1/price-lists", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    wholesale = api.get("/api/v1/price-lists", params={"customer_group": "wholesale"}).json()
    # then
    assert [p["code"] for p in first["items"]] + [p["code"] for p in rest["items"]] == [
        "A",
        "B",
        "C",
    ]
    assert rest["next_cursor"] is None
    assert [p["code"] for p in wholesale["items"]] == ["B", "C"]


ROUTES = [
    ("post", "/api/v1/products"),
    ("get", "/api/v1/products"),
    ("get", "/api/v1/products/A-1"),
    ("patch", "/api/v1/products/A-1"),
    ("post", "/api/v1/price-lists"),
    ("get", "/api/v1/price-lists"),
    ("get", "/api/v1/price-lists/WH"),
    ("put", "/api/v1/price-lists/WH/items"),
    ("delete", "/api/v1/price-lists/WH/items/A-1"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_catalog_route_answers_401_without_a_token(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, json={})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_an_integration_token_may_read_the_catalog_but_not_change_it(
    client: TestClient, db: Database, api: TestClient
) -> None:
    # given
    _post_product(api)
    integration = bearer(db, Role.INTEGRATION, name="shop")
    # when
    read = client.get("/api/v1/products/A-1", headers=integration)
    writes = [
        client.post("/api/v1/products", json={**PRODUCT, "sku": "B-2"}, headers=integration),
        client.patch("/api/v1/products/A-1", json={"name": "x"}, headers=integration),
        client.post(
            "/api/v1/price-lists",
            json={"code": "WH", "name": "W", "customer_group": "wholesale"},
            headers=integration,
        ),
        client.put("/api/v1/price-lists/WH/items", json={"items": []}, headers=integration),
        client.post(
            "/api/v1/price-lists/WH/items", json={"sku": "A-1", "price": "1"}, headers=integration
        ),
        client.delete("/api/v1/price-lists/WH/items/A-1", headers=integration),
    ]
    # then
    assert read.status_code == 200
    for response in writes:
        assert_problem(response, 403, "forbidden")


def test_a_staff_token_may_change_the_catalog(client: TestClient, db: Database) -> None:
    response = client.post("/api/v1/products", json=PRODUCT, headers=bearer(db, Role.STAFF))
    assert response.status_code == 201


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products/A%00B",
        "/api/v1/products?q=%00",
        "/api/v1/products?category=%00",
        "/api/v1/price-lists/A%00",
        "/api/v1/price-lists?customer_group=%00",
    ],
)
def test_text_with_a_nul_character_matches_nothing_rather_than_failing(
    api: TestClient, url: str
) -> None:
    # given
    _post_product(api)
    # when
    response = api.get(url)
    # then
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.json()["items"] == []


def test_a_cursor_or_item_with_a_nul_character_is_not_a_server_error(api: TestClient) -> None:
    # given
    _post_product(api)
    cursor = encode_cursor(["\x00"])
    # when
    listed = api.get("/api/v1/products", params={"cursor": cursor})
    removed = api.delete("/api/v1/price-lists/WH/items/A%00")
    patched = api.patch("/api/v1/products/A%00", json={"name": "x"})
    # then
    assert (listed.status_code, listed.json()["items"]) == (200, [])
    assert (removed.status_code, patched.status_code) == (404, 404)
