"""``bench.metrics.StatementTimer``: the wall time per statement kind on both databases,
and on PostgreSQL running on this machine the backend's CPU per kind, read from
``/proc/<backend pid>/schedstat`` (what ``python -m bench profile`` reports as
``db_cpu_by_statement``)."""

from __future__ import annotations

import os

from bench.metrics import StatementTimer, backend_cpu_seconds, statement_label

from ordersmith.uow import Database


def test_a_local_process_cpu_is_read_in_seconds_and_a_missing_one_is_none() -> None:
    # given this process has run some code
    sum(range(100_000))

    # when
    mine = backend_cpu_seconds(os.getpid())

    # then
    assert mine is not None
    assert mine > 0
    assert backend_cpu_seconds(None) is None
    assert backend_cpu_seconds(2**22 + 1) is None  # above the kernel's largest pid


def test_the_timer_splits_wall_time_and_backend_cpu_by_statement_kind(db: Database) -> None:
    # given
    timer = StatementTimer(db.engine, backend_cpu=True)
    busy = "SELECT count(*) FROM generate_series(1, 200000)"
    if db.settings.is_sqlite:
        busy = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
            "SELECT count(*) FROM n"
        )

    # when
    with db.engine.connect() as conn:
        for _ in range(3):
            conn.exec_driver_sql(busy).scalar_one()
    timer.close()
    with db.engine.connect() as conn:  # after close: not timed
        conn.exec_driver_sql(busy).scalar_one()

    # then
    label = statement_label(busy)  # the connection's own set-up may run statements too
    assert timer.counts[label] == 3
    assert timer.totals[label] > 0
    if db.settings.is_sqlite:  # in-process: no backend of its own
        assert label not in timer.backend_cpu
    else:  # the test server runs on this machine (127.0.0.1)
        assert 0 < timer.backend_cpu[label] <= timer.totals[label] * 1.5
