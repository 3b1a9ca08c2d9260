"""Purchasing over HTTP: suppliers, purchase orders from draft to closed, receipts that
allocate backorders, the PDF, scorecards, what is on order, and every refusal as a
problem document."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from ordersmith.auth.models import Role
from tests.e2e.conftest import assert_problem, bearer

API = "/api/v1"
ACME = {
    "code": "ACME",
    "name": "Acme Anvils GmbH",
    "email": "orders@acme.example",
    "contact_name": "Sam Seller",
    "payment_terms_days": 45,
    "address": {"line1": "Werkstr. 5", "city": "Bremen", "postcode": "28195", "country": "DE"},
}
ANVILS = {"sku": "A-1", "unit_cost": "6.00", "lead_time_days": 7, "supplier_sku": "ACME-1"}
NEW_PO = {"supplier": "ACME", "warehouse": "MAIN", "lines": [{"sku": "A-1", "quantity": 1}]}
BAD = "validation_error"


def _po_with(**changes: Any) -> dict[str, Any]:
    """NEW_PO with header fields changed, or its line's (``line_<field>=``)."""
    line = {k.removeprefix("line_"): v for k, v in changes.items() if k.startswith("line_")}
    head = {k: v for k, v in changes.items() if not k.startswith("line_")}
    return {**NEW_PO, **head, "lines": [{**NEW_PO["lines"][0], **line}]}


@pytest.fixture
def acme(api: TestClient, shop: dict[str, Any]) -> dict[str, Any]:
    """Through the API: ACME supplies A-1 (the shop's anvil, 10 in stock at MAIN)."""
    created = api.post(f"{API}/suppliers", json=ACME)
    assert created.status_code == 201, created.text
    product = api.post(f"{API}/suppliers/ACME/products", json=ANVILS)
    assert product.status_code == 201, product.text
    return dict(created.json())


def _po(api: TestClient, quantity: int = 24, **extra: Any) -> dict[str, Any]:
    body = {
        "supplier": "ACME",
        "warehouse": "MAIN",
        "lines": [{"sku": "A-1", "quantity": quantity}],
    }
    created = api.post(f"{API}/purchase-orders", json={**body, **extra})
    assert created.status_code == 201, created.text
    return dict(created.json())


def _sent(api: TestClient, quantity: int = 24) -> dict[str, Any]:
    po = _po(api, quantity)
    assert api.post(f"{API}/purchase-orders/{po['number']}/approve").status_code == 200
    sent = api.post(f"{API}/purchase-orders/{po['number']}/send", json={"email": False})
    assert sent.status_code == 200, sent.text
    return dict(sent.json())


def test_a_buyer_orders_from_a_supplier_and_goods_in_receives_it_over_http(api, acme, shop):
    # given: Ann waits for 12 anvils (10 in stock, backordered 2... after this order of 12)
    order = api.post(
        f"{API}/orders",
        json={
            "customer_id": shop["id"],
            "channel": "phone",
            "lines": [{"sku": "A-1", "quantity": 12}],
            "backorder_policy": "backorder",
        },
    )
    assert order.status_code == 201, order.text
    confirmed = api.post(f"{API}/orders/{order.json()['number']}/confirm")
    assert confirmed.json()["fulfilment_status"] == "backordered"
    # when: a purchase order of 24 is drafted, corrected, approved, sent and received
    po = _po(api, 20, notes="Ring the bell at gate 2")
    edited = api.put(
        f"{API}/purchase-orders/{po['number']}/lines",
        json={"lines": [{"sku": "A-1", "quantity": 24, "unit_cost": "5.90"}]},
    )
    approved = api.post(f"{API}/purchase-orders/{po['id']}/approve")
    sent = api.post(f"{API}/purchase-orders/{po['number']}/send")
    part = api.post(
        f"{API}/purchase-orders/{po['number']}/receive",
        json={
            "lines": [{"line_no": 1, "quantity": 10, "unit_cost": "5.95"}],
            "delivery_note": "DN-1",
        },
    )
    # then
    assert (edited.json()["total"], edited.json()["lines"][0]["unit_cost"]) == ("141.60", "5.90")
    assert (approved.json()["status"], sent.json()["status"]) == ("approved", "sent")
    body = part.json()
    assert part.status_code == 200, part.text
    assert (body["status"], body["open_quantity"]) == ("partially_received", 14)
    assert body["receipts"][0]["lines"] == [
        {"line_no": 1, "sku": "A-1", "quantity": 10, "invoiced_unit_cost": "5.95"}
    ]
    assert body["allowed_actions"] == ["receive", "close"]
    waiting = api.get(f"{API}/orders/{order.json()['number']}").json()
    assert (waiting["fulfilment_status"], waiting["lines"][0]["backordered_quantity"]) == (
        "allocated",
        0,
    )
    stock = api.get(f"{API}/stock", params={"sku": "A-1", "warehouse": "MAIN"}).json()["items"][0]
    assert (stock["on_hand"], stock["reserved"]) == (20, 12)
    on_order = api.get(f"{API}/on-order", params={"sku": "A-1"}).json()["items"]
    assert [(r["warehouse"], r["quantity"]) for r in on_order] == [("MAIN", 14)]
    # when: the rest is not coming
    closed = api.post(
        f"{API}/purchase-orders/{po['number']}/close", json={"reason": "discontinued"}
    )
    # then
    assert (closed.json()["status"], closed.json()["close_reason"]) == ("closed", "discontinued")
    assert api.get(f"{API}/on-order").json()["items"] == []
    card = api.get(f"{API}/suppliers/ACME/scorecard").json()
    assert (card["fill_rate"], card["received_quantity"], card["ordered_quantity"]) == (
        "0.4167",
        10,
        24,
    )
    detail = api.get(f"{API}/suppliers/acme").json()
    assert [p["sku"] for p in detail["products"]] == ["A-1"]
    assert detail["scorecard"]["receipt_lines"] == 1
    messages = api.get(f"{API}/communications", params={"supplier_id": acme["id"]}).json()
    assert messages["items"] == []  # queued by the worker, which has not run


def test_creating_a_purchase_order_with_an_idempotency_key_happens_once(api, acme):
    # given
    body = {"supplier": "ACME", "warehouse": "MAIN", "lines": [{"sku": "A-1", "quantity": 5}]}
    key = {"Idempotency-Key": "po-ACME-1"}
    # when
    first = api.post(f"{API}/purchase-orders", json=body, headers=key)
    again = api.post(f"{API}/purchase-orders", json=body, headers=key)
    other = api.post(f"{API}/purchase-orders", json={**body, "notes": "x"}, headers=key)
    # then
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(other, 422, "idempotency_key_reused")
    assert len(api.get(f"{API}/purchase-orders").json()["items"]) == 1


def test_a_retried_receipt_with_the_same_key_is_recorded_once(api, acme):
    # given
    po = _sent(api, 10)
    receipt = {"lines": [{"line_no": 1, "quantity": 4}]}
    key = {"Idempotency-Key": "dn-4711"}
    url = f"{API}/purchase-orders/{po['number']}/receive"
    # when
    first = api.post(url, json=receipt, headers=key)
    again = api.post(url, json=receipt, headers=key)
    # then
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    now = api.get(f"{API}/purchase-orders/{po['number']}").json()
    assert (len(now["receipts"]), now["lines"][0]["received_quantity"]) == (1, 4)
    stock = api.get(f"{API}/stock", params={"sku": "A-1"}).json()["items"][0]
    assert stock["on_hand"] == 14


def test_the_purchase_order_pdf_names_the_order_and_its_lines(api, acme):
    # given
    po = _po(api, 24)
    # when
    response = api.get(f"{API}/purchase-orders/{po['number']}/pdf")
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="{po["number"]}.pdf"' in response.headers["content-disposition"]
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert po["number"] in text
    assert "1 A-1 ACME-1 Anvil 24 6.00 144.00" in text


def test_lists_are_filtered_and_paged_by_cursor(api, acme):
    # given
    first, second = _po(api, 1), _sent(api, 2)
    assert api.post(f"{API}/suppliers", json={"code": "ZED", "name": "Zed"}).status_code == 201
    # when
    page = api.get(f"{API}/purchase-orders", params={"limit": 1})
    rest = api.get(
        f"{API}/purchase-orders", params={"limit": 1, "cursor": page.json()["next_cursor"]}
    )
    drafts = api.get(f"{API}/purchase-orders", params={"status": "draft", "supplier": "acme"})
    at_main = api.get(f"{API}/purchase-orders", params={"warehouse": "MAIN"})
    suppliers = api.get(f"{API}/suppliers", params={"limit": 1})
    more = api.get(f"{API}/suppliers", params={"cursor": suppliers.json()["next_cursor"]})
    # then
    assert [p["number"] for p in page.json()["items"]] == [second["number"]]
    assert [p["number"] for p in rest.json()["items"]] == [first["number"]]
    assert rest.json()["next_cursor"] is None
    assert [p["number"] for p in drafts.json()["items"]] == [first["number"]]
    assert len(at_main.json()["items"]) == 2
    assert [s["code"] for s in suppliers.json()["items"]] == ["ACME"]
    assert [s["code"] for s in more.json()["items"]] == ["ZED"]


def test_suppliers_and_their_products_are_changed_with_patch(api, acme):
    # when
    supplier = api.patch(f"{API}/suppliers/ACME", json={"phone": "+49 421 1", "address": None})
    product = api.patch(
        f"{API}/suppliers/ACME/products/A-1", json={"unit_cost": "6.25", "preferred": True}
    )
    listed = api.get(f"{API}/suppliers/ACME/products")
    # then
    assert supplier.status_code == 200, supplier.text
    assert (supplier.json()["phone"], supplier.json()["address"]) == ("+49 421 1", {})
    assert (product.json()["unit_cost"], product.json()["preferred"]) == ("6.25", True)
    assert [p["unit_cost"] for p in listed.json()] == ["6.25"]


def test_roles_decide_who_may_read_write_and_approve(client, db, api, acme):
    # given
    po = _po(api, 3)
    integration = bearer(db, Role.INTEGRATION)
    staff = bearer(db, Role.STAFF)
    # when / then: an integration reads, and nothing more
    assert client.get(f"{API}/suppliers", headers=integration).status_code == 200
    assert client.get(f"{API}/on-order", headers=integration).status_code == 200
    assert_problem(
        client.post(f"{API}/suppliers", json=ACME, headers=integration), 403, "forbidden"
    )
    assert_problem(
        client.post(f"{API}/purchase-orders/{po['number']}/approve", headers=integration),
        403,
        "forbidden",
    )
    approved = client.post(f"{API}/purchase-orders/{po['number']}/approve", headers=staff)
    assert approved.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("post", "/suppliers", {**ACME}, 409, "supplier_exists"),
        ("post", "/suppliers", {"code": "a b", "name": ""}, 422, "validation_error"),
        ("post", "/suppliers", {"code": "X", "name": "X", "email": "nope"}, 422, BAD),
        ("post", "/suppliers", {"code": "X", "name": "X\x00"}, 422, "validation_error"),
        ("post", "/suppliers", {"code": "X", "name": "X", "colour": "red"}, 422, BAD),
        ("get", "/suppliers/NOPE", None, 404, "supplier_not_found"),
        ("get", "/suppliers/NOPE/scorecard", None, 404, "supplier_not_found"),
        ("post", "/suppliers/ACME/products", ANVILS, 409, "supplier_product_exists"),
        ("post", "/suppliers/ACME/products", {**ANVILS, "sku": "NOPE"}, 404, "product_not_found"),
        ("post", "/suppliers/ACME/products", {**ANVILS, "unit_cost": 6.5}, 422, "validation_error"),
        ("patch", "/suppliers/ACME/products/B-2", {"lead_time_days": 1}, 404,
         "supplier_product_not_found"),
        ("patch", "/suppliers/ACME", {"currency": "USD"}, 409, "supplier_currency_locked"),
        ("post", "/purchase-orders", _po_with(supplier="NOPE"), 404, "supplier_not_found"),
        ("post", "/purchase-orders", _po_with(warehouse="NOPE"), 404, "warehouse_not_found"),
        ("post", "/purchase-orders", _po_with(line_sku="B-9"), 409, "product_not_supplied"),
        ("post", "/purchase-orders", {**NEW_PO, "lines": []}, 422, BAD),
        ("post", "/purchase-orders", _po_with(line_unit_cost="1.23456"), 422, BAD),
        ("post", "/purchase-orders", _po_with(line_unit_cost=1.5), 422, BAD),
        ("post", "/purchase-orders", _po_with(line_quantity=0), 422, BAD),
        ("post", "/purchase-orders", _po_with(line_expected_date="soon"), 422, BAD),
        ("post", "/purchase-orders", _po_with(line_expected_date="2099-01-01"), 422, BAD),
        ("get", "/purchase-orders/PO-2026-999999", None, 404, "purchase_order_not_found"),
        ("get", "/purchase-orders/PO-2026-999999/pdf", None, 404, "purchase_order_not_found"),
        ("post", "/purchase-orders/PO-2026-999999/approve", None, 404, "purchase_order_not_found"),
        ("get", "/purchase-orders?status=lost", None, 422, "validation_error"),
        ("get", "/purchase-orders?cursor=bogus", None, 422, "invalid_cursor"),
        ("get", "/purchase-orders?supplier=NOPE", None, 404, "supplier_not_found"),
        ("get", "/on-order?sku=NOPE", None, 404, "product_not_found"),
        ("get", "/suppliers?cursor=%00", None, 422, "invalid_cursor"),
    ],
)  # fmt: skip
def test_bad_requests_are_problems_with_stable_codes_and_change_nothing(
    api, acme, method, path, body, status, code
):
    # when
    response = getattr(api, method)(f"{API}{path}", **({"json": body} if body is not None else {}))
    # then
    assert_problem(response, status, code)
    assert api.get(f"{API}/purchase-orders").json()["items"] == []


@pytest.mark.parametrize(
    ("stage", "action", "body", "status", "code"),
    [
        ("draft", "send", None, 409, "invalid_transition"),
        ("draft", "receive", None, 409, "invalid_transition"),
        ("approved", "approve", None, 409, "invalid_transition"),
        ("sent", "close", {"reason": "x"}, 409, "invalid_transition"),
        ("sent", "receive", {"lines": [{"line_no": 1, "quantity": 11}]}, 409, "over_receipt"),
        ("sent", "receive", {"lines": [{"line_no": 2, "quantity": 1}]}, 422, "validation_error"),
        ("sent", "receive", {"lines": [{"line_no": 1, "quantity": 1.5}]}, 422, "validation_error"),
        ("received", "cancel", None, 409, "invalid_transition"),
        ("partly", "close", None, 422, "validation_error"),
        ("received", "receive", None, 409, "nothing_to_receive"),
        ("sent", "lines", {"lines": [{"sku": "A-1", "quantity": 1}]}, 409, "invalid_transition"),
    ],
)
def test_actions_out_of_turn_are_refused_as_problems(api, acme, stage, action, body, status, code):
    # given
    po = _po(api, 10) if stage == "draft" else _sent(api, 10)
    url = f"{API}/purchase-orders/{po['number']}"
    if stage == "approved":
        po = _po(api, 10)
        url = f"{API}/purchase-orders/{po['number']}"
        api.post(f"{url}/approve")
    if stage in ("received", "partly"):
        quantity = 10 if stage == "received" else 4
        api.post(f"{url}/receive", json={"lines": [{"line_no": 1, "quantity": quantity}]})
    before = api.get(url).json()
    # when
    if action == "lines":
        response = api.put(f"{url}/lines", json=body)
    else:
        response = api.post(f"{url}/{action}", **({"json": body} if body is not None else {}))
    # then
    problem = assert_problem(response, status, code)
    if code == "over_receipt":
        assert problem["lines"] == [
            {"line_no": 1, "sku": "A-1", "ordered": 10, "received": 0, "receivable": 10}
        ]
    assert api.get(url).json() == before


def test_sending_to_a_supplier_without_email_is_refused_unless_sent_otherwise(api, shop):
    # given
    assert api.post(f"{API}/suppliers", json={"code": "MUTE", "name": "Mute"}).status_code == 201
    api.post(f"{API}/suppliers/MUTE/products", json=ANVILS)
    po = api.post(
        f"{API}/purchase-orders",
        json={"supplier": "MUTE", "warehouse": "MAIN", "lines": [{"sku": "A-1", "quantity": 1}]},
    ).json()
    api.post(f"{API}/purchase-orders/{po['number']}/approve")
    # when
    refused = api.post(f"{API}/purchase-orders/{po['number']}/send")
    sent = api.post(f"{API}/purchase-orders/{po['number']}/send", json={"email": False})
    # then
    assert_problem(refused, 409, "supplier_has_no_email")
    assert sent.json()["status"] == "sent"
