"""``db.insert_rows``: many rows in one statement, the same rows on both databases (on
PostgreSQL through arrays, ``unnest``; on SQLite a multi-row VALUES)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import core, insert_rows, table_of
from ordersmith.outbox.models import OutboxEvent
from ordersmith.uow import Database


def _event(payload: object, **extra: object) -> dict[str, object]:
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


def _stored(db: Database) -> list[tuple[object, ...]]:
    events = table_of(OutboxEvent)
    with db.reader() as session:
        return [
            tuple(r)
            for r in session.execute(
                sa.select(events.c.payload, events.c.attempts, events.c.last_error).order_by(
                    events.c.actor, events.c.event_type
                )
            )
        ]


def test_rows_with_json_lists_dicts_and_nulls_and_left_out_defaults_are_stored_as_given(
    db: Database,
) -> None:
    # given: JSON payloads that are a list, a dict and a JSON null; attempts and
    # last_error left out (their defaults, 0 and "", apply)
    rows = [_event(["a", "b"]), _event({"total": "9.50", "lines": [1, 2]}), _event(None)]
    # when
    with db.unit_of_work(actor="test") as uow:
        insert_rows(core(uow.session), table_of(OutboxEvent), rows)
    # then
    assert sorted(map(repr, _stored(db))) == sorted(
        map(repr, [(["a", "b"], 0, ""), ({"total": "9.50", "lines": [1, 2]}, 0, ""), (None, 0, "")])
    )


def test_a_value_too_long_for_its_column_is_refused_not_cut(
    database_url: str, db: Database
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    # given: an event type of 81 characters (the column holds 80)
    rows = [_event({}), _event({}, event_type="x" * 81)]
    # when / then: refused, and nothing stored
    with pytest.raises(sa.exc.DataError, match="too long"), db.unit_of_work(actor="t") as uow:
        insert_rows(core(uow.session), table_of(OutboxEvent), rows)
    assert _stored(db) == []
