"""Order to cash over HTTP: invoices per shipment, payments, credit, refunds, credit notes."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordersmith import clock
from ordersmith.auth.models import Role
from tests.e2e.conftest import assert_problem, bearer
from tests.factories.billing import assert_books_clean, bill_order
from tests.factories.orders import order_request, place

API = "/api/v1"
BOX = {"weight_grams": 1500, "length_mm": 300, "width_mm": 200, "height_mm": 100}
COURIER = {
    "code": "LOCAL",
    "name": "City Couriers",
    "kind": "local_courier",
    "services": [
        {"service_level": "standard", "name": "Standard", "transit_days": 1, "is_default": True}
    ],
}
ADDRESS = {"name": "Goods in", "line1": "2 Trade St", "city": "Hamburg", "country": "DE"}


@pytest.fixture
def trade(api) -> dict[str, Any]:
    """Through the API: warehouse MAIN with 20 of A-1 (12.50 EUR + 20 % tax), a courier,
    and an account customer on 30 days' terms."""
    assert api.post(f"{API}/warehouses", json={"code": "MAIN", "name": "Main"}).status_code == 201
    product = {"sku": "A-1", "name": "Anvil", "price": "12.50", "tax_rate": "0.2000"}
    assert api.post(f"{API}/products", json=product).status_code == 201
    receipt = {"warehouse": "MAIN", "sku": "A-1", "quantity": 20}
    assert api.post(f"{API}/stock/receipts", json=receipt).status_code == 201
    assert api.post(f"{API}/carriers", json=COURIER).status_code == 201
    customer = api.post(
        f"{API}/customers",
        json={"name": "Bob Trade", "email": "bob@example.com", "account_type": "account"},
    )
    assert customer.status_code == 201, customer.text
    return dict(customer.json())


def _confirmed_order(api, customer, quantity: int) -> dict[str, Any]:
    order = api.post(
        f"{API}/orders",
        json={
            "customer_id": customer["id"],
            "channel": "phone",
            "lines": [{"sku": "A-1", "quantity": quantity}],
            "shipping_address": ADDRESS,
        },
    )
    assert order.status_code == 201, order.text
    confirmed = api.post(f"{API}/orders/{order.json()['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    return dict(confirmed.json())


def _pick_all(api) -> None:
    pick_list = api.post(f"{API}/pick-lists", json={"warehouse": "MAIN"})
    assert pick_list.status_code == 201, pick_list.text
    assert api.post(f"{API}/pick-lists/{pick_list.json()['id']}/confirm").status_code == 200


def _pack(api, order, quantity: int) -> dict[str, Any]:
    line_id = order["lines"][0]["id"]
    shipment = api.post(
        f"{API}/shipments",
        json={
            "order_ids": [order["id"]],
            "warehouse": "MAIN",
            "carrier": "LOCAL",
            "packages": [{**BOX, "contents": [{"line_id": line_id, "quantity": quantity}]}],
        },
    )
    assert shipment.status_code == 201, shipment.text
    return dict(shipment.json())


def _ship(api, order, quantity: int) -> dict[str, Any]:
    shipment = _pack(api, order, quantity)
    assert api.post(f"{API}/shipments/{shipment['number']}/label").status_code == 200
    dispatched = api.post(f"{API}/shipments/{shipment['number']}/dispatch")
    assert dispatched.status_code == 200, dispatched.text
    return dict(dispatched.json())


def _balance(api, customer) -> dict[str, str]:
    body = api.get(f"{API}/customers/{customer['number']}/balance")
    assert body.status_code == 200, body.text
    (eur,) = body.json()["balances"]
    return dict(eur)


def _invoiced_twice(api, trade) -> tuple[dict[str, Any], dict[str, Any]]:
    """An order of 5 shipped as 2 + 3 units: an account customer's shipments are
    invoiced on dispatch, 30.00 and 45.00 (ADR 0013)."""
    order = _confirmed_order(api, trade, 5)
    _pick_all(api)
    shipments = [_ship(api, order, 2), _ship(api, order, 3)]
    listed = api.get(f"{API}/invoices", params={"customer_id": trade["id"]}).json()["items"]
    by_shipment = {i["shipment_id"]: i["number"] for i in listed}
    first, second = (api.get(f"{API}/invoices/{by_shipment[s['id']]}").json() for s in shipments)
    again = api.post(f"{API}/invoices", json={"shipment_id": shipments[0]["id"]})
    assert_problem(again, 409, "already_invoiced")
    return first, second


def test_an_account_customer_goes_from_two_shipments_to_cash_credit_refund_and_credit_note(
    api, trade, db
):
    # given: two shipments of one order, each invoiced on 30 days' terms
    first, second = _invoiced_twice(api, trade)
    assert (first["kind"], first["status"], first["total"], first["balance"]) == (
        "invoice",
        "issued",
        "30.00",
        "30.00",
    )
    assert first["number"].startswith("INV-")
    assert second["total"] == "45.00"
    assert [(line["sku"], line["quantity"]) for line in second["lines"]] == [("A-1", 3)]
    assert (second["due_date"], second["overdue"]) == (
        (clock.today() + timedelta(days=30)).isoformat(),
        False,
    )
    assert _balance(api, trade)["balance"] == "75.00"
    # when: a part payment of the first invoice
    part = api.post(
        f"{API}/payments",
        json={
            "customer_id": trade["id"],
            "method": "bank_transfer",
            "amount": "20.00",
            "currency": "EUR",
            "reference": "remittance 1",
            "allocations": [{"invoice_id": first["id"], "amount": "20.00"}],
        },
    )
    # then
    assert part.status_code == 201, part.text
    assert api.get(f"{API}/invoices/{first['number']}").json()["status"] == "partially_paid"
    # when: an overpayment of the second invoice
    over = api.post(
        f"{API}/payments",
        json={
            "customer_id": trade["id"],
            "method": "bank_transfer",
            "amount": "60.00",
            "currency": "EUR",
            "allocations": [{"invoice_id": second["id"], "amount": "45.00"}],
        },
    )
    # then: the second is paid and 15.00 is credit, while 10.00 of the first is still open
    assert over.status_code == 201, over.text
    assert (over.json()["amount_allocated"], over.json()["unallocated"]) == ("45.00", "15.00")
    assert _balance(api, trade) == {
        "currency": "EUR",
        "open_invoices": "10.00",
        "overdue": "0.00",
        "unallocated_payments": "15.00",
        "unapplied_credit": "0.00",
        "balance": "-5.00",
    }
    # when: the credit is applied
    applied = api.post(f"{API}/customers/{trade['id']}/apply-credit")
    # then
    assert applied.status_code == 200, applied.text
    assert applied.json()["total"] == "10.00"
    assert applied.json()["applications"] == [
        {
            "source": "payment",
            "source_number": over.json()["number"],
            "invoice_number": first["number"],
            "amount": "10.00",
        }
    ]
    paid = api.get(f"{API}/invoices/{first['id']}").json()
    assert (paid["status"], paid["balance"]) == ("paid", "0.00")
    assert [(p["number"], p["amount"]) for p in paid["payments"]] == [
        (part.json()["number"], "20.00"),
        (over.json()["number"], "10.00"),
    ]
    # when: the rest is refunded (more than is left is refused first)
    too_much = api.post(
        f"{API}/payments/{over.json()['number']}/refunds",
        json={"amount": "5.01", "reason": "overpaid"},
    )
    refund = api.post(
        f"{API}/payments/{over.json()['number']}/refunds",
        json={"amount": "5.00", "reason": "overpaid"},
    )
    # then
    problem = assert_problem(too_much, 409, "refund_exceeds_unallocated")
    assert Decimal(problem["refundable"]) == Decimal("5.00")
    assert refund.status_code == 201, refund.text
    assert refund.json()["unallocated"] == "0.00"
    assert [(r["amount"], r["reason"]) for r in refund.json()["refunds"]] == [("5.00", "overpaid")]
    assert _balance(api, trade)["balance"] == "0.00"
    # when: one unit of the (paid) second invoice arrived damaged
    note = api.post(
        f"{API}/credit-notes",
        json={
            "invoice_id": second["id"],
            "reason": "damage",
            "lines": [{"line_no": 1, "quantity": 1}],
            "note": "dented",
        },
    )
    # then: 15.00 back; the invoice was paid, so it frees 15.00 of the payment
    assert note.status_code == 201, note.text
    assert (note.json()["total"], note.json()["unapplied"], note.json()["freed"]) == (
        "15.00",
        "0.00",
        "15.00",
    )
    assert [(r["kind"], r["number"], r["amount"]) for r in note.json()["releases"]] == [
        ("payment", over.json()["number"], "15.00")
    ]
    assert note.json()["lines"][0]["quantity"] == 1
    detail = api.get(f"{API}/invoices/{second['number']}").json()
    assert [c["number"] for c in detail["credit_notes"]] == [note.json()["number"]]
    assert (detail["credit_notes_total"], detail["status"]) == ("15.00", "paid")
    assert [(p["amount"], p["released_by"]) for p in detail["payments"]] == [
        ("45.00", None),
        ("-15.00", note.json()["number"]),
    ]
    assert _balance(api, trade)["unallocated_payments"] == "15.00"
    assert _balance(api, trade)["balance"] == "-15.00"
    listed = api.get(f"{API}/credit-notes", params={"invoice_id": second["id"]}).json()
    assert [c["number"] for c in listed["items"]] == [note.json()["number"]]
    assert api.get(f"{API}/credit-notes/{note.json()['number']}").json()["note"] == "dented"
    # when: the freed money is paid back
    back = api.post(
        f"{API}/payments/{over.json()['number']}/refunds",
        json={"amount": "15.00", "reason": "dented unit", "provider_reference": "BANK-RET-7"},
    )
    # then
    assert back.status_code == 201, back.text
    assert [(r["amount"], r["provider_reference"]) for r in back.json()["refunds"]] == [
        ("5.00", ""),
        ("15.00", "BANK-RET-7"),
    ]
    assert _balance(api, trade)["balance"] == "0.00"
    assert_books_clean(db)


def test_a_cash_customer_returning_a_card_paid_sale_gets_the_money_back_on_the_card(api, shop, db):
    # given Ann's sale of 2 anvils (25.00, untaxed here) paid on the card terminal
    order = api.post(
        f"{API}/orders",
        json={
            "customer_id": shop["id"],
            "channel": "phone",
            "lines": [{"sku": "A-1", "quantity": 2}],
        },
    ).json()
    paid = api.post(
        f"{API}/payments",
        json={
            "customer_id": shop["id"],
            "method": "card",
            "amount": order["total"],
            "currency": "EUR",
            "order_id": order["id"],
            "provider_reference": "TERM-1 TX 0042",
            "card_last4": "4242",
        },
    )
    assert paid.status_code == 201, paid.text
    receipt = api.post(f"{API}/invoices", json={"order_id": order["id"]}).json()
    assert (receipt["kind"], receipt["status"]) == ("receipt", "paid")
    # when she brings both back: a full credit note, then the card refund on the terminal
    note = api.post(f"{API}/credit-notes", json={"invoice_id": receipt["id"], "reason": "return"})
    refund = api.post(
        f"{API}/payments/{paid.json()['number']}/refunds",
        json={"amount": order["total"], "reason": "returned", "provider_reference": "TERM-1 RF 7"},
    )
    twice = api.post(
        f"{API}/payments/{paid.json()['number']}/refunds",
        json={"amount": "1.00", "reason": "again", "provider_reference": "TERM-1 RF 7"},
    )
    card = api.post(
        f"{API}/payments/{paid.json()['number']}/refunds",
        json={"amount": "1.00", "reason": "x", "provider_reference": "4111 1111 1111 1111"},
    )
    # then the payment is refunded in full, the receipt credited, and nothing is owed
    assert note.status_code == 201, note.text
    assert (note.json()["freed"], note.json()["unapplied"]) == (order["total"], "0.00")
    assert refund.status_code == 201, refund.text
    assert (refund.json()["status"], refund.json()["unallocated"]) == ("refunded", "0.00")
    assert_problem(twice, 409, "refund_already_recorded")
    assert_problem(card, 422, "card_number_refused")
    after = api.get(f"{API}/invoices/{receipt['number']}").json()
    assert (after["status"], after["balance"]) == ("credited", "0.00")
    assert _balance(api, shop)["balance"] == "0.00"
    assert_books_clean(db)


def test_an_account_order_invoiced_before_delivery_can_still_be_dispatched(api, trade):
    # given: the whole order invoiced up front, then picked and packed
    order = _confirmed_order(api, trade, 2)
    invoiced = api.post(f"{API}/invoices", json={"order_id": order["id"]})
    assert invoiced.status_code == 201, invoiced.text
    _pick_all(api)
    shipment = _pack(api, order, 2)
    assert api.post(f"{API}/shipments/{shipment['number']}/label").status_code == 200
    # when
    dispatched = api.post(f"{API}/shipments/{shipment['number']}/dispatch")
    # then: it leaves, and is not invoiced a second time
    assert dispatched.status_code == 200, dispatched.text
    listed = api.get(f"{API}/invoices", params={"customer_id": trade["id"]}).json()["items"]
    assert [i["number"] for i in listed] == [invoiced.json()["number"]]


def test_the_same_payment_sent_twice_with_one_idempotency_key_is_recorded_once(api, trade):
    # given
    body = {"customer_id": trade["id"], "method": "cash", "amount": "12.00", "currency": "EUR"}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    # when
    first = api.post(f"{API}/payments", json=body, headers=headers)
    again = api.post(f"{API}/payments", json=body, headers=headers)
    other = api.post(f"{API}/payments", json={**body, "amount": "13.00"}, headers=headers)
    # then
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert_problem(other, 422, "idempotency_key_reused")
    listed = api.get(f"{API}/payments", params={"customer_id": trade["id"]}).json()
    assert [p["number"] for p in listed["items"]] == [first.json()["number"]]


def test_invoices_are_listed_newest_first_page_by_page_and_overdue_ones_found(api, trade, db):
    # given: an order invoiced 40 days ago (overdue on 30 days' terms) and two today
    customer_id = uuid.UUID(trade["id"])
    with clock.simulated(clock.now() - timedelta(days=40)):
        old = bill_order(db, place(db, order_request(customer_id, ("A-1", 1))).id)
    for quantity in (2, 3):
        bill_order(db, place(db, order_request(customer_id, ("A-1", quantity))).id)
    # when
    first = api.get(f"{API}/invoices", params={"limit": 2, "customer_id": trade["id"]}).json()
    rest = api.get(f"{API}/invoices", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    overdue = api.get(f"{API}/invoices", params={"overdue": "true"}).json()
    # then
    numbers = [i["number"] for i in first["items"] + rest["items"]]
    assert len(numbers) == 3
    assert numbers[-1] == old.number
    assert rest["next_cursor"] is None
    assert [(i["number"], i["overdue"]) for i in overdue["items"]] == [(old.number, True)]
    assert api.get(f"{API}/invoices/{old.id}").json()["overdue"] is True
    assert _balance(api, trade)["overdue"] == "15.00"
    issued = api.get(f"{API}/invoices", params={"status": "issued"}).json()["items"]
    assert len(issued) == 3


def test_a_cash_sale_paid_ahead_gets_a_paid_receipt(api, shop):
    # given: a cash customer pays for an order before it is invoiced
    order = api.post(
        f"{API}/orders",
        json={
            "customer_id": shop["id"],
            "channel": "in_person",
            "lines": [{"sku": "A-1", "quantity": 2}],
        },
    ).json()
    paid = api.post(
        f"{API}/payments",
        json={
            "customer_id": shop["id"],
            "method": "card",
            "amount": order["total"],
            "currency": "EUR",
            "order_id": order["id"],
            "provider_reference": "TERM-1 TX 0042",
            "card_last4": "4242",
        },
    )
    # when
    receipt = api.post(f"{API}/invoices", json={"order_id": order["id"]})
    # then
    assert paid.status_code == 201, paid.text
    assert (paid.json()["provider"], paid.json()["card_last4"]) == ("manual", "4242")
    assert paid.json()["provider_reference"] == "TERM-1 TX 0042"
    assert receipt.status_code == 201, receipt.text
    assert (receipt.json()["kind"], receipt.json()["status"]) == ("receipt", "paid")
    assert receipt.json()["number"].startswith("RCT-")


def _payment(trade, **changes: Any) -> dict[str, Any]:
    return {
        "customer_id": trade["id"],
        "method": "cash",
        "amount": "10.00",
        "currency": "EUR",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "12.345"}, "amount"),  # 3 decimals for EUR
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1e30"}, "amount"),
        ({"amount": "99999999999999999999999"}, "amount"),
        ({"amount": "9" * 5000}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": 12.5}, "amount"),  # a JSON number with decimals
        ({"currency": "USD"}, "currency"),  # not the customer's
        ({"currency": "euro"}, "currency"),
        ({"method": "barter"}, "method"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"card_last4": "12"}, "card_last4"),
        ({"order_id": str(uuid.uuid4())}, "order_id"),
        ({"allocations": [{"invoice_id": str(uuid.uuid4()), "amount": "20.00"}]}, "allocations"),
        ({"reference": "x" * 121}, "reference"),
        ({"reference": "bad\x00byte"}, "reference"),
    ],
)
def test_a_bad_payment_is_a_clear_validation_problem_and_records_nothing(
    api, trade, changes, field
):
    # when
    response = api.post(f"{API}/payments", json=_payment(trade, **changes))
    # then
    body = assert_problem(response, 422, "validation_error")
    assert any(e["field"].startswith(field) for e in body["errors"]), body
    assert api.get(f"{API}/payments").json()["items"] == []


@pytest.mark.parametrize(
    "changes",
    [
        {"reference": "4111 1111 1111 1111"},
        {"card_last4": "4111111111111111"},
        {"method": "card", "provider_reference": "4111-1111-1111-1111", "card_last4": "1111"},
    ],
)
def test_a_card_number_is_refused_wherever_it_is_typed(api, trade, changes):
    # when
    response = api.post(f"{API}/payments", json=_payment(trade, **changes))
    # then
    body = assert_problem(response, 422, "card_number_refused")
    assert "4111" not in json.dumps(body)


def test_another_providers_reference_may_be_all_digits(api, trade):
    # when: a web shop records a payment its gateway took, under the gateway's 16-digit id
    response = api.post(
        f"{API}/payments",
        json=_payment(
            trade, method="card", provider="adyen", provider_reference="8815658961765250"
        ),
    )
    # then
    assert response.status_code == 201, response.text


def test_a_card_payment_on_the_terminal_needs_its_reference_and_last_4_digits(api, trade):
    # when
    response = api.post(f"{API}/payments", json=_payment(trade, method="card"))
    # then
    body = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["card_last4"]


def test_unknown_ids_answer_404_with_the_documents_code(api, trade):
    # given
    nobody = str(uuid.uuid4())
    # then
    for path, code in [
        ("/invoices/INV-2026-999999", "invoice_not_found"),
        (f"/invoices/{nobody}", "invoice_not_found"),
        ("/payments/PAY-1", "payment_not_found"),
        ("/credit-notes/nope", "credit_note_not_found"),
        (f"/customers/{nobody}/balance", "customer_not_found"),
        ("/invoices/%00", "invoice_not_found"),
    ]:
        assert_problem(api.get(API + path), 404, code)
    for path, body, code in [
        ("/payments", _payment(trade, customer_id=nobody), "customer_not_found"),
        (
            "/payments",
            _payment(trade, allocations=[{"invoice_id": nobody, "amount": "5.00"}]),
            "invoice_not_found",
        ),
        ("/invoices", {"order_id": nobody}, "order_not_found"),
        ("/invoices", {"shipment_id": nobody}, "shipment_not_found"),
        ("/credit-notes", {"invoice_id": nobody, "reason": "damage"}, "invoice_not_found"),
        ("/payments/PAY-1/refunds", {"amount": "1.00", "reason": "x"}, "payment_not_found"),
        (f"/customers/{nobody}/apply-credit", {}, "customer_not_found"),
    ]:
        assert_problem(api.post(API + path, json=body), 404, code)


def test_hostile_invoice_credit_note_and_list_requests_are_refused_cleanly(api, trade):
    # given
    order = _confirmed_order(api, trade, 2)
    _pick_all(api)
    packed = _pack(api, order, 2)
    invoice = api.post(f"{API}/invoices", json={"order_id": order["id"]}).json()
    not_a_cursor = base64.urlsafe_b64encode(b'["someday","INV"]').decode().rstrip("=")
    # then
    assert_problem(api.post(f"{API}/invoices", json={}), 422, "validation_error")
    both = {"order_id": order["id"], "shipment_id": packed["id"]}
    assert_problem(api.post(f"{API}/invoices", json=both), 422, "validation_error")
    assert_problem(
        api.post(f"{API}/invoices", json={"shipment_id": packed["id"]}),
        409,
        "shipment_not_dispatched",
    )
    again = api.post(f"{API}/invoices", json={"order_id": order["id"]})
    assert_problem(again, 409, "nothing_to_invoice")
    for body, status, code in [
        ({"reason": "damage", "amount": "50.01"}, 409, "credit_exceeds_invoice"),
        ({"reason": "damage", "amount": "1.001"}, 422, "validation_error"),
        ({"reason": "damage", "amount": "-1"}, 422, "validation_error"),
        (
            {"reason": "damage", "amount": "1.00", "lines": [{"line_no": 1, "quantity": 1}]},
            422,
            "validation_error",
        ),
        ({"reason": "damage", "lines": [{"line_no": 9, "quantity": 1}]}, 422, "validation_error"),
        ({"reason": "damage", "lines": [{"line_no": 1, "quantity": 3}]}, 422, "validation_error"),
        ({"reason": "damage", "lines": []}, 422, "validation_error"),
        ({"reason": "because"}, 422, "validation_error"),
    ]:
        response = api.post(f"{API}/credit-notes", json={"invoice_id": invoice["id"], **body})
        assert_problem(response, status, code)
    for params, code in [
        ({"status": "bogus"}, "validation_error"),
        ({"overdue": "maybe"}, "validation_error"),
        ({"limit": 100000}, "validation_error"),
        ({"cursor": "garbage!"}, "invalid_cursor"),
        ({"cursor": not_a_cursor}, "invalid_cursor"),
        ({"customer_id": "nope"}, "validation_error"),
    ]:
        assert_problem(api.get(f"{API}/invoices", params=params), 422, code)
    assert_problem(
        api.post(f"{API}/customers/{trade['id']}/apply-credit"), 409, "no_customer_credit"
    )
    over = _payment(
        trade, amount="60.00", allocations=[{"invoice_id": invoice["id"], "amount": "60.00"}]
    )
    problem = assert_problem(api.post(f"{API}/payments", json=over), 409, "over_allocation")
    assert [e["field"] for e in problem["errors"]] == ["allocations.0.amount"]
    full = api.post(f"{API}/credit-notes", json={"invoice_id": invoice["id"], "reason": "goodwill"})
    assert full.status_code == 201
    assert full.json()["total"] == invoice["total"]
    assert api.get(f"{API}/invoices/{invoice['id']}").json()["status"] == "credited"


def test_billing_needs_a_token_and_the_integration_role_may_take_payments(app, client, db, trade):
    # given
    integration = bearer(db, Role.INTEGRATION)
    # when
    with TestClient(app) as anonymous_client:
        anonymous = anonymous_client.get(f"{API}/invoices")
    paid = client.post(f"{API}/payments", json=_payment(trade), headers=integration)
    # then
    assert_problem(anonymous, 401, "unauthorized")
    assert paid.status_code == 201, paid.text
    assert client.get(f"{API}/payments/{paid.json()['id']}", headers=integration).status_code == 200
