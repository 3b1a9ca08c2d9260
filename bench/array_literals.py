"""``python -m bench.array_literals``: the Python cost of one order's array literals.

Builds, ``--orders`` times, the SQL text and parameters of ``pg_arrays.insert_together``
for a realistic placed order of ``--lines`` lines (the order row, its lines, its
reservations, one history row and two outbox events: the tables and row shapes of
``ordersmith.orders.placement``), with no database, and prints the best of ``--repeat``
runs in microseconds per order. The digest of the statement and its parameters is
printed too: a change meant to be byte-identical must leave it unchanged.

    .venv/bin/python -m bench.array_literals --orders 5000 --repeat 5
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

import ordersmith.models  # noqa: F401  (every table known: foreign keys resolve)
from ordersmith import pg_arrays
from ordersmith.db import table_of
from ordersmith.orders.models import Order, OrderHistory, OrderLine, OrderReservation
from ordersmith.outbox.models import OutboxEvent

Batches = list[tuple[sa.Table, list[dict[str, Any]]]]


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0000 + n)


def order_batches(lines: int) -> Batches:
    """One placed order of ``lines`` lines, as placement hands it to insert_together."""
    at = datetime(2026, 11, 29, 7, 50, 12, 345678, tzinfo=UTC)
    order_id, customer_id, warehouse_id = _id(1), _id(2), _id(3)
    address = {"name": "Jane O'Neil", "line1": "12 Rue de l'Église", "city": "Lyon", "zip": "69001"}
    order = {
        "id": order_id,
        "number": "SO-2026-000123",
        "channel": "web",
        "external_ref": None,
        "customer_id": customer_id,
        "status": "placed",
        "hold_reason": None,
        "held_from": None,
        "backorder_policy": "allow",
        "ship_policy": "ship_as_available",
        "fulfilment_status": "unfulfilled",
        "promised_dispatch_date": None,
        "promised_delivery_date": None,
        "currency": "EUR",
        "billing_address": address,
        "shipping_address": address,
        "subtotal": Decimal("1234.5000"),
        "discount_total": Decimal("0.0000"),
        "tax_total": Decimal("246.9000"),
        "shipping_total": Decimal("9.9000"),
        "total": Decimal("1491.3000"),
        "requested_delivery_date": date(2026, 12, 3),
        "notes": "",
        "lines_fingerprint": "9f2c" * 16,
        "duplicate_of_id": None,
        "created_by": "api:web-shop",
        "created_at": at,
        "updated_at": at,
    }
    order_lines = [
        {
            "order_id": order_id,
            "order_created_at": at,
            "id": _id(100 + i),
            "line_no": i + 1,
            "product_id": _id(200 + i),
            "sku": f"SKU-{i:05d}",
            "name": f'Widget {i} "deluxe", 40 mm',
            "quantity": 3 + i,
            "reserved_quantity": 3 + i,
            "backordered_quantity": 0,
            "shipped_quantity": 0,
            "delivered_quantity": 0,
            "warehouse_id": warehouse_id,
            "unit_price": Decimal("12.3400"),
            "discount": Decimal("0.0000"),
            "tax_rate": Decimal("0.2000"),
            "net_amount": Decimal("37.0200"),
            "tax_amount": Decimal("7.4040"),
            "price_source": "list:retail-eur",
        }
        for i in range(lines)
    ]
    reservations = [
        {
            "order_id": order_id,
            "warehouse_id": warehouse_id,
            "product_id": _id(200 + i),
            "quantity": 3 + i,
        }
        for i in range(lines)
    ]
    history = [
        {
            "id": _id(4),
            "order_id": order_id,
            "at": at,
            "actor": "api:web-shop",
            "action": "place",
            "from_status": None,
            "to_status": "placed",
            "reason": "",
            "details": {"channel": "web"},
        }
    ]
    events = [
        {
            "id": _id(5 + i),
            "event_type": event_type,
            "aggregate_type": "order",
            "aggregate_id": order_id,
            "payload": {"number": "SO-2026-000123", "total": "1491.3000", "lines": lines},
            "actor": "api:web-shop",
            "created_at": at + timedelta(microseconds=i),
            "attempts": 0,
        }
        for i, event_type in enumerate(["order.placed", "stock.reserved"])
    ]
    return [
        (table_of(Order), [order]),
        (table_of(OrderLine), order_lines),
        (table_of(OrderReservation), reservations),
        (table_of(OrderHistory), history),
        (table_of(OutboxEvent), events),
    ]


def digest(batches: Batches) -> str:
    """The first 16 hex digits of the SHA-256 of the statement and its parameters."""
    together = pg_arrays.insert_together(batches)
    assert together is not None
    return hashlib.sha256(json.dumps(together, sort_keys=True).encode()).hexdigest()[:16]


def microseconds_per_order(batches: Batches, orders: int) -> float:  # float-ok: timing
    """The wall time of building ``orders`` times the statement, per order."""
    insert_together = pg_arrays.insert_together
    started = time.perf_counter_ns()
    for _ in range(orders):
        insert_together(batches)
    return (time.perf_counter_ns() - started) / (orders * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    batches = order_batches(args.lines)
    microseconds_per_order(batches, 100)  # warm-up: plans cached, code paths hot
    best = min(microseconds_per_order(batches, args.orders) for _ in range(args.repeat))
    print(
        f"{args.lines}-line order: {best:.1f} µs per order (best of {args.repeat} x {args.orders})"
    )
    print(f"digest of statement and parameters: {digest(batches)}")


if __name__ == "__main__":
    main()
