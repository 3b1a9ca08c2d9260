"""``python -m bench.guard_cost``: what a duplicate-check guard would cost placement's
write on PostgreSQL ("What to try next", items 10 and 14 of docs/performance.md).

A profile kept in a cache needs the duplicate check moved out of the prices read and
into the order's write, where the twin lock already holds. This tool prices that
guard before anyone builds it. It places one ten-line order of a small business in a
unit of work that is rolled back, and keeps the write's text and parameters. Then it
runs variants of that write on one connection, each in a transaction that is rolled
back, in alternating order, and reads the backend's CPU around each execution
(``/proc/<pid>/schedstat``):

- ``plain``: the write as placement sends it;
- ``plain_column``: the same with one more constant column (a text change alone);
- ``every_statement``: a ``guard`` CTE probing the duplicate index, and ``WHERE NOT
  EXISTS (SELECT 1 FROM guard)`` on every insert and on the stock update;
- ``one_raising_probe``: one probe in the final ``SELECT``, which divides by zero when a
  twin exists, so the statement fails whole;
- ``one_raising_probe_false``: that probe made ``AND false`` (the node without the work).

The database must run on this machine (for ``/proc``). It prints, as JSON, each
variant's quartiles in milliseconds of backend CPU per execution; progress goes to
stderr. The database comes from ``ORDERSMITH_BENCH_DATABASE_URL``, as for the bench.

    .venv/bin/python -m bench.guard_cost --rounds 400
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg

from bench.databases import Target, fresh_database
from bench.dataset import Scale, load
from bench.metrics import backend_cpu_seconds
from ordersmith import clock, driver
from ordersmith.hot_reads import driver_text
from ordersmith.orders.duplicates import duplicate_params, duplicate_statement
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.pg_arrays import dialect
from ordersmith.uow import Database

_GUARD = "NOT EXISTS (SELECT 1 FROM guard)"
_STOCK_BOUND = "AND s.reserved + d.r >= 0"


class _Undo(Exception):
    """Raised inside the unit of work so that the captured order is not kept."""


def captured_write(db: Database, order: PlaceOrder) -> tuple[str, dict[str, Any]]:
    """The order's write as placement sends it, and its parameters; nothing is kept."""
    seen: list[tuple[str, dict[str, Any]]] = []
    original = driver.fetch

    def spy(conn: Any, sql: str, parameters: Any, make: Any = None) -> list[Any]:
        if "INSERT INTO orders" in sql:
            seen.append((sql, dict(parameters)))
        return original(conn, sql, parameters, make)

    driver.fetch = spy
    try:
        with db.unit_of_work(actor="bench:guard") as uow:
            place_order(uow, order)
            raise _Undo
    except _Undo:
        pass
    finally:
        driver.fetch = original
    [write] = seen
    return write


def twin_probe() -> tuple[str, dict[str, Any]]:
    """Placement's own duplicate check (``orders.duplicates``) in the driver's style, and
    the values it fixed when it was built (the statuses it skips, its limit)."""
    return driver_text(duplicate_statement(True), dialect())


def variants(sql: str, twin: str) -> dict[str, str]:
    """The write's text and its variants guarded by the ``twin`` probe (see the module's
    docstring)."""
    if not sql.startswith("WITH ") or sql.count(_STOCK_BOUND) != 1:
        raise ValueError("not placement's write (WITH …, one stock update)")
    body = sql[len("WITH ") :].replace(") AS r WHERE ", f") AS r WHERE {_GUARD} AND ")
    body = re.sub(r"\) AS r(?! WHERE)", f") AS r WHERE {_GUARD}", body)
    body = body.replace(_STOCK_BOUND, f"AND {_GUARD} {_STOCK_BOUND}")
    final = "".join(sql.rpartition(") SELECT "))
    never = twin.replace(" ORDER BY", " AND false ORDER BY", 1)
    if never == twin:
        raise ValueError("the probe has no ORDER BY to put its AND false before")
    return {
        "plain": sql,
        "plain_column": f"{final}, 1",
        "every_statement": f"WITH guard AS ({twin}), {body}",
        "one_raising_probe": f"{final}, {_raising(twin)}",
        "one_raising_probe_false": f"{final}, {_raising(never)}",
    }


def _raising(twin: str) -> str:
    """A column that fails the statement when ``twin`` finds a row (``random()`` keeps
    the division from being folded at planning)."""
    return f"(CASE WHEN EXISTS ({twin}) THEN 1 / (random() * 0)::int END)"


def measure(
    target: Target, texts: dict[str, str], parameters: dict[str, Any], rounds: int
) -> dict[str, list[float]]:
    """Backend CPU ms per execution of each text, rounds alternating forwards and back."""
    with psycopg.connect(target.libpq_url) as conn:
        pid = conn.info.backend_pid
        if backend_cpu_seconds(pid) is None:
            raise SystemExit("guard_cost reads the backend's CPU in /proc: run PostgreSQL here")

        def cpu_ms() -> float:
            return (backend_cpu_seconds(pid) or 0.0) * 1000

        def once(text: str) -> float:
            with conn.cursor() as cursor:
                # as placement's transactions do (ADR 0042)
                cursor.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
                started = cpu_ms()
                cursor.execute(text, parameters, prepare=True)
                cursor.fetchall()
                used = cpu_ms() - started
            # ROLLBACK on libpq first: psycopg's own would deallocate the prepared
            # statements, and every round would parse and plan them again (ADR 0046)
            conn.pgconn.exec_(b"ROLLBACK")
            conn.rollback()
            return used

        names = list(texts)
        for name in names:  # prepared and planned before anything counts
            for _ in range(8):
                once(texts[name])
        spent: dict[str, list[float]] = {name: [] for name in names}
        for turn in range(rounds):
            for name in names if turn % 2 == 0 else reversed(names):
                spent[name].append(once(texts[name]))
    return spent


def summary(spent: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    def quartiles(values: list[float]) -> dict[str, float]:
        q1, median, q3 = statistics.quantiles(values, n=4)
        return {"p25": round(q1, 3), "median": round(median, 3), "p75": round(q3, 3)}

    return {name: quartiles(values) for name, values in spent.items()}


def _progress(message: str) -> None:
    print(f". {message}", file=sys.stderr)


def run(rounds: int, say: Callable[[str], None] = _progress) -> dict[str, dict[str, float]]:
    with fresh_database("postgresql") as target:
        db = Database.connect(target.settings())
        try:
            say("loading a small business")
            data = load(db, Scale(skus=200, customers_per_warehouse=20, history_per_warehouse=200))
            customer = data.customers[0]
            order = PlaceOrder(
                customer_id=customer,
                channel=Channel.API,
                lines=[LineRequest(sku, 1 + i % 3) for i, sku in enumerate(data.skus[:10])],
            )
            sql, parameters = captured_write(db, order)
            twin, constants = twin_probe()
            since = clock.now() - timedelta(minutes=30)
            probe = constants | duplicate_params(customer, "no such fingerprint", since)
            if probe.keys() & parameters.keys():
                raise ValueError(f"the probe's parameters clash with the write's: {probe}")
            parameters |= probe
            texts = variants(sql, twin)
            say(f"measuring {rounds} rounds of {len(texts)} variants")
            return summary(measure(target, texts, parameters, rounds))
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.guard_cost", description=__doc__)
    parser.add_argument("--rounds", type=int, default=400, help="executions of each variant")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.rounds), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
