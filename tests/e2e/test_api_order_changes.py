"""Order changes over HTTP (ADR 0020): a change set, its versions, split and merge,
problem+json codes, idempotency and the permission."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from ordersmith.auth.models import Role
from ordersmith.auth.services import create_token
from ordersmith.uow import Database
from tests.e2e.conftest import assert_problem
from tests.factories.fulfillment import confirm, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop, make_shop

URL = "/api/v1/orders"


@pytest.fixture
def shop(db: Database) -> Shop:
    shop = make_shop(db)
    stock_up(db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 20})
    return shop


def _order(shop: Shop, *lines: tuple[str, int]) -> Any:
    return place(shop.db, order_request(shop.cash.id, *lines))


def test_a_change_set_is_applied_versioned_and_listed(api, shop):
    # given
    order = _order(shop, ("A-1", 2), ("B-2", 5))
    body = {
        "reason": "customer called",
        "quantities": [{"line_no": 1, "quantity": 3}],
        "add_lines": [{"sku": "SVC", "quantity": 1}],
        "cancel_lines": [2],
        "notes": "gift wrap",
        "expected_version": 1,
    }
    # when
    changed = api.post(f"{URL}/{order.number}/changes", json=body)
    listed = api.get(f"{URL}/{order.id}/changes")
    # then
    assert changed.status_code == 200, changed.text
    out = changed.json()
    assert out["version"] == 2
    assert [(line["sku"], line["quantity"]) for line in out["lines"]] == [
        ("A-1", 3),
        ("B-2", 0),
        ("SVC", 1),
    ]
    assert listed.status_code == 200
    versions = listed.json()["items"]
    assert [(v["version"], v["kind"], v["reason"]) for v in versions] == [
        (2, "lines+notes", "customer called")
    ]
    assert versions[0]["before"]["lines"][1]["quantity"] == 5
    assert versions[0]["after"]["lines"][1]["quantity"] == 0


def test_the_changes_list_is_keyset_paginated(api, shop):
    # given
    order = _order(shop, ("A-1", 1))
    for note in ("one", "two", "three"):
        assert (
            api.post(
                f"{URL}/{order.number}/changes", json={"reason": "r", "notes": note}
            ).status_code
            == 200
        )
    # when
    first = api.get(f"{URL}/{order.number}/changes", params={"limit": 2}).json()
    second = api.get(
        f"{URL}/{order.number}/changes", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    # then
    assert [c["version"] for c in first["items"]] == [4, 3]
    assert [c["version"] for c in second["items"]] == [2]
    assert second["next_cursor"] is None


def test_refusals_are_problems_with_stable_codes_and_change_nothing(api, shop):
    # given
    order = _order(shop, ("A-1", 2))
    # when / then
    assert_problem(
        api.post(
            f"{URL}/{order.number}/changes",
            json={"reason": "more", "quantities": [{"line_no": 1, "quantity": 50}]},
        ),
        409,
        "insufficient_stock",
    )
    assert_problem(
        api.post(
            f"{URL}/{order.number}/changes",
            json={"reason": "x", "notes": "n", "expected_version": 7},
        ),
        409,
        "order_version_conflict",
    )
    assert_problem(
        api.post(f"{URL}/{order.number}/changes", json={"reason": "nothing"}),
        422,
        "validation_error",
    )
    confirm(shop.db, order)
    wave(shop.db, "MAIN")
    picked = assert_problem(
        api.post(
            f"{URL}/{order.number}/changes",
            json={"reason": "more", "quantities": [{"line_no": 1, "quantity": 3}]},
        ),
        409,
        "order_picking_started",
    )
    assert picked["picked"][0]["line_no"] == 1
    after = api.get(f"{URL}/{order.number}").json()
    assert (after["version"], after["lines"][0]["quantity"]) == (1, 2)


def test_split_and_merge_over_http_with_an_idempotency_key(api, shop):
    # given
    order = _order(shop, ("A-1", 3))
    split_body = {"moves": [{"line_no": 1, "quantity": 1}], "reason": "two parcels"}
    headers = {"Idempotency-Key": "split-1"}
    # when
    split = api.post(f"{URL}/{order.number}/split", json=split_body, headers=headers)
    again = api.post(f"{URL}/{order.number}/split", json=split_body, headers=headers)
    new_number = split.json()["new_order"]["number"]
    merged = api.post(
        f"{URL}/{order.number}/merge", json={"other": new_number, "reason": "one parcel"}
    )
    # then
    assert split.status_code == 201, split.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["new_order"]["number"] == new_number
    assert merged.status_code == 200, merged.text
    assert [(line["sku"], line["quantity"]) for line in merged.json()["lines"]] == [
        ("A-1", 2),
        ("A-1", 1),
    ]
    assert api.get(f"{URL}/{new_number}").json()["status"] == "cancelled"


def test_changing_an_order_needs_the_orders_change_permission(client, db, shop):
    # given
    order = _order(shop, ("A-1", 1))
    with db.unit_of_work(actor="test") as uow:
        _info, token = create_token(uow, name="ann", role=Role.CUSTOMER, customer_id=shop.cash.id)
    client.headers.update({"Authorization": f"Bearer {token}"})
    # when
    response = client.post(f"{URL}/{order.number}/changes", json={"reason": "x", "notes": "y"})
    # then
    assert response.status_code == 403, response.text


@pytest.mark.parametrize("version", ["²", "\u0661\u0662", "9" * 30, "-1", "0", "1.5", ""])
def test_a_changes_cursor_this_api_did_not_make_answers_422(api, shop, version):
    # given a cursor holding something other than a version
    order = _order(shop, ("A-1", 1))
    cursor = base64.urlsafe_b64encode(json.dumps([version]).encode()).decode().rstrip("=")
    # when
    response = api.get(f"{URL}/{order.number}/changes", params={"cursor": cursor})
    # then: the code every list answers a bad cursor with
    assert_problem(response, 422, "invalid_cursor")


def test_a_line_named_twice_in_one_change_answers_422_and_changes_nothing(api, shop):
    # given
    order = _order(shop, ("A-1", 2), ("B-2", 1))
    body = {
        "reason": "x",
        "quantities": [{"line_no": 1, "quantity": 3}, {"line_no": 1, "quantity": 1}],
    }
    # when
    response = api.post(f"{URL}/{order.number}/changes", json=body)
    # then
    problem = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in problem["errors"]] == ["quantities.1.line_no"]
    after = api.get(f"{URL}/{order.number}").json()
    assert (after["version"], after["lines"][0]["quantity"]) == (1, 2)
