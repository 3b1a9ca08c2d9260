"""Returns over HTTP: the whole cycle, problem+json codes, idempotency, permissions, and a
customer token that sees only its own returns (404 for anyone else's)."""

from __future__ import annotations

from decimal import Decimal
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

URL = "/api/v1/returns"


@pytest.fixture
def delivered(db: Database) -> tuple[Shop, Any, Any]:
    """The order tests' shop, a LOCAL courier, and two delivered orders: Bob's 3 anvils
    (invoiced on dispatch) and Ann's 2 anvils."""
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


def _ask(api: TestClient, order: str, *lines: tuple[int, int, str], **extra: Any) -> Any:
    body = {
        "order": order,
        "lines": [{"line_no": n, "quantity": q, "reason": r} for n, q, r in lines],
        **extra,
    }
    return api.post(URL, json=body)


def test_a_return_runs_its_whole_cycle_over_http_and_ends_credited(api, delivered, db):
    # given
    _shop, bobs, _anns = delivered
    created = _ask(api, bobs.number, (1, 2, "not_as_described"), comment="too heavy")
    assert created.status_code == 201, created.text
    rma = created.json()
    assert (rma["status"], rma["requested_by"], rma["warehouse"]) == ("requested", "staff", "MAIN")
    assert rma["allowed_actions"] == ["authorise", "reject", "cancel"]
    # when
    steps = [
        api.post(f"{URL}/{rma['number']}/authorise", json={"note": "fine"}),
        api.post(f"{URL}/{rma['id']}/ship", json={"carrier": "LOCAL"}),
        api.post(f"{URL}/{rma['number']}/receive", json={"lines": [{"line_no": 1, "quantity": 2}]}),
        api.post(
            f"{URL}/{rma['number']}/inspect",
            json={
                "dispositions": [
                    {"line_no": 1, "disposition": "restock", "quantity": 1},
                    {"line_no": 1, "disposition": "scrap", "quantity": 1, "note": "cracked"},
                ]
            },
        ),
        api.post(f"{URL}/{rma['number']}/resolve", json={"resolution": "credit_note"}),
    ]
    label = api.get(f"{URL}/{rma['number']}/label")
    # then
    for response in steps:
        assert response.status_code == 200, response.text
    statuses = [r.json()["status"] for r in steps]
    assert statuses == ["authorised", "in_transit", "received", "inspected", "resolved"]
    shipped = steps[1].json()
    assert shipped["carrier"] == "LOCAL"
    assert shipped["tracking_number"].startswith("LOCA-")
    assert shipped["tracking_url"].endswith(shipped["tracking_number"])
    assert (label.status_code, label.headers["content-type"]) == (200, "application/pdf")
    assert label.content.startswith(b"%PDF")
    done = api.get(f"{URL}/{rma['number']}").json()
    assert (done["resolution"], done["credited_total"], done["currency"]) == (
        "credit_note",
        "30.00",
        "EUR",
    )
    assert [(d["disposition"], d["quantity"]) for d in done["lines"][0]["dispositions"]] == [
        ("restock", 1),
        ("scrap", 1),
    ]
    assert done["credit_notes"][0].startswith("CN-")
    assert api.get("/api/v1/stock", params={"sku": "A-1"}).json()["items"][0]["on_hand"] == 6


def test_creating_a_return_with_an_idempotency_key_replays_and_refuses_another_body(api, delivered):
    # given
    _shop, bobs, _anns = delivered
    headers = {"Idempotency-Key": "rma-1"}
    body = {"order": bobs.number, "lines": [{"line_no": 1, "quantity": 1, "reason": "late"}]}
    # when
    first = api.post(URL, json=body, headers=headers)
    again = api.post(URL, json=body, headers=headers)
    other = api.post(URL, json={**body, "comment": "changed"}, headers=headers)
    # then
    assert first.status_code == 201
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    assert again.json()["number"] == first.json()["number"]
    assert_problem(other, 422, "idempotency_key_reused")
    assert len(api.get(URL).json()["items"]) == 1


def test_refusals_answer_problem_json_with_stable_codes(api, delivered):
    # given
    _shop, bobs, _anns = delivered
    # when
    too_many = _ask(api, bobs.number, (1, 4, "late"))
    bad_reason = _ask(api, bobs.number, (1, 1, "bored"))
    unknown_order = _ask(api, "SO-1999-000001", (1, 1, "late"))
    rma = _ask(api, bobs.number, (1, 1, "late")).json()
    early = api.post(f"{URL}/{rma['number']}/receive")
    no_reason = api.post(f"{URL}/{rma['number']}/reject", json={"reason": ""})
    no_label = api.get(f"{URL}/{rma['number']}/label")
    unknown = api.get(f"{URL}/RMA-1999-000001")
    # then
    body = assert_problem(too_many, 409, "return_exceeds_shipped")
    assert body["lines"][0]["returnable"] == 3
    assert_problem(bad_reason, 422, "validation_error")
    assert_problem(unknown_order, 404, "order_not_found")
    assert_problem(early, 409, "invalid_transition")
    assert_problem(no_reason, 422, "validation_error")
    assert_problem(no_label, 409, "no_return_label")
    assert_problem(unknown, 404, "return_not_found")


def test_overriding_the_window_needs_the_override_permission(api, client, delivered, db):
    # given an integration token (may write returns, may not override)
    _shop, bobs, _anns = delivered
    integration = bearer(db, Role.INTEGRATION)
    body = {
        "order": bobs.number,
        "lines": [{"line_no": 1, "quantity": 1, "reason": "late"}],
        "override_window_reason": "goodwill",
    }
    # when
    refused = client.post(URL, json=body, headers=integration)
    allowed = api.post(URL, json=body)  # admin
    # then
    assert_problem(refused, 403, "forbidden")
    assert allowed.status_code == 201  # inside the window: nothing to override, nothing kept
    assert allowed.json()["window_override_reason"] == ""


def test_a_customer_token_sees_and_acts_on_its_own_returns_only(api, client, delivered, db):
    # given Ann's and Bob's tokens, and a return of each
    shop, bobs, anns = delivered
    ann = _customer_token(db, shop.cash.id, "ann")
    bobs_rma = _ask(api, bobs.number, (1, 1, "late")).json()
    # when Ann asks for her own return, and looks at Bob's
    mine = client.post(
        URL,
        json={"order": anns.number, "lines": [{"line_no": 1, "quantity": 1, "reason": "damaged"}]},
        headers=ann,
    )
    not_her_order = client.post(
        URL,
        json={"order": bobs.number, "lines": [{"line_no": 1, "quantity": 1, "reason": "late"}]},
        headers=ann,
    )
    listed = client.get(URL, headers=ann).json()["items"]
    others = [
        client.get(f"{URL}/{bobs_rma['number']}", headers=ann),
        client.get(f"{URL}/{bobs_rma['id']}", headers=ann),
        client.post(f"{URL}/{bobs_rma['number']}/cancel", headers=ann),
        client.get(f"{URL}/{bobs_rma['number']}/label", headers=ann),
    ]
    authorise_own = client.post(f"{URL}/{mine.json()['number']}/authorise", headers=ann)
    analytics = client.get(f"{URL}/analytics", headers=ann)
    orders = client.get("/api/v1/orders", headers=ann)
    cancel_own = client.post(
        f"{URL}/{mine.json()['number']}/cancel", json={"reason": "found it"}, headers=ann
    )
    # then
    assert mine.status_code == 201, mine.text
    assert (mine.json()["requested_by"], mine.json()["allowed_actions"]) == (
        "customer",
        ["cancel"],
    )
    assert_problem(not_her_order, 404, "order_not_found")
    assert [r["number"] for r in listed] == [mine.json()["number"]]
    for response in others:
        assert_problem(response, 404, "return_not_found")
    assert_problem(authorise_own, 403, "forbidden")
    assert_problem(analytics, 403, "forbidden")
    assert_problem(orders, 403, "forbidden")
    assert (cancel_own.status_code, cancel_own.json()["status"]) == (200, "cancelled")
    assert api.get(f"{URL}/{bobs_rma['number']}").json()["status"] == "requested"


def test_lists_filter_by_status_customer_and_order_with_cursor_pagination(api, delivered):
    # given three returns
    shop, bobs, anns = delivered
    numbers = [
        _ask(api, bobs.number, (1, 1, "late")).json()["number"],
        _ask(api, bobs.number, (1, 1, "late")).json()["number"],
        _ask(api, anns.number, (1, 1, "late")).json()["number"],
    ]
    api.post(f"{URL}/{numbers[0]}/authorise")
    # when
    first = api.get(URL, params={"limit": 2}).json()
    second = api.get(URL, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    by_customer = api.get(URL, params={"customer": shop.trade.number}).json()["items"]
    by_order = api.get(URL, params={"order": anns.number}).json()["items"]
    by_status = api.get(URL, params={"status": "authorised"}).json()["items"]
    unknown = api.get(URL, params={"order": "SO-1999-000001"}).json()["items"]
    bad_cursor = api.get(URL, params={"cursor": "nope"})
    # then
    assert [r["number"] for r in first["items"] + second["items"]] == numbers[::-1]
    assert second["next_cursor"] is None
    assert [r["number"] for r in by_customer] == numbers[1::-1]
    assert [r["number"] for r in by_order] == [numbers[2]]
    assert [r["number"] for r in by_status] == [numbers[0]]
    assert unknown == []
    assert_problem(bad_cursor, 422, "invalid_cursor")


def test_an_exchange_and_the_analytics_over_http(api, delivered):
    # given
    _shop, bobs, _anns = delivered
    rma = _ask(api, bobs.number, (1, 1, "wrong_item")).json()
    for action, body in (
        ("authorise", None),
        ("receive", None),
        ("inspect", {"dispositions": [{"line_no": 1, "disposition": "restock"}]}),
    ):
        assert api.post(f"{URL}/{rma['number']}/{action}", json=body).status_code == 200
    # when
    resolved = api.post(
        f"{URL}/{rma['number']}/resolve",
        json={"resolution": "exchange", "exchange_lines": [{"sku": "A-1", "quantity": 1}]},
        headers={"Idempotency-Key": "swap-1"},
    )
    replayed = api.post(
        f"{URL}/{rma['number']}/resolve",
        json={"resolution": "exchange", "exchange_lines": [{"sku": "A-1", "quantity": 1}]},
        headers={"Idempotency-Key": "swap-1"},
    )
    analytics = api.get(f"{URL}/analytics", params={"by": "reason"})
    too_long = api.get(f"{URL}/analytics", params={"from": "2020-01-01", "to": "2026-01-01"})
    # then
    assert resolved.status_code == 200, resolved.text
    replacement = resolved.json()["replacement_order_number"]
    assert replayed.json()["replacement_order_number"] == replacement
    order = api.get(f"/api/v1/orders/{replacement}").json()
    assert (order["status"], order["total"]) == ("confirmed", "0.00")
    report = analytics.json()
    assert (report["by"], report["units_returned"], report["units_delivered"]) == ("reason", 1, 5)
    assert report["rows"] == [
        {
            "key": "wrong_item",
            "label": "",
            "returns": 1,
            "units_returned": 1,
            "units_delivered": 5,
            "return_rate": "0.2000",
        }
    ]
    assert {"from", "to"} <= report.keys()
    assert Decimal(report["return_rate"]) == Decimal("0.2")
    assert_problem(too_long, 422, "window_too_long")


def test_hostile_text_is_a_422_naming_the_field_or_a_404_and_changes_nothing(api, delivered):
    # given
    _shop, bobs, _anns = delivered
    rma = _ask(api, bobs.number, (1, 1, "late")).json()
    # when
    comment = _ask(api, bobs.number, (1, 1, "late"), comment="a\u0000b")
    note = api.post(
        URL,
        json={
            "order": bobs.number,
            "lines": [{"line_no": 1, "quantity": 1, "reason": "late", "note": "x\u001by"}],
        },
    )
    order = _ask(api, "SO-\u0000", (1, 1, "late"))
    path = api.get(f"{URL}/RMA-%00")
    authorised = api.post(f"{URL}/{rma['number']}/authorise")
    shipped = api.post(f"{URL}/{rma['number']}/ship", json={"carrier": "LO\u0000CAL"})
    # then
    assert [e["field"] for e in assert_problem(comment, 422, "validation_error")["errors"]] == [
        "comment"
    ]
    assert [e["field"] for e in assert_problem(note, 422, "validation_error")["errors"]] == [
        "lines.0.note"
    ]
    assert_problem(order, 404, "order_not_found")
    assert_problem(path, 404, "return_not_found")
    assert authorised.status_code == 200
    assert [e["field"] for e in assert_problem(shipped, 422, "validation_error")["errors"]] == [
        "carrier"
    ]
    assert len(api.get(URL).json()["items"]) == 1
