"""The order API over HTTP: the minimal contract, errors as problem+json, roles, idempotency."""

from __future__ import annotations

import base64

import pytest

from ordersmith.auth.models import Role
from ordersmith.web.pagination import encode_cursor
from tests.e2e.conftest import bearer

PROBLEM = "application/problem+json"


def _order(customer, quantity=2, **extra):
    return {
        "customer_id": customer["id"],
        "channel": "phone",
        "lines": [{"sku": "A-1", "quantity": quantity}],
        **extra,
    }


def _stock(api):
    body = api.get("/api/v1/stock", params={"sku": "A-1"}).json()
    return [(r["warehouse"], r["on_hand"], r["reserved"], r["available"]) for r in body["items"]]


@pytest.mark.parametrize("channel", ["web", "phone", "in_person", "api", "marketplace", "import"])
def test_an_order_placed_on_any_channel_is_reserved_at_once_and_in_the_customers_history(
    api, shop, channel
):
    # when
    response = api.post("/api/v1/orders", json=_order(shop, channel=channel))
    # then
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "placed"
    assert order["number"].startswith("SO-")
    assert order["total"] == "25.00"
    assert _stock(api) == [("MAIN", 10, 2, 8)]
    history = api.get(f"/api/v1/customers/{shop['id']}/history").json()
    assert history["order_count"] == 1
    assert history["recent_orders"][0]["id"] == order["id"]


def test_get_answers_the_order_by_id_and_by_number(api, shop):
    order = api.post("/api/v1/orders", json=_order(shop)).json()
    assert api.get(f"/api/v1/orders/{order['id']}").json()["number"] == order["number"]
    assert api.get(f"/api/v1/orders/{order['number']}").json()["id"] == order["id"]


def test_insufficient_stock_is_a_409_problem_and_changes_nothing(api, shop):
    # when
    response = api.post("/api/v1/orders", json=_order(shop, quantity=11))
    # then
    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["code"] == "insufficient_stock"
    assert problem["shortages"] == [{"sku": "A-1", "requested": 11, "available": 10}]
    assert _stock(api) == [("MAIN", 10, 0, 10)]


def test_the_backorder_policy_accepts_what_cannot_be_reserved(api, shop):
    order = api.post(
        "/api/v1/orders", json=_order(shop, quantity=12, backorder_policy="backorder")
    ).json()
    assert order["backordered"] is True
    assert order["lines"][0]["backordered_quantity"] == 2


def test_cancel_releases_the_stock(api, shop):
    # given
    order = api.post("/api/v1/orders", json=_order(shop)).json()
    # when
    response = api.post(f"/api/v1/orders/{order['id']}/cancel")
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert _stock(api) == [("MAIN", 10, 0, 10)]


def test_confirm_hold_and_release_follow_the_state_machine(api, shop):
    order = api.post("/api/v1/orders", json=_order(shop)).json()
    assert api.post(f"/api/v1/orders/{order['id']}/confirm").json()["status"] == "confirmed"
    held = api.post(
        f"/api/v1/orders/{order['id']}/hold", json={"reason": "manual", "note": "check"}
    )
    assert held.json()["hold_reason"] == "manual"
    released = api.post(f"/api/v1/orders/{order['id']}/release", json={"note": "checked"})
    assert released.json()["status"] == "confirmed"
    history = api.get(f"/api/v1/orders/{order['id']}/history").json()
    assert [h["action"] for h in history] == ["place", "confirm", "allocate", "hold", "release"]


def test_an_action_the_state_machine_forbids_is_a_409_with_a_stable_code(api, shop):
    order = api.post("/api/v1/orders", json=_order(shop)).json()
    api.post(f"/api/v1/orders/{order['id']}/cancel")
    response = api.post(f"/api/v1/orders/{order['id']}/confirm")
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "invalid_transition"
    assert problem["status"] == 409  # extensions never overwrite RFC 9457 members
    assert problem["current_status"] == "cancelled"


def test_the_list_filters_and_pages_with_a_cursor(api, shop):
    # given
    ids = [
        api.post("/api/v1/orders", json=_order(shop, quantity=1, external_ref=f"R{i}")).json()["id"]
        for i in range(5)
    ]
    api.post(f"/api/v1/orders/{ids[0]}/cancel")
    # when
    first = api.get("/api/v1/orders", params={"limit": 2}).json()
    second = api.get("/api/v1/orders", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    cancelled = api.get("/api/v1/orders", params={"status": "cancelled"}).json()
    by_sku = api.get("/api/v1/orders", params={"sku": "A-1", "channel": "phone"}).json()
    by_ref = api.get("/api/v1/orders", params={"external_ref": "R3"}).json()
    # then
    assert [o["id"] for o in first["items"] + second["items"]] == ids[::-1][:4]
    assert [o["id"] for o in cancelled["items"]] == [ids[0]]
    assert len(by_sku["items"]) == 5
    assert [o["id"] for o in by_ref["items"]] == [ids[3]]


def test_an_idempotency_key_replays_the_first_response_and_refuses_another_body(api, shop):
    # given
    headers = {"Idempotency-Key": "order-77"}
    first = api.post("/api/v1/orders", json=_order(shop), headers=headers)
    # when
    again = api.post("/api/v1/orders", json=_order(shop), headers=headers)
    other = api.post("/api/v1/orders", json=_order(shop, quantity=3), headers=headers)
    # then
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert len(api.get("/api/v1/orders").json()["items"]) == 1


def test_a_failed_request_frees_its_idempotency_key_for_a_retry(api, shop):
    headers = {"Idempotency-Key": "retry-me"}
    assert (
        api.post("/api/v1/orders", json=_order(shop, quantity=50), headers=headers).status_code
        == 409
    )
    api.post("/api/v1/stock/receipts", json={"warehouse": "MAIN", "sku": "A-1", "quantity": 40})
    assert (
        api.post("/api/v1/orders", json=_order(shop, quantity=50), headers=headers).status_code
        == 201
    )


def test_a_duplicate_external_ref_on_a_channel_is_a_409(api, shop):
    api.post("/api/v1/orders", json=_order(shop, external_ref="WEB-9"))
    response = api.post("/api/v1/orders", json=_order(shop, external_ref="WEB-9"))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_external_ref"


@pytest.mark.parametrize(
    ("body_change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "A-1", "quantity": 0}]}, "lines.0.quantity"),
        ({"channel": "fax"}, "channel"),
        ({"shipping_amount": 1.5}, "shipping_amount"),
        ({"surprise": 1}, "surprise"),
        ({"customer_id": "not-a-uuid"}, "customer_id"),
    ],
)
def test_bad_input_is_a_422_problem_naming_the_field(api, shop, body_change, field):
    response = api.post("/api/v1/orders", json={**_order(shop), **body_change})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert field in [e["field"] for e in problem["errors"]]


def test_an_unknown_sku_or_customer_is_a_clear_error(api, shop):
    unknown_sku = api.post(
        "/api/v1/orders", json={**_order(shop), "lines": [{"sku": "X", "quantity": 1}]}
    )
    assert unknown_sku.status_code == 422
    assert unknown_sku.json()["code"] == "unknown_sku"
    unknown_customer = api.post(
        "/api/v1/orders",
        json={**_order(shop), "customer_id": "01890000-0000-7000-8000-000000000000"},
    )
    assert unknown_customer.status_code == 404
    assert unknown_customer.json()["code"] == "customer_not_found"


def test_an_unknown_order_is_404_and_a_bad_cursor_is_422(api, shop):
    assert api.get("/api/v1/orders/SO-1999-000001").json()["code"] == "order_not_found"
    assert (
        api.get("/api/v1/orders", params={"cursor": "garbage"}).json()["code"] == "invalid_cursor"
    )


def test_without_a_token_the_api_answers_401_problem(client, db):
    response = client.get("/api/v1/orders")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "unauthorized"
    bad = client.get("/api/v1/orders", headers={"Authorization": "Bearer osk_nope"})
    assert bad.json()["code"] == "invalid_token"


def test_an_integration_token_may_order_but_not_receive_stock(client, db, shop):
    headers = bearer(db, Role.INTEGRATION)
    assert client.post("/api/v1/orders", json=_order(shop), headers=headers).status_code == 201
    response = client.post(
        "/api/v1/stock/receipts",
        json={"warehouse": "MAIN", "sku": "A-1", "quantity": 1},
        headers=headers,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_a_revoked_token_is_refused(client, db):
    from ordersmith.auth.services import revoke_token

    headers = bearer(db, Role.STAFF, name="temp")
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    with db.unit_of_work(actor="t") as uow:
        revoke_token(uow, token_id_or_prefix=headers["Authorization"].removeprefix("Bearer ")[:10])
    assert client.get("/api/v1/orders", headers=headers).status_code == 401


def test_openapi_describes_every_route(client):
    spec = client.get("/openapi.json").json()
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{order}/cancel",
        "/api/v1/stock",
        "/api/v1/stock/receipts",
        "/api/v1/warehouses",
        "/api/v1/products",
        "/api/v1/customers",
    ]:
        assert path in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_a_draft_is_saved_without_reserving_and_placed_later(api, shop):
    # given
    draft = api.post("/api/v1/orders", json=_order(shop, draft=True)).json()
    assert draft["status"] == "draft"
    assert _stock(api) == [("MAIN", 10, 0, 10)]
    # when
    placed = api.post(f"/api/v1/orders/{draft['number']}/place")
    # then
    assert placed.status_code == 200
    assert placed.json()["status"] == "placed"
    assert _stock(api) == [("MAIN", 10, 2, 8)]


def test_a_date_filter_without_a_time_zone_is_read_as_utc(api, shop):
    api.post("/api/v1/orders", json=_order(shop))
    response = api.get("/api/v1/orders", params={"created_from": "2000-01-01T00:00:00"})
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


def test_a_forged_cursor_without_a_time_zone_is_refused_not_a_500(api, shop):
    forged = encode_cursor(["2026-01-01T00:00:00", "01890000-0000-7000-8000-000000000000"])
    response = api.get("/api/v1/orders", params={"cursor": forged})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"


def test_a_nul_character_in_a_filter_finds_nothing_on_both_databases(api, shop):
    # when
    response = api.get("/api/v1/orders", params={"sku": "A\x00B"})
    # then
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_customer_history_is_found_by_number_too(api, shop):
    api.post("/api/v1/orders", json=_order(shop))
    history = api.get(f"/api/v1/customers/{shop['number']}/history")
    assert history.status_code == 200
    assert history.json()["order_count"] == 1
    assert api.get("/api/v1/customers/CUST-999999/history").json()["code"] == "customer_not_found"


@pytest.mark.parametrize(
    "params",
    [
        {"created_from": "0001-01-01T00:00:00+05:00"},
        {"created_to": "9999-12-31T23:59:59-05:00"},
        {
            "cursor": encode_cursor(
                ["0001-01-01T00:00:00+05:00", "01a22298-f6ab-701d-b671-5f6073d062a3"]
            )
        },
        {"cursor": "W" * 5000},
    ],
)
def test_dates_and_cursors_at_the_edge_of_the_calendar_are_422s_not_500s(api, shop, params):
    response = api.get("/api/v1/orders", params=params)
    assert response.status_code == 422


def test_a_deeply_nested_cursor_is_refused_on_every_list(api, shop):
    nested = base64.urlsafe_b64encode(b"[" * 300 + b"]" * 300).decode().rstrip("=")
    for path in (
        "/api/v1/orders",
        "/api/v1/stock",
        "/api/v1/stock/movements",
        "/api/v1/customers",
        "/api/v1/products",
        "/api/v1/price-lists",
    ):
        response = api.get(path, params={"cursor": nested})
        assert response.status_code == 422, path
