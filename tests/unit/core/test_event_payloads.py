"""A domain event's payload: its fields as JSON values, nested dataclasses as objects."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from ordersmith.events import DomainEvent


class Colour(StrEnum):
    RED = "red"


@dataclasses.dataclass(frozen=True)
class Part:
    sku: str
    price: Decimal
    colour: Colour


@dataclasses.dataclass(frozen=True, kw_only=True)
class PartsCounted(DomainEvent):
    aggregate_type = "stock"
    at: datetime
    on: date
    parts: tuple[Part, ...]
    by_sku: dict[str, Part]
    note: str | None = None


def test_a_payload_holds_every_field_as_json_with_nested_dataclasses_as_objects() -> None:
    # given: an event with ids, amounts, times, an enum, and nested dataclasses in a
    # tuple and a dict
    part = Part("A-1", Decimal("2.50"), Colour.RED)
    aggregate = uuid.UUID(int=7)
    event = PartsCounted(
        aggregate_id=aggregate,
        at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
        on=date(2026, 11, 29),
        parts=(part,),
        by_sku={"A-1": part},
    )
    # when
    payload = event.payload()
    # then: plain JSON, the same as the fields would give through dataclasses.asdict
    as_part = {"sku": "A-1", "price": "2.50", "colour": "red"}
    assert payload == {
        "aggregate_id": str(aggregate),
        "at": "2026-11-29T12:00:00+00:00",
        "on": "2026-11-29",
        "parts": [as_part],
        "by_sku": {"A-1": as_part},
        "note": None,
    }
    assert json.loads(json.dumps(payload)) == payload
