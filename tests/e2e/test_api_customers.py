"""The customers API over HTTP: customers and addresses, auth, problems, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.auth.services import revoke_token
from ordersmith.uow import Database
from ordersmith.web.pagination import encode_cursor
from tests.e2e.conftest import assert_problem, bearer

CUSTOMER = {"name": "Ada Lovelace", "email": "ada@example.com", "account_type": "cash"}
ADDRESS = {"kind": "shipping", "line1": "1 Example Street", "city": "Berlin", "country": "DE"}


def _post_customer(api: TestClient, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/v1/customers", json={**CUSTOMER, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_posting_a_customer_answers_201_with_its_id_and_number(api: TestClient) -> None:
    # when
    response = api.post("/api/v1/customers", json=CUSTOMER)
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["id"]
    assert body["number"] == "CUST-000001"
    assert (body["account_type"], body["payment_terms_days"], body["credit_limit"]) == (
        "cash",
        0,
        None,
    )
    assert (body["customer_group"], body["currency"], body["addresses"]) == ("retail", "EUR", [])


def test_an_account_customer_is_created_with_terms_a_limit_and_addresses(api: TestClient) -> None:
    # when
    body = _post_customer(
        api,
        account_type="account",
        company="Analytical Engines Ltd",
        credit_limit="5000",
        addresses=[ADDRESS, {**ADDRESS, "kind": "billing", "line1": "Accounts"}],
    )
    # then
    assert (body["payment_terms_days"], body["credit_limit"]) == (30, "5000.00")
    assert sorted((a["kind"], a["is_default"]) for a in body["addresses"]) == [
        ("billing", True),
        ("shipping", True),
    ]


def test_bad_customer_input_answers_422_with_every_field_error(api: TestClient) -> None:
    # when
    response = api.post(
        "/api/v1/customers",
        json={**CUSTOMER, "email": "ada", "credit_limit": "100", "currency": "euro"},
    )
    # then
    body = assert_problem(response, 422, "validation_error")
    assert {e["field"] for e in body["errors"]} == {"email", "credit_limit", "currency"}
    assert api.get("/api/v1/customers").json()["items"] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"account_type": "credit"}, "account_type"),
        ({"credit_limit": 100.5}, "credit_limit"),
        ({"number": "CUST-000009"}, "number"),
        ({"addresses": [{**ADDRESS, "country": "Germany"}]}, "addresses.0.country"),
    ],
)
def test_malformed_customer_json_answers_422_naming_the_field(
    api: TestClient, fields: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/customers", json={**CUSTOMER, **fields})
    body = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == [field]


def test_the_same_idempotency_key_replays_the_same_customer(api: TestClient) -> None:
    # given
    headers = {"Idempotency-Key": "signup-ada"}
    first = api.post("/api/v1/customers", json=CUSTOMER, headers=headers)
    # when
    again = api.post("/api/v1/customers", json=CUSTOMER, headers=headers)
    # then
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/api/v1/customers").json()["items"]) == 1


def test_customers_are_listed_newest_first_page_by_page(api: TestClient) -> None:
    # given
    for i in range(3):
        _post_customer(api, name=f"C{i}", email=f"c{i}@example.com")
    # when
    first = api.get("/api/v1/customers", params={"limit": 2}).json()
    rest = api.get("/api/v1/customers", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    # then
    assert [c["name"] for c in first["items"]] == ["C2", "C1"]
    assert [c["name"] for c in rest["items"]] == ["C0"]
    assert rest["next_cursor"] is None


def test_customers_are_listed_by_number_page_by_page(api: TestClient) -> None:
    # given
    for i in range(3):
        _post_customer(api, name=f"C{i}", email=f"c{i}@example.com")
    # when
    first = api.get("/api/v1/customers", params={"sort": "number", "limit": 2}).json()
    rest = api.get(
        "/api/v1/customers", params={"sort": "number", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    # then
    assert [c["number"] for c in first["items"] + rest["items"]] == [
        "CUST-000001",
        "CUST-000002",
        "CUST-000003",
    ]


def test_the_customer_list_filters_by_text_type_and_group(api: TestClient) -> None:
    # given
    _post_customer(api, name="Ann", email="ann@shop.example")
    _post_customer(api, name="Bob", email="bob@example.com", account_type="account")
    _post_customer(api, name="Cy", email="cy@example.com", customer_group="wholesale")
    # when
    by_text = api.get("/api/v1/customers", params={"q": "SHOP"}).json()["items"]
    accounts = api.get("/api/v1/customers", params={"account_type": "account"}).json()["items"]
    wholesale = api.get("/api/v1/customers", params={"customer_group": "wholesale"}).json()
    # then
    assert [c["name"] for c in by_text] == ["Ann"]
    assert [c["name"] for c in accounts] == ["Bob"]
    assert [c["name"] for c in wholesale["items"]] == ["Cy"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"cursor": "garbage"}, "invalid_cursor"),
        ({"cursor": encode_cursor(["CUST-000001"])}, "invalid_cursor"),
        ({"sort": "number", "cursor": encode_cursor(["a", "b"])}, "invalid_cursor"),
        ({"cursor": encode_cursor(["yesterday", "not-a-uuid"])}, "invalid_cursor"),
        ({"sort": "name"}, "validation_error"),
        ({"limit": 501}, "validation_error"),
        ({"account_type": "credit"}, "validation_error"),
    ],
)
def test_bad_list_parameters_answer_422(api: TestClient, params: dict[str, Any], code: str) -> None:
    assert_problem(api.get("/api/v1/customers", params=params), 422, code)


def test_a_forged_cursor_with_a_time_without_zone_is_refused(api: TestClient) -> None:
    # given
    _post_customer(api)
    cursor = encode_cursor(["2999-01-01T00:00:00", "01900000-0000-7000-8000-000000000000"])
    # when
    response = api.get("/api/v1/customers", params={"cursor": cursor})
    # then: cursors are opaque; one this API never returned is refused, not guessed at
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"


def test_a_customer_is_read_by_id_or_by_number(api: TestClient) -> None:
    # given
    made = _post_customer(api, addresses=[ADDRESS])
    # when
    by_id = api.get(f"/api/v1/customers/{made['id']}")
    by_number = api.get("/api/v1/customers/cust-000001")
    # then
    assert by_id.json() == by_number.json() == made


def test_an_unknown_customer_answers_404(api: TestClient) -> None:
    assert_problem(api.get("/api/v1/customers/CUST-000404"), 404, "customer_not_found")
    assert_problem(
        api.patch("/api/v1/customers/CUST-000404", json={"name": "x"}), 404, "customer_not_found"
    )
    assert_problem(
        api.post("/api/v1/customers/CUST-000404/addresses", json=ADDRESS), 404, "customer_not_found"
    )
    assert_problem(api.get("/api/v1/customers/CUST-000404/addresses"), 404, "customer_not_found")


def test_patching_a_customer_changes_only_the_fields_sent(api: TestClient) -> None:
    # given
    made = _post_customer(api, phone="+49 30 1234")
    # when
    response = api.patch(
        f"/api/v1/customers/{made['number']}",
        json={"account_type": "account", "credit_limit": "750.5"},
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["account_type"], body["payment_terms_days"], body["credit_limit"]) == (
        "account",
        30,
        "750.50",
    )
    assert (body["phone"], body["number"]) == ("+49 30 1234", made["number"])


def test_patching_refuses_a_new_number_and_a_credit_limit_for_cash(api: TestClient) -> None:
    # given
    made = _post_customer(api)
    # when
    renumber = api.patch(f"/api/v1/customers/{made['id']}", json={"number": "CUST-000099"})
    credit = api.patch(f"/api/v1/customers/{made['id']}", json={"credit_limit": "10"})
    # then
    assert_problem(renumber, 422, "validation_error")
    body = assert_problem(credit, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["credit_limit"]
    assert api.get(f"/api/v1/customers/{made['id']}").json() == made


def test_addresses_are_added_and_the_default_follows_the_newest_request(api: TestClient) -> None:
    # given
    made = _post_customer(api)
    path = f"/api/v1/customers/{made['id']}/addresses"
    # when
    first = api.post(path, json=ADDRESS)
    second = api.post(path, json={**ADDRESS, "line1": "Dock 2"})
    third = api.post(path, json={**ADDRESS, "line1": "Dock 3", "is_default": True})
    listed = api.get(path).json()
    shipping = api.get(path, params={"kind": "shipping"}).json()["items"]
    # then
    assert [r.status_code for r in (first, second, third)] == [201, 201, 201]
    assert (first.json()["is_default"], second.json()["is_default"]) == (True, False)
    assert [(a["line1"], a["is_default"]) for a in listed["items"]] == [
        ("Dock 3", True),
        ("1 Example Street", False),
        ("Dock 2", False),
    ]
    assert listed["next_cursor"] is None
    assert len(shipping) == 3


def test_adding_an_address_twice_with_one_idempotency_key_adds_it_once(api: TestClient) -> None:
    # given
    made = _post_customer(api)
    path = f"/api/v1/customers/{made['number']}/addresses"
    # when
    first = api.post(path, json=ADDRESS, headers={"Idempotency-Key": "addr-1"})
    again = api.post(path, json=ADDRESS, headers={"Idempotency-Key": "addr-1"})
    # then
    assert again.json() == first.json()
    assert len(api.get(path).json()["items"]) == 1


def test_a_bad_address_answers_422(api: TestClient) -> None:
    made = _post_customer(api)
    response = api.post(
        f"/api/v1/customers/{made['id']}/addresses",
        json={**ADDRESS, "kind": "home", "city": ""},
    )
    body = assert_problem(response, 422, "validation_error")
    assert {e["field"] for e in body["errors"]} == {"kind", "city"}


ROUTES = [
    ("post", "/api/v1/customers"),
    ("get", "/api/v1/customers"),
    ("get", "/api/v1/customers/CUST-000001"),
    ("patch", "/api/v1/customers/CUST-000001"),
    ("post", "/api/v1/customers/CUST-000001/addresses"),
    ("get", "/api/v1/customers/CUST-000001/addresses"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_customer_route_answers_401_without_a_token(
    client: TestClient, method: str, path: str
) -> None:
    assert_problem(client.request(method, path, json={}), 401, "unauthorized")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_customer_route_answers_401_for_a_revoked_token(
    client: TestClient, db: Database, method: str, path: str
) -> None:
    # given
    headers = bearer(db, Role.INTEGRATION, name="old-shop")
    with db.unit_of_work(actor="test") as uow:
        revoke_token(uow, token_id_or_prefix=headers["Authorization"].removeprefix("Bearer ")[:10])
    # when
    response = client.request(method, path, json={}, headers=headers)
    # then
    assert_problem(response, 401, "invalid_token")


def test_an_integration_token_may_create_and_read_customers(
    client: TestClient, db: Database
) -> None:
    # given
    headers = bearer(db, Role.INTEGRATION, name="shop")
    # when
    created = client.post("/api/v1/customers", json=CUSTOMER, headers=headers)
    read = client.get(f"/api/v1/customers/{created.json()['id']}", headers=headers)
    # then
    assert (created.status_code, read.status_code) == (201, 200)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/customers/A%00"),
        ("get", "/api/v1/customers/A%00/addresses"),
        ("patch", "/api/v1/customers/A%00"),
        ("get", "/api/v1/customers?q=%00"),
        ("get", "/api/v1/customers?customer_group=%00"),
        ("get", "/api/v1/customers?sort=number&cursor=" + encode_cursor([chr(0)])),
    ],
)
def test_text_with_a_nul_character_matches_nothing_rather_than_failing(
    api: TestClient, method: str, url: str
) -> None:
    # given
    _post_customer(api)
    # when
    response = api.request(method, url, json={"name": "x"} if method == "patch" else None)
    # then
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.json()["items"] == []
