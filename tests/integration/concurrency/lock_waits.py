"""Waiting, in a test, until another session of the test database waits for a lock."""

from __future__ import annotations

import time

import sqlalchemy as sa

from ordersmith.uow import Database


def wait_for_lock_wait(
    db: Database, *, timeout: float = 10.0, wait_event: str | None = None
) -> None:
    """Until some other session of this database waits on a lock (PostgreSQL): any
    heavyweight lock, or only one of ``wait_event`` (``"tuple"``, ``"advisory"``, …).
    AssertionError if none does within ``timeout`` seconds."""
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock'"
        + ("" if wait_event is None else " AND wait_event = :wait_event")
    )
    parameters = {} if wait_event is None else {"wait_event": wait_event}
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(sa.text(query), parameters).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.02)
    kind = "a lock" if wait_event is None else f"a lock ({wait_event})"
    raise AssertionError(f"no session of the database waited for {kind} within {timeout} s")
