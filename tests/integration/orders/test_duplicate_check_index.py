"""Placement's duplicate check probes one index for the customer's twin: its cost does not
grow with the orders the customer placed within the window (migration 0029)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.orders.duplicates import duplicate_params, duplicate_statement
from ordersmith.uow import Database

INDEX = "ix_orders_customer_fingerprint"


def _plan(db: Database) -> str:
    """The database's plan of the duplicate check, asked for by running the statement
    itself (SQLAlchemy binds it) with ``EXPLAIN`` put in front of its text."""
    postgresql = db.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "

    def explain(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> Any:
        return prefix + statement, parameters

    with db.engine.connect() as conn:
        if postgresql:  # an empty test table is cheapest to scan; the question is which index
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            # the table as migrated, not as earlier tests' deleted rows and statistics left
            # it (rolled back below)
            conn.exec_driver_sql("TRUNCATE orders CASCADE")
        sa.event.listen(conn, "before_cursor_execute", explain, retval=True)
        result = conn.execute(
            duplicate_statement(postgresql), duplicate_params(uuid.uuid4(), "f" * 64, clock.now())
        )
        rows = result.cursor.fetchall() if result.cursor is not None else []
        conn.rollback()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_duplicate_check_finds_a_twin_by_customer_and_lines(db: Database) -> None:
    # given the orders table as migrated
    # when the duplicate check's plan is asked for
    plan = _plan(db)
    # then it looks the twin up by customer and fingerprint, not by the window alone
    assert INDEX in plan, plan


def test_the_index_leads_with_the_customer_and_the_fingerprint(db: Database) -> None:
    # given
    indexes = sa.inspect(db.engine).get_indexes("orders")
    # when
    columns = next(ix["column_names"] for ix in indexes if ix["name"] == INDEX)
    # then
    assert columns == ["customer_id", "lines_fingerprint", "created_at"]
