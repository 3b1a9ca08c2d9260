"""SQLite writers take turns on a file lock beside the database (ordersmith.sqlite_writers,
ADR 0038): threads and processes queue for it, a failed unit of work gives it back,
readers never wait for it, and a writer that cannot get it in time is told so."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ordersmith.db import core
from ordersmith.uow import Database
from tests.conftest import make_settings

PATIENCE = 20.0  # seconds before a writer that never finishes fails the test (no hang)


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    """The test database with a ``probe`` table to write to; SQLite only."""
    if not db.settings.is_sqlite:
        pytest.skip("the writers' queue is SQLite's (PostgreSQL has row locks)")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE probe (writer TEXT NOT NULL, n INTEGER NOT NULL)")
    return db


@pytest.fixture
def impatient(sqlite_db: Database, tmp_path: Path) -> Iterator[Database]:
    """The same database, with writers that wait 0.2 s at most."""
    url = sqlite_db.settings.effective_database_url
    database = Database.connect(make_settings(tmp_path, url, sqlite_busy_timeout_ms=200))
    yield database
    database.dispose()


def write(db: Database, writer: str, n: int) -> None:
    with db.unit_of_work(actor="test") as uow:
        core(uow.session).execute(
            sa.text("INSERT INTO probe (writer, n) VALUES (:writer, :n)"),
            {"writer": writer, "n": n},
        )


def fail_after_writing(db: Database) -> None:
    with db.unit_of_work(actor="test") as uow:
        core(uow.session).exec_driver_sql("INSERT INTO probe (writer, n) VALUES ('failed', 0)")
        raise RuntimeError("the work failed")


def probe_rows(db: Database) -> list[tuple[str, int]]:
    with db.reader() as session:
        rows = session.execute(sa.text("SELECT writer, n FROM probe ORDER BY rowid"))
        return [(writer, n) for writer, n in rows]


class HeldTurn:
    """A unit of work left open in another thread, holding the writer turn until released."""

    def __init__(self, db: Database) -> None:
        self.holding, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(db,))

    def _hold(self, db: Database) -> None:
        with db.unit_of_work(actor="holder") as uow:
            core(uow.session).exec_driver_sql("INSERT INTO probe (writer, n) VALUES ('holder', 0)")
            self.holding.set()
            self.release.wait(PATIENCE)

    def __enter__(self) -> HeldTurn:
        self.thread.start()
        assert self.holding.wait(PATIENCE)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.thread.join(PATIENCE)


def run_in_thread(target: object) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_many_threads_writing_through_one_database_all_commit(sqlite_db: Database) -> None:
    # given 8 threads of 25 units of work each, started together
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        start.wait()
        for n in range(25):
            try:
                write(sqlite_db, name, n)
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"t{i}",)) for i in range(8)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE * 3)
    # then: every unit of work committed, none was told "database is locked"
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    rows = probe_rows(sqlite_db)
    assert len(rows) == 200
    assert {(writer, n) for writer, n in rows} == {
        (f"t{i}", n) for i in range(8) for n in range(25)
    }


WRITER_SCRIPT = """
import sys, time
from pathlib import Path
import sqlalchemy as sa
from ordersmith.db import make_engine
url, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
engine = make_engine(url)
while not go.exists():
    time.sleep(0.01)
for n in range(40):
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO probe (writer, n) VALUES (:w, :n)"), {"w": name, "n": n})
        time.sleep(0.002)  # the turn is held a moment: the other process must wait for it
engine.dispose()
"""


def test_writers_in_two_processes_take_turns_and_all_commit(
    sqlite_db: Database, tmp_path: Path
) -> None:
    # given two processes that write 40 units of work each, once told to go
    go, url = tmp_path / "go", sqlite_db.settings.effective_database_url
    env_path = ":".join(sys.path)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_SCRIPT, url, name, str(go)],
            env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("p1", "p2")
    ]
    # when both go at once
    go.touch()
    outcomes = [(p.wait(PATIENCE * 3), p.stderr.read() if p.stderr else "") for p in processes]
    # then both finished cleanly and every row of both is there
    assert outcomes == [(0, ""), (0, "")]
    rows = probe_rows(sqlite_db)
    assert sorted(rows) == sorted((name, n) for name in ("p1", "p2") for n in range(40))


def test_a_failed_unit_of_work_gives_the_turn_back_to_the_next_writer(
    sqlite_db: Database,
) -> None:
    # given a unit of work that wrote, then failed
    with pytest.raises(RuntimeError):
        fail_after_writing(sqlite_db)
    # when another thread writes (it would wait 30 s for a turn never given back)
    thread, errors = run_in_thread(lambda: write(sqlite_db, "next", 1))
    thread.join(5)
    # then it finished and only its row is there
    assert not thread.is_alive()
    assert errors == []
    assert probe_rows(sqlite_db) == [("next", 1)]


def test_a_reader_does_not_wait_for_the_writer_turn(sqlite_db: Database) -> None:
    # given another thread's unit of work holding the writer turn
    with HeldTurn(sqlite_db):
        # when a reader reads meanwhile
        thread, errors = run_in_thread(lambda: probe_rows(sqlite_db))
        thread.join(5)
        # then it finished while the turn was still held
        assert not thread.is_alive()
        assert errors == []


def test_a_writer_that_gets_no_turn_in_time_is_told_the_database_is_locked(
    sqlite_db: Database, impatient: Database
) -> None:
    # given another thread's unit of work holding the writer turn
    with HeldTurn(sqlite_db):
        # when a writer that waits at most 0.2 s writes
        thread, errors = run_in_thread(lambda: write(impatient, "impatient", 1))
        thread.join(5)
        # then it gave up with SQLite's own kind of error, and wrote nothing
        assert not thread.is_alive()
        assert len(errors) == 1
        assert isinstance(errors[0], sa.exc.OperationalError)
        assert "database is locked" in str(errors[0])
    assert ("impatient", 1) not in probe_rows(sqlite_db)
