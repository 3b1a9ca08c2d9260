"""Shared steps for the review tests: the fulfilment path over the HTTP API."""

from __future__ import annotations

import json
import time
from typing import Any

from ordersmith.checks import run_checks
from ordersmith.shipping.signing import signature_headers
from ordersmith.uow import Database

API = "/api/v1"
BOX = {"weight_grams": 1500, "length_mm": 300, "width_mm": 200, "height_mm": 100}
COURIER = {
    "code": "LOCAL",
    "name": "City Couriers",
    "kind": "local_courier",
    "tracking_url_template": "https://track.example.com/{tracking_number}",
    "services": [
        {"service_level": "standard", "name": "Standard", "transit_days": 1, "is_default": True}
    ],
}
GENERIC = {
    "code": "GEN",
    "name": "Generic Parcels",
    "kind": "generic",
    "tracking_url_template": "https://parcels.example.com/{tracking_number}",
    "services": [
        {"service_level": "standard", "name": "Standard", "transit_days": 1, "is_default": True}
    ],
}
ADDRESS = {
    "name": "Ann",
    "line1": "1 Main St",
    "city": "Berlin",
    "postcode": "10117",
    "country": "DE",
}


def confirmed_order(
    api: Any, customer: dict[str, Any], quantity: int = 3, address: dict[str, Any] | None = None
) -> dict[str, Any]:
    placed = api.post(
        f"{API}/orders",
        json={
            "customer_id": customer["id"],
            "channel": "web",
            "lines": [{"sku": "A-1", "quantity": quantity}],
            "shipping_address": address or ADDRESS,
        },
    )
    assert placed.status_code == 201, placed.text
    confirmed = api.post(f"{API}/orders/{placed.json()['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    return dict(confirmed.json())


def pick_all(api: Any) -> None:
    pick_list = api.post(f"{API}/pick-lists", json={"warehouse": "MAIN"})
    assert pick_list.status_code == 201, pick_list.text
    assert api.post(f"{API}/pick-lists/{pick_list.json()['id']}/confirm").status_code == 200


def pack(api: Any, order: dict[str, Any], carrier: str = "LOCAL") -> dict[str, Any]:
    shipment = api.post(
        f"{API}/shipments",
        json={
            "order_ids": [order["id"]],
            "warehouse": "MAIN",
            "carrier": carrier,
            "packages": [BOX],
        },
    )
    assert shipment.status_code == 201, shipment.text
    return dict(shipment.json())


def dispatched_shipment(api: Any, order: dict[str, Any]) -> dict[str, Any]:
    pick_all(api)
    shipment = pack(api, order)
    assert api.post(f"{API}/shipments/{shipment['number']}/label").status_code == 200
    dispatched = api.post(f"{API}/shipments/{shipment['number']}/dispatch")
    assert dispatched.status_code == 200, dispatched.text
    return dict(dispatched.json())


def track(api: Any, shipment: dict[str, Any], event_id: str, status: str, at: str) -> Any:
    return api.post(
        f"{API}/shipments/{shipment['number']}/tracking",
        json={"events": [{"event_id": event_id, "status": status, "occurred_at": at}]},
    )


def webhook(api: Any, db: Database, events: list[dict[str, Any]], message_id: str = "msg_1") -> Any:
    body = json.dumps({"events": events}).encode()
    headers = signature_headers(
        db.settings.effective_webhook_secret(),
        message_id=message_id,
        timestamp=int(time.time()),
        body=body,
    )
    return api.post(
        f"{API}/carriers/LOCAL/tracking-webhook",
        content=body,
        headers={**headers, "content-type": "application/json"},
    )


def violations(db: Database) -> dict[str, Any]:
    with db.reader() as session:
        return {name: found for name, found in run_checks(session).items() if found}
