"""Cases over HTTP: the lifecycle, problem+json codes, filters and keyset pages, the
breach flag, idempotency, and customer tokens that see only their own cases and never
internal notes (404 for anyone else's)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.auth.services import create_token
from ordersmith.uow import Database
from tests.e2e.conftest import assert_problem, bearer
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import delivered_order
from tests.integration.conftest import Shop, make_shop

URL = "/api/v1/cases"


@pytest.fixture
def delivered(db: Database) -> tuple[Shop, Any, Any]:
    """The order tests' shop, and a delivered order each for Bob and Ann."""
    shop = make_shop(db)
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    bobs = delivered_order(db, shop.trade.id, ("A-1", 3))
    anns = delivered_order(db, shop.cash.id, ("A-1", 2))
    return shop, bobs, anns


def _customer_token(db: Database, customer_id: Any, name: str) -> dict[str, str]:
    with db.unit_of_work(actor="test") as uow:
        _info, token = create_token(uow, name=name, role=Role.CUSTOMER, customer_id=customer_id)
    return {"Authorization": f"Bearer {token}"}


def _open(api: TestClient, **body: Any) -> Any:
    return api.post(URL, json={"type": "enquiry", "subject": "Where is it?", **body})


def test_a_case_runs_its_whole_life_over_http(api, delivered):
    # given
    shop, bobs, _anns = delivered
    created = _open(
        api, customer=shop.trade.number, order=bobs.number, priority="high", description="called"
    )
    assert created.status_code == 201, created.text
    case = created.json()
    # when
    steps = [
        api.post(f"{URL}/{case['number']}/assign", json={"assignee": "Kim"}),
        api.post(f"{URL}/{case['number']}/priority", json={"priority": "urgent"}),
        api.post(
            f"{URL}/{case['id']}/notes",
            json={"body": "It comes Tuesday", "visibility": "customer", "wait": True},
        ),
        api.post(f"{URL}/{case['number']}/reopen"),
        api.post(f"{URL}/{case['number']}/resolve", json={"resolution": "delivered"}),
        api.post(f"{URL}/{case['number']}/close"),
    ]
    shown = api.get(f"{URL}/{case['number'].lower()}")
    # then
    assert (case["status"], case["opened_by"], case["sla_hours"], case["breached"]) == (
        "open",
        "staff",
        8,
        False,
    )
    assert case["order_number"] == bobs.number
    assert case["allowed_actions"] == ["wait", "resolve"]
    for response in steps:
        assert response.status_code in (200, 201), response.text
    assert [r.json()["status"] for r in steps] == [
        "open",
        "open",
        "waiting_on_customer",
        "open",
        "resolved",
        "closed",
    ]
    assert (steps[0].json()["assignee"], steps[1].json()["sla_hours"]) == ("Kim", 4)
    body = shown.json()
    assert [(n["visibility"], n["communication_id"] is not None) for n in body["notes"]] == [
        ("internal", False),
        ("customer", True),
    ]
    assert body["resolution"] == "delivered"


def test_refusals_answer_problem_json_with_stable_codes(api, delivered):
    # given
    shop, bobs, _anns = delivered
    case = _open(api, customer=shop.cash.number).json()
    # when
    bad_type = _open(api, customer=shop.cash.number, type="gossip")
    no_customer = _open(api)
    others_order = _open(api, customer=shop.cash.number, order=bobs.number)
    unknown = api.get(f"{URL}/CS-2026-999999")
    invalid = api.post(f"{URL}/{case['number']}/close")
    api.post(f"{URL}/{case['number']}/resolve", json={"resolution": "done"})
    api.post(f"{URL}/{case['number']}/close")
    closed_note = api.post(f"{URL}/{case['number']}/notes", json={"body": "hello?"})
    bad_cursor = api.get(URL, params={"cursor": "nope"})
    # then
    assert_problem(bad_type, 422, "validation_error")
    assert_problem(no_customer, 422, "validation_error")
    mismatch = assert_problem(others_order, 422, "case_link_mismatch")
    assert [e["field"] for e in mismatch["errors"]] == ["order"]
    assert_problem(unknown, 404, "case_not_found")
    body = assert_problem(invalid, 409, "invalid_transition")
    assert (body["current_status"], body["action"]) == ("open", "close")
    assert_problem(closed_note, 409, "case_closed")
    assert_problem(bad_cursor, 422, "invalid_cursor")


def test_lists_filter_page_by_keyset_and_find_breached_cases(api, delivered):
    # given three cases of Bob's, none past its due time
    shop, bobs, _anns = delivered
    numbers = [
        _open(api, customer=shop.trade.number, order=bobs.number, type=t).json()["number"]
        for t in ("enquiry", "complaint", "billing")
    ]
    # when
    first = api.get(URL, params={"customer": shop.trade.number, "limit": 2}).json()
    second = api.get(URL, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    complaints = api.get(URL, params={"type": "complaint"}).json()["items"]
    breached = api.get(URL, params={"breached": "true"}).json()["items"]
    in_time = api.get(URL, params={"breached": "false", "order": bobs.number}).json()["items"]
    # then
    assert [c["number"] for c in first["items"] + second["items"]] == numbers[::-1]
    assert second["next_cursor"] is None
    assert [c["number"] for c in complaints] == [numbers[1]]
    assert breached == []
    assert len(in_time) == 3


def test_opening_with_an_idempotency_key_replays_the_case(api, delivered):
    # given
    shop, _bobs, _anns = delivered
    headers = {"Idempotency-Key": "case-1"}
    body = {"customer": shop.cash.number, "type": "billing", "subject": "Invoice twice?"}
    # when
    first = api.post(URL, json=body, headers=headers)
    again = api.post(URL, json=body, headers=headers)
    # then
    assert first.status_code == 201
    assert (again.status_code, again.json()["number"]) == (201, first.json()["number"])
    assert len(api.get(URL).json()["items"]) == 1


def test_a_customer_token_sees_its_own_cases_without_internal_notes(api, client, delivered, db):
    # given Ann's token, and a case of Bob's
    shop, bobs, anns = delivered
    ann = _customer_token(db, shop.cash.id, "ann")
    bobs_case = _open(api, customer=shop.trade.number, order=bobs.number).json()
    # when Ann opens a case about her order, staff add an internal note and an answer
    mine = client.post(
        URL,
        json={"type": "delivery_problem", "subject": "Box dented", "order": anns.number},
        headers=ann,
    )
    number = mine.json()["number"]
    api.post(f"{URL}/{number}/notes", json={"body": "she is a regular"})
    api.post(f"{URL}/{number}/notes", json={"body": "Sorry!", "visibility": "customer"})
    her_note = client.post(
        f"{URL}/{number}/notes", json={"body": "Thanks", "visibility": "internal"}, headers=ann
    )
    shown = client.get(f"{URL}/{number}", headers=ann)
    listed = client.get(URL, headers=ann).json()["items"]
    not_her_order = client.post(
        URL, json={"type": "enquiry", "subject": "x", "order": bobs.number}, headers=ann
    )
    others = [
        client.get(f"{URL}/{bobs_case['number']}", headers=ann),
        client.get(f"{URL}/{bobs_case['id']}", headers=ann),
        client.post(f"{URL}/{bobs_case['number']}/notes", json={"body": "hi"}, headers=ann),
    ]
    resolve_own = client.post(f"{URL}/{number}/resolve", json={"resolution": "x"}, headers=ann)
    timeline = client.get(f"/api/v1/orders/{anns.number}/timeline", headers=ann)
    # then
    assert mine.status_code == 201, mine.text
    assert (mine.json()["opened_by"], mine.json()["allowed_actions"]) == ("customer", [])
    assert her_note.status_code == 201, her_note.text
    notes = shown.json()["notes"]
    assert [(n["body"], n["visibility"]) for n in notes] == [
        ("Sorry!", "customer"),
        ("Thanks", "customer"),
    ]
    assert shown.json()["note_count"] == 2
    assert [c["number"] for c in listed] == [number]
    assert_problem(not_her_order, 404, "order_not_found")
    for response in others:
        assert_problem(response, 404, "case_not_found")
    assert_problem(resolve_own, 403, "forbidden")
    assert_problem(timeline, 403, "forbidden")


def test_an_integration_token_reads_cases_and_a_bad_token_is_refused(client, db, delivered):
    # given
    headers = bearer(db, Role.INTEGRATION)
    # when
    listed = client.get(URL, headers=headers)
    unauthenticated = client.get(URL, headers={"Authorization": "Bearer nope"})
    # then
    assert listed.status_code == 200
    assert unauthenticated.status_code == 401
