"""``db.insert_rows``: many rows in one statement, the same rows on both databases (on
PostgreSQL through arrays, ``unnest``; on SQLite a multi-row VALUES)."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import Fixed, UtcDateTime, core, insert_rows, insert_together, table_of
from ordersmith.inventory.models import Warehouse
from ordersmith.outbox.models import OutboxEvent
from ordersmith.uow import Database
from tests.factories.outbox import outbox_row


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
    rows = [
        outbox_row(["a", "b"]),
        outbox_row({"total": "9.50", "lines": [1, 2]}),
        outbox_row(None),
    ]
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
    rows = [outbox_row({}), outbox_row({}, event_type="x" * 81)]
    # when / then: refused, and nothing stored
    with pytest.raises(sa.exc.DataError, match="too long"), db.unit_of_work(actor="t") as uow:
        insert_rows(core(uow.session), table_of(OutboxEvent), rows)
    assert _stored(db) == []


def test_every_kind_of_value_comes_back_as_it_was_given(db: Database) -> None:
    # given: a table of every column type the models use, and values that an array
    # literal must quote: quotes, backslashes, commas, braces, the word NULL, spaces,
    # an empty string, accents; a true NULL; decimals with 4 places; dates and times
    Kind = enum.Enum("Kind", {"A": "plain", "B": "odd, {kind}"})  # noqa: N806
    table = sa.Table(
        "insert_rows_kinds",
        sa.MetaData(),
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("text", sa.String(40)),
        sa.Column("amount", Fixed(4)),
        sa.Column("count", sa.BigInteger()),
        sa.Column("flag", sa.Boolean()),
        sa.Column("at", UtcDateTime()),
        sa.Column("on", sa.Date()),
        sa.Column("kind", sa.Enum(Kind, native_enum=False, values_callable=_values)),
        sa.Column("doc", sa.JSON()),
    )
    texts = ['say "hi"', "back\\slash", "a, b", "{x}", "NULL", " spaced ", "", "café", None]
    rows = [
        {
            "id": uuid.uuid4(),
            "text": text,
            "amount": Decimal("-12.3456") if i % 2 else Decimal("1E+2"),
            "count": i - 4,
            "flag": i % 3 == 0,
            "at": datetime(2026, 11, 29, 7, 50, i, 123456, tzinfo=UTC),
            "on": date(2026, 2, 28),
            "kind": Kind.B if i % 2 else Kind.A,
            "doc": {"text": text, "list": [1, "two", None]},
        }
        for i, text in enumerate(texts)
    ]
    table.create(db.engine)
    try:
        # when
        with db.unit_of_work(actor="test") as uow:
            insert_rows(core(uow.session), table, rows)
        # then
        with db.reader() as session:
            stored = {r.id: r._asdict() for r in session.execute(sa.select(table))}
        assert stored == {row["id"]: row for row in rows}
    finally:
        table.drop(db.engine)


def test_a_decimal_with_too_many_places_is_refused_and_nothing_is_stored(db: Database) -> None:
    # given: a line amount with 5 decimal places (the column keeps 4)
    table = sa.Table(
        "insert_rows_amounts",
        sa.MetaData(),
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("amount", Fixed(4)),
    )
    table.create(db.engine)
    try:
        rows = [{"id": uuid.uuid4(), "amount": Decimal("1.5")}]
        rows.append({"id": uuid.uuid4(), "amount": Decimal("1.00001")})
        # when / then
        with (
            pytest.raises(sa.exc.StatementError, match="more than 4 decimals"),
            db.unit_of_work(actor="test") as uow,
        ):
            insert_rows(core(uow.session), table, rows)
        with db.reader() as session:
            assert session.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
    finally:
        table.drop(db.engine)


def _values(kind: type[enum.Enum]) -> list[str]:
    return [member.value for member in kind]


def test_strings_an_array_literal_must_escape_come_back_as_they_were_given(db: Database) -> None:
    # given: strings written by a column joined and escaped as a whole: quotes,
    # backslashes (one, two, at the end), braces, commas, the word NULL in any case,
    # empty and blank strings, unicode, control characters a text may hold; the same
    # strings again with a NULL among them (written value by value)
    table = sa.Table(
        "insert_rows_texts",
        sa.MetaData(),
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("text", sa.Text()),
    )
    texts = ['"', '""', "\\", "\\\\", "end\\", '\\"', "{a,b}", "}{", ",", "NULL", "null"]
    texts += ["", " ", "\t\n\r", "tab\there", "\x01\x1f\x7f", "é ü 😀 \u2028", "'quoted'"]
    rows = [{"id": uuid.uuid4(), "text": text} for text in [*texts, *texts, None]]
    table.create(db.engine)
    try:
        # when: the strings alone, then the strings with a NULL
        with db.unit_of_work(actor="test") as uow:
            insert_rows(core(uow.session), table, rows[: len(texts)])
            insert_rows(core(uow.session), table, rows[len(texts) :])
        # then
        with db.reader() as session:
            stored = {r.id: r.text for r in session.execute(sa.select(table))}
        assert stored == {row["id"]: row["text"] for row in rows}
    finally:
        table.drop(db.engine)


def test_decimals_of_few_places_in_any_notation_come_back_as_given_and_too_fine_ones_are_refused(
    db: Database,
) -> None:
    # given: amounts of at most 4 places as Decimals in plain and exponent notation,
    # with trailing zeros past the scale (1.00000 is 1), and an int; then one of 5 places
    table = sa.Table(
        "insert_rows_fixed",
        sa.MetaData(),
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("amount", Fixed(4)),
    )
    amounts = [Decimal("12.3400"), Decimal("-0.0001"), Decimal("1E+2"), Decimal("1.00000"), 7]
    rows = [{"id": uuid.uuid4(), "amount": amount} for amount in amounts]
    too_fine = [*rows, {"id": uuid.uuid4(), "amount": Decimal("0.00001")}]
    table.create(db.engine)
    try:
        # when
        with db.unit_of_work(actor="test") as uow:
            insert_rows(core(uow.session), table, rows)
        # then: stored as given; the column of a too fine amount is refused whole
        with db.reader() as session:
            stored = {r.id: r.amount for r in session.execute(sa.select(table))}
        assert stored == {row["id"]: Decimal(row["amount"]) for row in rows}
        with (
            pytest.raises(sa.exc.StatementError, match="more than 4 decimals"),
            db.unit_of_work(actor="test") as uow,
        ):
            insert_rows(core(uow.session), table, too_fine)
    finally:
        table.drop(db.engine)


def test_rows_of_several_tables_written_together_without_a_rider_are_all_stored(
    db: Database,
) -> None:
    # given: events and a warehouse, nothing carried along
    before = len(_stored(db))
    rows = [outbox_row({"n": 1}), outbox_row({"n": 2})]
    warehouse = {
        "id": uuid.uuid4(),
        "code": "TOGETHER",
        "name": "Together",
        "priority": 5,
        "active": True,
        "address": {},
        "created_at": clock.now(),
    }
    # when
    with db.unit_of_work(actor="test") as uow:
        insert_together(
            core(uow.session), [(table_of(Warehouse), [warehouse]), (table_of(OutboxEvent), rows)]
        )
    # then: every row of every table is there
    with db.reader() as session:
        codes = set(session.scalars(sa.select(table_of(Warehouse).c.code)))
    assert len(_stored(db)) == before + 2
    assert "TOGETHER" in codes
