"""The customer record over HTTP: contacts, loyalty tiers, duplicates, merge and undo,
and the customer 360."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.uow import Database
from tests.e2e.conftest import assert_problem, bearer


def _customer(api: TestClient, name: str, email: str) -> dict[str, Any]:
    response = api.post(
        "/api/v1/customers", json={"name": name, "email": email, "account_type": "cash"}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_duplicate_found_by_email_is_merged_and_the_merge_undone(api: TestClient) -> None:
    # given two records of Ada with the same email
    ada = _customer(api, "Ada Lovelace", "ada@example.com")
    twin = _customer(api, "A. Lovelace", "ADA@example.com")
    api.post(f"/api/v1/customers/{twin['number']}/contacts", json={"name": "Ada", "role": "owner"})
    # when
    found = api.get("/api/v1/customers/duplicates", params={"rule": "email"}).json()
    merged = api.post(
        f"/api/v1/customers/{ada['number']}/merge",
        json={"duplicate_id": twin["id"], "reason": "same person"},
    )
    # then
    assert [{c["number"] for c in g["customers"]} for g in found["items"]] == [
        {ada["number"], twin["number"]}
    ]
    assert merged.status_code == 201, merged.text
    assert merged.json()["moved"]["customer_contacts.customer_id"] == 1
    assert api.get("/api/v1/customers/duplicates").json()["items"] == []
    listed = api.get("/api/v1/customer-merges").json()["items"]
    assert [m["id"] for m in listed] == [merged.json()["id"]]
    # and undone
    undone = api.post(
        f"/api/v1/customer-merges/{merged.json()['id']}/undo", json={"reason": "two people"}
    )
    assert undone.status_code == 200, undone.text
    assert api.get(f"/api/v1/customers/{twin['number']}").json()["merged_into_id"] is None
    again = api.post(f"/api/v1/customer-merges/{merged.json()['id']}/undo", json={"reason": "x"})
    assert_problem(again, 409, "merge_already_undone")


def test_merging_a_customer_into_itself_answers_409(api: TestClient) -> None:
    # given
    ada = _customer(api, "Ada Lovelace", "ada@example.com")
    # when
    response = api.post(
        f"/api/v1/customers/{ada['id']}/merge", json={"duplicate_id": ada["id"], "reason": "x"}
    )
    # then
    assert_problem(response, 409, "merge_same_customer")


def test_tiers_are_configured_recalculated_and_shown_in_the_overview(api: TestClient) -> None:
    # given a tier anyone with 0 orders reaches (to keep the fixture small)
    ada = _customer(api, "Ada Lovelace", "ada@example.com")
    put = api.put(
        "/api/v1/loyalty-tiers/starter",
        json={"name": "Starter", "rank": 1, "min_orders": 0, "return_window_days": 45},
    )
    assert put.status_code == 200, put.text
    # when
    run = api.post("/api/v1/loyalty-tiers/recalculate", json={})
    overview = api.get(f"/api/v1/customers/{ada['number']}/overview")
    # then
    assert run.status_code == 200, run.text
    assert overview.status_code == 200, overview.text
    body = overview.json()
    assert body["customer"]["number"] == ada["number"]
    assert body["orders"]["lifetime_value"] == "0.00"
    assert [t["code"] for t in api.get("/api/v1/loyalty-tiers").json()["items"]] == ["starter"]


def test_a_tier_without_a_threshold_answers_422(api: TestClient) -> None:
    # when
    response = api.put("/api/v1/loyalty-tiers/gold", json={"name": "Gold", "rank": 1})
    # then
    assert_problem(response, 422, "validation_error")


def test_an_integration_token_cannot_merge_customers(api: TestClient, db: Database) -> None:
    # given
    ada = _customer(api, "Ada Lovelace", "ada@example.com")
    twin = _customer(api, "Ada", "ada2@example.com")
    # when
    response = api.post(
        f"/api/v1/customers/{ada['id']}/merge",
        json={"duplicate_id": twin["id"], "reason": "x"},
        headers=bearer(db, Role.INTEGRATION),
    )
    # then
    assert_problem(response, 403, "forbidden")


def test_nothing_new_is_opened_for_a_merged_customer(api: TestClient) -> None:
    # given Ada's second record merged into the first
    ada = _customer(api, "Ada Lovelace", "ada@example.com")
    twin = _customer(api, "A. Lovelace", "ada.l@example.com")
    merged = api.post(
        f"/api/v1/customers/{ada['number']}/merge",
        json={"duplicate_id": twin["id"], "reason": "same person"},
    )
    assert merged.status_code == 201, merged.text
    address = {"kind": "shipping", "line1": "1 Example Street", "city": "Berlin", "country": "DE"}
    payment = {"customer_id": twin["id"], "method": "cash", "amount": "10.00", "currency": "EUR"}
    case = {"customer": twin["number"], "type": "enquiry", "subject": "Where is my order?"}
    # when
    answers = [
        api.post("/api/v1/cases", json=case),
        api.post(f"/api/v1/customers/{twin['number']}/contacts", json={"name": "Ada"}),
        api.post(f"/api/v1/customers/{twin['number']}/addresses", json=address),
        api.post("/api/v1/payments", json=payment),
    ]
    # then each is refused, naming the survivor; the survivor takes them all
    for answer in answers:
        problem = assert_problem(answer, 409, "customer_merged")
        assert problem["merged_into_id"] == ada["id"]
    case["customer"] = ada["number"]
    assert api.post("/api/v1/cases", json=case).status_code == 201


def test_tier_numbers_beyond_an_integer_column_answer_422(api: TestClient) -> None:
    # when
    answers = [
        api.put("/api/v1/loyalty-tiers/gold", json={"name": "G", "rank": 2**63, "min_orders": 1}),
        api.put("/api/v1/loyalty-tiers/gold", json={"name": "G", "rank": 1, "min_orders": 2**31}),
        api.put("/api/v1/loyalty-tiers/gold", json={"name": "G", "rank": -1, "min_orders": 1}),
    ]
    # then
    for answer in answers:
        assert_problem(answer, 422, "validation_error")
    assert api.get("/api/v1/loyalty-tiers").json()["items"] == []


def test_a_recalculation_as_of_a_day_out_of_range_answers_422(api: TestClient) -> None:
    # given a tier, so the recalculation has periods to reach back over
    put = api.put("/api/v1/loyalty-tiers/gold", json={"name": "G", "rank": 1, "min_orders": 1})
    assert put.status_code == 200, put.text
    # when
    answers = [
        api.post("/api/v1/loyalty-tiers/recalculate", json={"as_of": at})
        for at in ("0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "9999-12-31T23:00:00Z")
    ]
    # then
    for answer in answers:
        problem = assert_problem(answer, 422, "validation_error")
        assert [e["field"] for e in problem["errors"]] == ["as_of"]
