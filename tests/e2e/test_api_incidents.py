"""POST/GET /api/v1/orders/{order}/incidents over HTTP."""

from __future__ import annotations

import uuid

import pytest

from ordersmith.auth.models import Role
from tests.e2e.conftest import assert_problem, bearer
from tests.factories.fulfillment import confirm, label_and_dispatch, make_courier, pack, pick, wave
from tests.factories.kpi import ADDRESS
from tests.factories.orders import order_request, place


@pytest.fixture
def dispatched(db, shop):
    """An order of 2 x A-1 that has left the warehouse."""
    make_courier(db)
    request = order_request(uuid.UUID(shop["id"]), ("A-1", 2), shipping_address=ADDRESS)
    order = confirm(db, place(db, request))
    pick(db, wave(db))
    label_and_dispatch(db, pack(db, order).id)
    return order


def _url(order):
    return f"/api/v1/orders/{order}/incidents"


def test_damage_is_recorded_and_listed_with_the_order_line(api, dispatched):
    # when
    created = api.post(
        _url(dispatched.number),
        json={"kind": "damage", "note": "box crushed", "line_no": 1, "quantity": 1},
    )
    listed = api.get(_url(dispatched.id))
    history = api.get(f"/api/v1/orders/{dispatched.number}/history").json()
    # then
    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in ("kind", "line_no", "sku", "quantity", "document", "note")} == {
        "kind": "damage",
        "line_no": 1,
        "sku": "A-1",
        "quantity": 1,
        "document": None,
        "note": "box crushed",
    }
    assert listed.json() == [body]
    assert (history[-1]["action"], history[-1]["reason"]) == ("incident", "box crushed")


def test_a_document_correction_names_its_document(api, dispatched):
    # when
    created = api.post(
        _url(dispatched.number),
        json={"kind": "document_correction", "document": "invoice", "note": "wrong VAT number"},
        headers={"Idempotency-Key": "correction-1"},
    )
    again = api.post(
        _url(dispatched.number),
        json={"kind": "document_correction", "document": "invoice", "note": "wrong VAT number"},
        headers={"Idempotency-Key": "correction-1"},
    )
    # then
    assert created.status_code == 201, created.text
    assert (created.json()["document"], created.json()["note"]) == (
        "invoice",
        "invoice: wrong VAT number",
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get(_url(dispatched.number)).json()) == 1


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"kind": "document_correction", "note": "x"}, 422, "validation_error", "document"),
        ({"kind": "damage", "note": "x", "line_no": 9}, 422, "validation_error", "line_no"),
        (
            {"kind": "damage", "note": "x", "quantity": 3, "line_no": 1},
            422,
            "validation_error",
            "quantity",
        ),
        ({"kind": "backorder", "note": "x"}, 422, "validation_error", "kind"),
        ({"kind": "damage", "note": "x", "colour": "red"}, 422, "validation_error", "colour"),
        ({"kind": "damage", "note": "  "}, 422, "validation_error", "note"),
    ],
)
def test_bad_incidents_are_a_422_problem_naming_the_field(
    api, dispatched, body, status, code, field
):
    # when
    response = api.post(_url(dispatched.number), json=body)
    # then
    problem = assert_problem(response, status, code)
    assert field in [e["field"] for e in problem["errors"]]
    assert api.get(_url(dispatched.number)).json() == []


def test_an_unknown_order_is_404_and_damage_before_dispatch_is_409(api, db, shop):
    # given
    waiting = place(db, order_request(uuid.UUID(shop["id"]), ("A-1", 1)))
    # when
    unknown = api.post(_url("SO-1999-000001"), json={"kind": "damage", "note": "x"})
    early = api.post(_url(waiting.number), json={"kind": "damage", "note": "x"})
    # then
    assert_problem(unknown, 404, "order_not_found")
    assert_problem(early, 409, "order_not_dispatched")
    assert_problem(api.get(_url(str(uuid.uuid4()))), 404, "order_not_found")


def test_incidents_need_a_valid_token_and_an_integration_may_record_them(client, db, dispatched):
    # when (the client carries the shop's admin token: replace it)
    forged = client.post(
        _url(dispatched.number),
        json={"kind": "damage", "note": "x"},
        headers={"Authorization": "Bearer osk_nope"},
    )
    integration = client.post(
        _url(dispatched.number),
        json={"kind": "damage", "note": "x"},
        headers=bearer(db, Role.INTEGRATION),
    )
    # then
    assert_problem(forged, 401, "invalid_token")
    assert integration.status_code == 201
    assert integration.json()["actor"] == "token:test-integration"
