"""Payment providers' webhooks over HTTP: signed, fresh, and each event recorded once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.shipping.signing import signature_headers
from ordersmith.uow import Database
from ordersmith.web.app import create_app
from tests.conftest import make_settings
from tests.e2e.conftest import assert_problem, bearer
from tests.factories.billing import assert_books_clean

API = "/api/v1"
PROVIDER = "acmepay"


def _post(client, db, event: dict[str, Any] | bytes, *, message_id="msg_1", at=None, secret=None):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    headers = signature_headers(
        secret or db.settings.effective_payment_webhook_secret(),
        message_id=message_id,
        timestamp=int(at if at is not None else time.time()),
        body=body,
    )
    return client.post(
        f"{API}/payment-providers/{PROVIDER}/webhook",
        content=body,
        headers={**headers, "content-type": "application/json"},
    )


def _succeeded(customer: str, event_id="evt_1", reference="ch_1", **data: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "payment.succeeded",
        "data": {
            "customer_id": customer,
            "amount": "45.00",
            "currency": "EUR",
            "provider_reference": reference,
            "last4": "4242",
            **data,
        },
    }


def _refunded(event_id="evt_r1", amount="10.00", refund_reference="re_1") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "refund.succeeded",
        "data": {
            "provider_reference": "ch_1",
            "refund_reference": refund_reference,
            "amount": amount,
            "currency": "EUR",
            "reason": "customer asked",
        },
    }


def _payments(api, customer) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get(
        f"{API}/payments", params={"customer_id": customer["id"]}
    ).json()["items"]
    return items


def test_a_payment_event_delivered_again_and_again_records_one_card_payment(client, api, shop, db):
    # given
    event = _succeeded(shop["id"])
    # when: delivered, retried with the same message, re-sent as a new message, and
    # reported again as another event about the same payment
    first = _post(client, db, event)
    retried = _post(client, db, event)
    resent = _post(client, db, event, message_id="msg_2")
    other = _post(client, db, _succeeded(shop["id"], event_id="evt_9"), message_id="msg_3")
    # then
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "recorded"
    payment = first.json()["payment"]
    assert (payment["method"], payment["provider"], payment["provider_reference"]) == (
        "card",
        PROVIDER,
        "ch_1",
    )
    assert (payment["amount"], payment["card_last4"], payment["unallocated"]) == (
        "45.00",
        "4242",
        "45.00",
    )
    for again in (retried, resent, other):
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "duplicate"
        assert again.json()["payment"]["id"] == payment["id"]
    assert [p["id"] for p in _payments(api, shop)] == [payment["id"]]


def test_a_refund_event_is_recorded_once_and_waits_for_its_payment(client, api, shop, db):
    # given: the refund arrives before the payment it refunds
    early = _post(client, db, _refunded(), message_id="msg_r0")
    assert_problem(early, 404, "payment_not_found")
    _post(client, db, _succeeded(shop["id"]))
    # when: the provider retries the refund, and then again
    refunded = _post(client, db, _refunded(), message_id="msg_r1")
    again = _post(client, db, _refunded(), message_id="msg_r2")
    # then
    assert refunded.status_code == 200, refunded.text
    assert (refunded.json()["status"], again.json()["status"]) == ("recorded", "duplicate")
    payment = api.get(f"{API}/payments/{refunded.json()['payment']['id']}").json()
    assert [(r["amount"], r["reason"], r["provider_reference"]) for r in payment["refunds"]] == [
        ("10.00", "customer asked", "re_1")
    ]
    assert payment["unallocated"] == "35.00"
    # when: a refund of more than is unallocated
    too_much = _post(client, db, _refunded("evt_r2", "40.00", "re_2"), message_id="msg_r3")
    # then
    assert_problem(too_much, 409, "refund_exceeds_unallocated")


def _staff_refund(api, payment: dict[str, Any], amount: str, reference: str) -> Any:
    return api.post(
        f"{API}/payments/{payment['number']}/refunds",
        json={
            "amount": amount,
            "reason": "refunded in the dashboard",
            "provider_reference": reference,
        },
    )


def test_a_refund_staff_recorded_is_not_recorded_again_by_its_event(client, api, shop, db):
    # given the provider's payment, and staff who refunded 10.00 in its dashboard
    payment = _post(client, db, _succeeded(shop["id"])).json()["payment"]
    staff = _staff_refund(api, payment, "10.00", "re_1")
    assert staff.status_code == 201, staff.text
    # when the provider reports that refund, and delivers the report again
    reported = _post(client, db, _refunded(), message_id="msg_r1")
    again = _post(client, db, _refunded(), message_id="msg_r2")
    # then it is the refund staff recorded: counted once
    assert reported.status_code == 200, reported.text
    assert (reported.json()["status"], again.json()["status"]) == ("duplicate", "duplicate")
    after = api.get(f"{API}/payments/{payment['id']}").json()
    assert [(r["amount"], r["provider_reference"]) for r in after["refunds"]] == [("10.00", "re_1")]
    assert (after["amount_refunded"], after["unallocated"]) == ("10.00", "35.00")
    assert_books_clean(db)


def test_a_refund_its_event_recorded_first_is_refused_when_staff_record_it(client, api, shop, db):
    # given the provider reported refund re_1 before staff got to it
    payment = _post(client, db, _succeeded(shop["id"])).json()["payment"]
    assert _post(client, db, _refunded(), message_id="msg_r1").json()["status"] == "recorded"
    # when staff record the same refund
    staff = _staff_refund(api, payment, "10.00", "re_1")
    # then it is refused: one refund
    body = assert_problem(staff, 409, "refund_already_recorded")
    assert "re_1" in body["detail"]
    after = api.get(f"{API}/payments/{payment['id']}").json()
    assert [r["provider_reference"] for r in after["refunds"]] == ["re_1"]
    assert_books_clean(db)


def test_a_prepayment_names_only_the_order_and_settles_its_receipt(client, api, shop, db):
    # given
    order = api.post(
        f"{API}/orders",
        json={
            "customer_id": shop["id"],
            "channel": "web",
            "lines": [{"sku": "A-1", "quantity": 2}],
        },
    ).json()
    event = _succeeded("", amount=order["total"], order_id=order["id"])
    del event["data"]["customer_id"]
    # when
    paid = _post(client, db, event)
    receipt = api.post(f"{API}/invoices", json={"order_id": order["id"]})
    # then
    assert paid.status_code == 200, paid.text
    assert paid.json()["payment"]["customer_id"] == shop["id"]
    assert receipt.json()["status"] == "paid"


def _cash_shop(api: TestClient) -> dict[str, Any]:
    """As the e2e `shop`: MAIN with 10 of A-1 at 12.50 EUR, and a cash customer."""
    assert api.post(f"{API}/warehouses", json={"code": "MAIN", "name": "Main"}).status_code == 201
    product = {"sku": "A-1", "name": "Anvil", "price": "12.50", "currency": "EUR"}
    assert api.post(f"{API}/products", json=product).status_code == 201
    receipt = {"warehouse": "MAIN", "sku": "A-1", "quantity": 10}
    assert api.post(f"{API}/stock/receipts", json=receipt).status_code == 201
    customer = {"name": "Ann", "email": "ann@example.com", "account_type": "cash"}
    created = api.post(f"{API}/customers", json=customer)
    assert created.status_code == 201, created.text
    return dict(created.json())


@pytest.fixture
def web_shop(db, tmp_path) -> Iterator[tuple[TestClient, dict[str, Any], Database]]:
    """The product's default: a cash customer's order waits for its payment (ADR 0013).
    A client with an admin token, and the cash customer of the e2e `shop`."""
    settings = make_settings(tmp_path, db.settings.database_url, cash_orders_require_payment=True)
    database = Database.connect(settings)
    try:
        with TestClient(create_app(settings, db=database)) as client:
            client.headers.update(bearer(database, Role.ADMIN))
            yield client, _cash_shop(client), database
    finally:
        database.dispose()


def test_a_web_shops_card_payment_sends_the_waiting_order_to_the_warehouse_with_a_receipt(
    web_shop,
):
    # given: a web order of a cash customer, waiting for its payment
    client, customer, database = web_shop
    order = client.post(
        f"{API}/orders",
        json={
            "customer_id": customer["id"],
            "channel": "web",
            "lines": [{"sku": "A-1", "quantity": 2}],
            "shipping_address": {"line1": "1 Main St", "city": "Berlin", "country": "DE"},
        },
    ).json()
    assert (order["status"], order["hold_reason"]) == ("on_hold", "awaiting_payment")
    event = _succeeded(customer["id"], amount=order["total"], order_id=order["id"])
    # when: the provider reports the card payment
    paid = _post(client, database, event)
    # then: in the same request the order is released, confirmed (allocated) and receipted
    assert paid.status_code == 200, paid.text
    after = client.get(f"{API}/orders/{order['id']}").json()
    assert (after["status"], after["fulfilment_status"]) == ("confirmed", "allocated")
    (receipt,) = client.get(f"{API}/invoices", params={"customer_id": customer["id"]}).json()[
        "items"
    ]
    assert (receipt["kind"], receipt["status"], receipt["total"]) == (
        "receipt",
        "paid",
        order["total"],
    )
    assert _post(client, database, event).json()["status"] == "duplicate"


def test_a_payment_staff_recorded_already_is_not_recorded_again_by_its_event(client, api, shop, db):
    # given
    recorded = api.post(
        f"{API}/payments",
        json={
            "customer_id": shop["id"],
            "method": "card",
            "amount": "45.00",
            "currency": "EUR",
            "provider": PROVIDER,
            "provider_reference": "ch_1",
            "card_last4": "4242",
        },
    )
    assert recorded.status_code == 201, recorded.text
    # when
    event = _post(client, db, _succeeded(shop["id"]))
    # then
    assert event.json()["status"] == "duplicate"
    assert event.json()["payment"]["id"] == recorded.json()["id"]
    assert len(_payments(api, shop)) == 1


def test_unsigned_forged_or_stale_events_are_refused_and_record_nothing(client, api, shop, db):
    # given
    event = _succeeded(shop["id"])
    body = json.dumps(event).encode()
    # when
    unsigned = client.post(f"{API}/payment-providers/{PROVIDER}/webhook", content=body)
    forged = _post(client, db, event, secret="whsec_" + "QUJD" * 8)
    stale = _post(client, db, event, at=time.time() - 301)
    future = _post(client, db, event, at=time.time() + 301)
    tampered = client.post(
        f"{API}/payment-providers/{PROVIDER}/webhook",
        content=body.replace(b"45.00", b"4500.00"),
        headers=signature_headers(
            db.settings.effective_payment_webhook_secret(),
            message_id="msg_1",
            timestamp=int(time.time()),
            body=body,
        ),
    )
    # then
    assert_problem(unsigned, 401, "webhook_headers_missing")
    assert_problem(forged, 401, "webhook_signature_invalid")
    assert_problem(stale, 401, "webhook_timestamp_out_of_tolerance")
    assert_problem(future, 401, "webhook_timestamp_out_of_tolerance")
    assert_problem(tampered, 401, "webhook_signature_invalid")
    assert _payments(api, shop) == []


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"amount": 45.5}, "validation_error", "data.amount"),
        ({"amount": "45.001"}, "validation_error", "data.amount"),
        ({"amount": "-45.00"}, "validation_error", "data.amount"),
        ({"currency": "USD"}, "validation_error", "data.currency"),
        ({"last4": "42"}, "validation_error", "data.last4"),
        ({"received_on": "2999-01-01"}, "validation_error", "data.received_on"),
        ({"last4": "4242424242424242"}, "card_number_refused", "data.last4"),
        ({"provider_reference": ""}, "validation_error", "data.provider_reference"),
        ({"customer_id": "CUST-1"}, "validation_error", "data.customer_id"),
        ({"customer_id": None}, "validation_error", "data.customer_id"),
    ],
)
def test_an_event_with_bad_data_is_refused_with_the_field_named(
    client, api, shop, db, data, code, field
):
    # when
    response = _post(client, db, _succeeded(shop["id"], **data))
    # then
    body = assert_problem(response, 422, code)
    assert any(e["field"] == field for e in body["errors"]), body
    assert _payments(api, shop) == []


def test_a_providers_own_reference_may_be_all_digits(client, api, shop, db):
    # when: some gateways' payment references are 16 digits (not card numbers)
    response = _post(client, db, _succeeded(shop["id"], reference="8815658961765250"))
    # then
    assert response.status_code == 200, response.text
    assert response.json()["payment"]["provider_reference"] == "8815658961765250"


def test_malformed_unknown_and_misaddressed_events_get_clear_answers(client, shop, db):
    # when
    not_json = _post(client, db, b"{not json")
    no_type = _post(client, db, {"id": "evt_1", "data": {}})
    other_type = _post(client, db, {"id": "evt_2", "type": "dispute.created", "data": {}})
    no_customer = _post(client, db, _succeeded("01a2227b-5e8c-7285-89e6-09bae6279909"))
    huge = _post(client, db, b'{"type": "payment.succeeded", "pad": "' + b"x" * 300_000 + b'"}')
    # then
    assert_problem(not_json, 422, "validation_error")
    assert_problem(no_type, 422, "validation_error")
    assert other_type.status_code == 200, other_type.text
    assert other_type.json() == {
        "event_id": "evt_2",
        "type": "dispute.created",
        "status": "ignored",
        "payment": None,
    }
    assert_problem(no_customer, 404, "customer_not_found")
    assert_problem(huge, 413, "payload_too_large")


def test_a_payment_event_signed_with_the_carriers_secret_is_refused(client, db):
    # given: the carriers' secret, which a carrier integration holds
    body = b'{"id": "evt_forged", "type": "payment.succeeded", "data": {}}'
    headers = signature_headers(
        db.settings.effective_webhook_secret(),
        message_id="msg_forged",
        timestamp=int(time.time()),
        body=body,
    )
    # when
    response = client.post(
        "/api/v1/payment-providers/manual/webhook",
        content=body,
        headers={**headers, "content-type": "application/json"},
    )
    # then
    assert_problem(response, 401, "webhook_signature_invalid")


def test_a_payment_event_naming_a_merged_customer_is_refused(client, api, shop, db):
    # given Ann's second record merged into Ann
    twin = api.post(
        f"{API}/customers",
        json={"name": "Ann", "email": "ann2@example.com", "account_type": "cash"},
    ).json()
    merged = api.post(
        f"{API}/customers/{shop['number']}/merge",
        json={"duplicate_id": twin["id"], "reason": "same person"},
    )
    assert merged.status_code == 201, merged.text
    # when
    answer = _post(client, db, _succeeded(twin["id"]))
    # then: refused (the provider retries; staff record it on the survivor), nothing kept
    assert_problem(answer, 409, "customer_merged")
    assert _payments(api, shop) == []
    assert _payments(api, twin) == []
