"""``python -m bench profile``: where one place-order's time goes, one client thread.

On a freshly loaded database (1 warehouse), after 100 warm-up orders:

1. ``orders`` orders through the service layer, unprofiled: wall and CPU per order (the
   bench process = Ordersmith + SQLAlchemy + psycopg; the PostgreSQL backend), and the
   wall time spent inside the driver per statement kind (network + database), so that
   "Python" = wall - driver time;
2. the same number of raw SQL orders (bench.raw), for the single-client baseline;
3. ``orders`` more under pyinstrument (wall-clock sampling): the text profile is printed
   and an HTML one written to bench/results/; meanwhile, with PostgreSQL on this
   machine, its backend's CPU per statement kind (``db_cpu_by_statement``: what is left
   of ``db_cpu_ms_per_order`` is mostly ``COMMIT``).

pyinstrument is not a dependency of Ordersmith: ``.venv/bin/pip install pyinstrument``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.databases import Target, fresh_database
from bench.dataset import Scale, load
from bench.metrics import CpuMeter, StatementTimer
from bench.raw import RawClient
from bench.recorder import Recorder
from bench.report import RESULTS
from bench.run import Meters
from bench.workload import Client, OrderMaker, ServiceClient
from ordersmith.uow import Database

Say = Callable[[str], None]


def _measure(client: Client, orders: int, meters: Meters) -> dict[str, float]:
    rec = Recorder()
    cpu = CpuMeter(lambda: [os.getpid()])
    cpu.start()
    if meters.db is not None:
        meters.db.start()
    started = time.perf_counter()
    for _ in range(orders):
        client.step("place", rec)
    wall = time.perf_counter() - started
    app = cpu.stop()
    db = meters.db.stop() if meters.db is not None else 0.0
    if rec.errors:
        raise RuntimeError(f"errors while profiling: {rec.error_samples}")
    return {
        "wall_ms_per_order": round(wall * 1000 / orders, 3),
        "app_cpu_ms_per_order": round(app * 1000 / orders, 3),
        "db_cpu_ms_per_order": round(db * 1000 / orders, 3),
    }


def run_profile(db_kind: str, orders: int, skus: int, say: Say) -> dict[str, Any]:
    try:
        from pyinstrument import Profiler
    except ImportError as exc:
        raise SystemExit(
            "profiling needs pyinstrument: .venv/bin/pip install pyinstrument"
        ) from exc
    with fresh_database(db_kind) as target:
        db = Database.connect(target.settings())
        try:
            data = load(db, Scale(1, skus, 300, 1000), progress=say)
            _analyze(db, target)
            ours = ServiceClient(db, OrderMaker(data, "prof", 0, 3))
            raw = RawClient(target, data, OrderMaker(data, "rawp", 0, 4), "p")
            meters = Meters(target, lambda: [os.getpid()])
            for client in (ours, raw):
                _measure(client, 100, meters)  # warm-up: compiled statements, plans, caches
            timer = StatementTimer(db.engine)
            say(f"measuring {orders} orders, one thread")
            result: dict[str, Any] = {"ordersmith": _measure(ours, orders, meters)}
            driver_ms = {
                label: round(total * 1000 / orders, 3)
                for label, total in timer.totals.most_common()
            }
            result["ordersmith"]["in_driver_ms_per_order"] = round(sum(driver_ms.values()), 3)
            result["ordersmith"]["in_driver_by_statement"] = driver_ms
            result["raw"] = _measure(raw, orders, meters)
            raw.close()
            meters.close()
            say(f"profiling {orders} orders with pyinstrument")
            timer.close()
            backend = StatementTimer(db.engine, backend_cpu=True)  # the database's side
            profiler = Profiler(interval=0.0005)
            rec = Recorder()
            profiler.start()
            for _ in range(orders):
                ours.step("place", rec)
            profiler.stop()
            backend.close()
            if backend.backend_cpu:  # PostgreSQL on this machine
                result["ordersmith"]["db_cpu_by_statement"] = {
                    label: round(total * 1000 / orders, 3)
                    for label, total in backend.backend_cpu.most_common()
                }
        finally:
            db.dispose()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    html = RESULTS / f"profile-{db_kind}-{stamp}.html"
    html.write_text(profiler.output_html())
    result["text"] = profiler.output_text(unicode=False, color=False, show_all=False)
    html.with_suffix(".txt").write_text(result["text"])
    result["html"] = str(html)
    result["orders"] = orders
    return result


def _analyze(db: Database, target: Target) -> None:
    if not target.is_sqlite:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
