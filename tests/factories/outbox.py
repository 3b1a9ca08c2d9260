"""Outbox rows as ``db.insert_rows`` takes them (a table's row, not a domain event)."""

from __future__ import annotations

import uuid

from ordersmith import clock


def outbox_row(payload: object, **extra: object) -> dict[str, object]:
    """An ``order.placed`` row of a random order with ``payload``; ``extra`` overrides."""
    return {
        "id": uuid.uuid4(),
        "event_type": "order.placed",
        "aggregate_type": "order",
        "aggregate_id": uuid.uuid4(),
        "payload": payload,
        "actor": "test",
        "created_at": clock.now(),
        "delivered_at": None,
        "next_attempt_at": None,
        "dead_at": None,
        **extra,
    }
