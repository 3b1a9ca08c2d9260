"""Replenishment over HTTP: policies, a review run, requests approved, edited, rejected
and ordered as draft purchase orders and transfers, and every refusal as a problem
document with its stable code."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from tests.e2e.conftest import assert_problem, bearer
from tests.factories.inventory import stock_up
from tests.integration.replenishment.conftest import make_store

API = "/api/v1/replenishment"


@pytest.fixture
def store(db):
    """The replenishment tests' store (ACME preferred for A-1: from 50 in packs of 25)."""
    return make_store(db)


def _review(api: TestClient) -> dict:
    run = api.post(f"{API}/runs")
    assert run.status_code == 201, run.text
    return dict(run.json())


def test_a_planner_reviews_approves_and_orders_over_http(api, store):
    # given: MAIN keeps 20 to 100 anvils and 10 to 40 clamps, and has 12 and 3
    stock_up(store.db, {("MAIN", "A-1"): 12, ("MAIN", "C-3"): 3})
    set_anvils = api.put(
        f"{API}/policies/MAIN/A-1",
        json={"kind": "min_max", "min_quantity": 20, "max_quantity": 100},
    )
    clamps = {"kind": "min_max", "min_quantity": 10, "max_quantity": 40}
    assert api.put(f"{API}/policies/main/C-3", json=clamps).status_code == 200
    # when
    run = _review(api)
    # then
    assert set_anvils.status_code == 200, set_anvils.text
    assert (set_anvils.json()["kind"], set_anvils.json()["warehouse"]) == ("min_max", "MAIN")
    assert (run["evaluated"], run["raised"]) == (2, 2)
    policies = api.get(f"{API}/policies", params={"warehouse": "MAIN"}).json()["items"]
    assert [(p["sku"], p["max_quantity"]) for p in policies] == [("A-1", 100), ("C-3", 40)]
    # and the open requests page by page, newest first
    first = api.get(f"{API}/requests", params={"status": "open", "limit": 1}).json()
    second = api.get(
        f"{API}/requests", params={"status": "open", "cursor": first["next_cursor"]}
    ).json()
    assert len(first["items"]) == len(second["items"]) == 1
    assert second["next_cursor"] is None
    anvils = api.get(f"{API}/requests/A-1@MAIN").json()
    assert (anvils["suggested_quantity"], anvils["supplier"], anvils["kind"]) == (
        100,
        "ACME",
        "purchase",
    )
    assert anvils["numbers"]["need"] == 88
    assert anvils["allowed_actions"] == ["approve", "edit", "reject"]
    # when: the buyer takes 125 anvils and approves both
    edited = api.patch(f"{API}/requests/{anvils['id']}", json={"quantity": 125})
    approved = [api.post(f"{API}/requests/{sku}@MAIN/approve") for sku in ("A-1", "C-3")]
    key = {"Idempotency-Key": "replenish-monday"}
    ordered = api.post(f"{API}/purchase-orders", json={}, headers=key)
    again = api.post(f"{API}/purchase-orders", json={}, headers=key)
    # then: one draft each for ACME and BOLTCO
    assert edited.status_code == 200, edited.text
    assert (edited.json()["quantity"], edited.json()["order_quantity"]) == (125, 125)
    assert [a.status_code for a in approved] == [200, 200]
    assert ordered.status_code == 201, ordered.text
    documents = {d["supplier"]: d for d in ordered.json()["documents"]}
    assert documents["ACME"]["lines"] == [{"sku": "A-1", "quantity": 125}]
    assert documents["BOLTCO"]["lines"] == [{"sku": "C-3", "quantity": 40}]  # 37 -> packs
    assert ordered.json()["skipped"] == []
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == ordered.json()
    po = api.get(f"/api/v1/purchase-orders/{documents['ACME']['number']}").json()
    assert (po["status"], po["warehouse"]) == ("draft", "MAIN")
    done = api.get(f"{API}/requests/{anvils['id']}").json()
    assert (done["status"], done["document_number"]) == ("ordered", po["number"])
    assert api.get(f"{API}/runs").json()["items"][0]["id"] == run["id"]
    assert api.get(f"{API}/runs/{run['id']}").json()["raised"] == 2


def test_every_refusal_is_a_problem_with_a_stable_code(api, store, db):
    # given: an open request for MAIN's anvils
    anvils = {"kind": "min_max", "min_quantity": 20, "max_quantity": 100}
    assert api.put(f"{API}/policies/MAIN/A-1", json=anvils).status_code == 200
    _review(api)
    request = api.get(f"{API}/requests/A-1@MAIN").json()
    url = f"{API}/requests/{request['id']}"
    # then
    assert_problem(api.get(f"{API}/requests/nope"), 404, "replenishment_request_not_found")
    assert_problem(api.get(f"{API}/runs/nope"), 404, "replenishment_run_not_found")
    bad_policy = assert_problem(
        api.put(f"{API}/policies/MAIN/A-1", json={"kind": "min_max", "min_quantity": 5}),
        422,
        "validation_error",
    )
    assert bad_policy["errors"][0]["field"] == "max_quantity"
    assert_problem(
        api.put(f"{API}/policies/MAIN/A-1", json={"kind": "sometimes"}), 422, "validation_error"
    )
    assert_problem(
        api.put(f"{API}/policies/NOPE/A-1", json={"kind": "manual"}), 404, "warehouse_not_found"
    )
    assert_problem(api.delete(f"{API}/policies/EAST/A-1"), 404, "replenishment_policy_not_found")
    misfit = assert_problem(api.patch(url, json={"quantity": 60}), 422, "validation_error")
    assert "the next that does is 75" in misfit["detail"]
    assert_problem(api.patch(url, json={"supplier": "NOPE"}), 404, "supplier_not_found")
    assert_problem(
        api.post(f"{API}/requests", json={"warehouse": "MAIN", "sku": "A-1", "quantity": 50}),
        409,
        "replenishment_request_exists",
    )
    assert_problem(api.post(f"{url}/reject", json={"reason": " "}), 422, "validation_error")
    assert api.post(f"{url}/reject", json={"reason": "discontinued"}).status_code == 200
    assert_problem(api.post(f"{url}/approve"), 409, "invalid_transition")
    assert_problem(api.get(f"{API}/requests", params={"cursor": "x"}), 422, "invalid_cursor")
    assert_problem(api.get(f"{API}/requests", params={"status": "nope"}), 422, "validation_error")
    # and an integration reads but does not change
    integration = bearer(db, Role.INTEGRATION)
    assert api.get(f"{API}/requests", headers=integration).status_code == 200
    assert_problem(api.post(f"{API}/runs", headers=integration), 403, "forbidden")


def test_a_surplus_becomes_a_dispatched_transfer_over_http(api, store):
    # given: EAST can spare 150 anvils; MAIN needs 88
    stock_up(store.db, {("MAIN", "A-1"): 12, ("EAST", "A-1"): 300})
    for warehouse, low, high in (("MAIN", 20, 100), ("EAST", 50, 150)):
        body = {"kind": "min_max", "min_quantity": low, "max_quantity": high}
        assert api.put(f"{API}/policies/{warehouse}/A-1", json=body).status_code == 200
    _review(api)
    request = api.get(f"{API}/requests/A-1@MAIN").json()
    assert (request["kind"], request["source_warehouse"]) == ("transfer", "EAST")
    api.post(f"{API}/requests/{request['id']}/approve")
    # when
    made = api.post(f"{API}/transfers", json={"dispatch": True})
    # then
    assert made.status_code == 201, made.text
    [transfer] = made.json()["documents"]
    assert (transfer["status"], transfer["supplier"], transfer["warehouse"]) == (
        "in_transit",
        "EAST",
        "MAIN",
    )
    on_the_way = api.get("/api/v1/transfers/in-transit").json()["items"]
    assert [(t["sku"], t["quantity"]) for t in on_the_way] == [("A-1", 88)]


def test_a_request_raised_by_hand_over_http(api, store):
    # when
    raised = api.post(
        f"{API}/requests",
        json={"warehouse": "EAST", "sku": "C-3", "quantity": 20, "note": "new shelf"},
        headers={"Idempotency-Key": "clamps-east"},
    )
    # then
    assert raised.status_code == 201, raised.text
    body = raised.json()
    assert (body["reason"], body["supplier"], body["status"]) == ("manual", "BOLTCO", "open")
    assert (
        api.get(f"{API}/requests", params={"reason": "manual"}).json()["items"][0]["id"]
        == (body["id"])
    )
