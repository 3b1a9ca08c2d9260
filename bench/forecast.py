"""Forecast-run benchmark: ``python -m bench.forecast --series 5000 [--db sqlite|postgresql]``.

Loads a synthetic weekly order history of ``--series`` series into a fresh database
(``bench.databases``), set-based, then runs ``ordersmith.forecasting.services.
run_forecast`` over all of it with the CLI's progress bar, and reports series per
second, the wall-clock split (read: the weekly-demand query with stock and lead times;
forecast: the statistics; store: the results' transaction), process CPU seconds (this
process and its worker processes) and peak memory. ``--demo`` measures a fresh
``ordersmith demo`` business instead.

The history (seeded, ``--seed``): ``--warehouses`` warehouses (default 4) and
``series / warehouses`` products; each series starts in a random week of the first
two years (52 to 156 weeks of history, as a run reads 156) and is one of

- smooth (40 %): a level of 5 to 200 a week, a slow trend, noise (sd 15 % of level);
- seasonal (30 %): the same plus a yearly wave of ±40 % of the level;
- intermittent (30 %): an order of 1 to 6 units in 10 % to 45 % of the weeks.

Units are written as one completed import order per (week, warehouse) whose lines name
the warehouse: about 0.8 lines per series and week (480,000 lines for 5,000 series),
inserted by ``ordersmith.db.insert_rows`` in batches.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE slow a current numpy on this kind of machine
(machines that set them for old OpenBLAS builds); ``make bench-forecast`` unsets them
for the run only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.databases import fresh_database
from ordersmith import clock
from ordersmith.catalog.models import Product
from ordersmith.cli.common import progress_bar
from ordersmith.customers.models import Customer
from ordersmith.db import insert_rows, table_of
from ordersmith.forecasting.demand import WEEK, last_complete_week
from ordersmith.forecasting.requests import RunRequest
from ordersmith.forecasting.services import run_forecast
from ordersmith.inventory.services import create_warehouse
from ordersmith.orders.models import Order, OrderLine
from ordersmith.uow import Database

ACTOR = "bench:forecast"
WEEKS = 156
BATCH = 20_000


def _kind(rng: random.Random) -> str:
    roll = rng.random()
    return "smooth" if roll < 0.4 else ("seasonal" if roll < 0.7 else "intermittent")


def synthetic_series(rng: random.Random, weeks: int = WEEKS) -> list[int]:
    """One series' weekly units, oldest first, with leading zeros before it starts."""
    kind = _kind(rng)
    start = rng.randrange(0, weeks - 52)
    values = [0] * start
    if kind == "intermittent":
        chance, top = rng.uniform(0.1, 0.45), rng.randint(1, 6)
        values += [
            rng.randint(1, top) if rng.random() < chance else 0 for _ in range(weeks - start)
        ]
        values[start] = max(values[start], 1)
        return values
    level, trend = rng.uniform(5, 200), rng.uniform(-0.002, 0.004)
    phase, wave = rng.uniform(0, 2 * math.pi), 0.4 if kind == "seasonal" else 0.0
    for t in range(start, weeks):
        mean = level * (1 + trend * t) * (1 + wave * math.sin(2 * math.pi * t / 52 + phase))
        values.append(max(0, round(rng.gauss(mean, 0.15 * level))))
    values[start] = max(values[start], 1)
    return values


def load_history(db: Database, *, series: int, warehouses: int, seed: int) -> int:
    """The synthetic business; returns the order lines written."""
    rng = random.Random(seed)
    now = clock.now()
    with db.unit_of_work(actor=ACTOR) as uow:
        codes = [
            create_warehouse(uow, code=f"W{i + 1:02d}", name=f"Bench {i + 1}", priority=i + 1)
            for i in range(warehouses)
        ]
    customer = uuid.uuid4()
    products = [uuid.uuid4() for _ in range(math.ceil(series / warehouses))]
    with db.unit_of_work(actor=ACTOR) as uow:
        conn = uow.session.connection()
        insert_rows(
            conn,
            table_of(Customer),
            [
                {
                    "id": customer,
                    "number": "C-BENCH",
                    "name": "Bench buyer",
                    "email": "bench@example.com",
                    "account_type": "cash",
                    "currency": "EUR",
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        insert_rows(
            conn,
            table_of(Product),
            [
                {
                    "id": p,
                    "sku": f"SKU-{i:06d}",
                    "name": f"Bench product {i}",
                    "price": Decimal("1.00"),
                    "currency": "EUR",
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for i, p in enumerate(products)
            ],
        )
    first = last_complete_week(clock.today()) - (WEEKS - 1) * WEEK
    units: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (week, warehouse) -> lines
    for i in range(series):
        product, warehouse = divmod(i, warehouses)
        for week, quantity in enumerate(synthetic_series(rng)):
            if quantity:
                units.setdefault((week, warehouse), []).append((product, quantity))
    return _write_orders(db, customer, products, codes, first, units)


def _write_orders(
    db: Database,
    customer: uuid.UUID,
    products: list[uuid.UUID],
    warehouses: list[Any],
    first: Any,
    units: dict[tuple[int, int], list[tuple[int, int]]],
) -> int:
    orders, lines = table_of(Order), table_of(OrderLine)
    written, order_rows, line_rows = 0, [], []
    zero = Decimal(0)

    def flush() -> None:
        with db.unit_of_work(actor=ACTOR) as uow:
            insert_rows(uow.session.connection(), orders, order_rows)
            insert_rows(uow.session.connection(), lines, line_rows)
        order_rows.clear()
        line_rows.clear()

    for n, ((week, warehouse), items) in enumerate(sorted(units.items())):
        at = datetime.combine(first + week * WEEK + timedelta(days=1), day_time(10), tzinfo=UTC)
        order_id = uuid.uuid4()
        order_rows.append(
            {
                "id": order_id,
                "number": f"SO-BENCH-{n:07d}",
                "channel": "import",
                "customer_id": customer,
                "status": "completed",
                "backorder_policy": "allow",
                "currency": "EUR",
                "subtotal": zero,
                "discount_total": zero,
                "tax_total": zero,
                "shipping_total": zero,
                "total": zero,
                "units": sum(quantity for _, quantity in items),
                "lines_fingerprint": "",
                "created_by": ACTOR,
                "created_at": at,
                "updated_at": at,
            }
        )
        for line_no, (product, quantity) in enumerate(items, start=1):
            line_rows.append(
                {
                    "id": uuid.uuid4(),
                    "order_id": order_id,
                    "order_created_at": at,
                    "line_no": line_no,
                    "product_id": products[product],
                    "warehouse_id": warehouses[warehouse].id,
                    "sku": f"SKU-{product:06d}",
                    "name": f"Bench product {product}",
                    "quantity": quantity,
                    "unit_price": Decimal("1.00"),
                    "discount": zero,
                    "tax_rate": zero,
                    "net_amount": Decimal(quantity),
                    "tax_amount": zero,
                    "price_source": "bench",
                }
            )
        written += len(items)
        if len(line_rows) >= BATCH:
            flush()
    flush()
    return written


def _one_by_one() -> None:
    """Replace the batched backtest with one statsforecast call per series (what a run
    did before ordersmith.forecasting.batch): the same models, scores and forecasts."""
    from ordersmith.forecasting import batch, selection

    def forecast_many(series: Any, *, horizon: int, season: int = 52) -> list[Any]:
        return [selection.forecast_series(v, horizon=horizon, season=season) for v in series]

    batch.forecast_many = forecast_many  # type: ignore[assignment]


WORKER_DIR = "ORDERSMITH_BENCH_WORKER_DIR"


def timed_forecast_many(series: Any, *, horizon: int, season: int = 52) -> list[Any]:
    """``batch.forecast_many``; in a worker process it also leaves that process's CPU
    seconds and peak memory so far in a file (worker processes are children of the
    forkserver, so the parent's RUSAGE_CHILDREN never sees them)."""
    from ordersmith.forecasting import batch

    found = (_ORIGINAL or batch.forecast_many)(series, horizon=horizon, season=season)
    folder = os.environ.get(WORKER_DIR)
    if folder and _ORIGINAL is None:  # a worker: the parent set _ORIGINAL
        usage = resource.getrusage(resource.RUSAGE_SELF)
        Path(folder, f"{os.getpid()}.json").write_text(
            json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss})
        )
    return found


_ORIGINAL: Any = None


def _workers(folder: str) -> tuple[float, float]:
    """CPU seconds and the largest peak memory (MB) the worker processes reported."""
    found = [json.loads(p.read_text()) for p in Path(folder).glob("*.json")]
    return (
        sum(f["cpu"] for f in found),
        max((f["rss_kb"] for f in found), default=0) / 1024,
    )


def _analyze(db: Database) -> None:
    """Planner statistics after the bulk load, as autovacuum would make them later: on a
    fresh PostgreSQL database without them the demand query's plan joins every order to
    every product's lines (242 s instead of a few seconds for 5,000 series)."""
    with db.unit_of_work(actor=ACTOR) as uow:
        uow.session.execute(sa.text("ANALYZE"))


def _cpu() -> float:
    self_, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return self_.ru_utime + self_.ru_stime + children.ru_utime + children.ru_stime


def _per_series() -> bool:
    from ordersmith.forecasting import batch

    return batch.forecast_many.__module__ == __name__


def measure(db: Database, *, jobs: int) -> dict[str, Any]:
    from ordersmith.forecasting import batch

    folder = tempfile.mkdtemp(prefix="forecast-workers-")
    os.environ[WORKER_DIR] = folder
    global _ORIGINAL
    batched = not _per_series()
    if batched:
        _ORIGINAL = batch.forecast_many
        batch.forecast_many = timed_forecast_many  # type: ignore[assignment]
    timings: dict[str, Any] = {}
    loading = time.perf_counter()
    import statsforecast.models  # noqa: F401  (the import is timed apart from the run)

    imported = time.perf_counter() - loading
    cpu, started = _cpu(), time.perf_counter()
    with progress_bar("forecasting") as report:
        view = run_forecast(
            db, actor=ACTOR, request=RunRequest(), progress=report, jobs=jobs, timings=timings
        )
    total = time.perf_counter() - started
    if batched:
        batch.forecast_many = _ORIGINAL
        _ORIGINAL = None
    worker_cpu, worker_rss = _workers(folder)
    return {
        "mode": "batched" if batched else "per series",
        "series": view.series_count,
        "models": view.models,
        "jobs": jobs,
        "import_s": round(imported, 2),
        "seconds": round(total, 2),
        "series_per_second": round(view.series_count / total, 1) if total else None,
        "read_s": round(timings["read"], 2),
        "forecast_s": round(timings["forecast"], 2),
        "store_s": round(timings["store"], 2),
        "cpu_s": round(_cpu() - cpu + worker_cpu, 1),
        "worker_cpu_s": round(worker_cpu, 1),
        "load_average_1m": round(os.getloadavg()[0], 1),  # other work on the machine
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_worker_rss_mb": round(worker_rss, 1),
        "accuracy": (view.accuracy or {}).get("selection"),
        "baseline": (view.accuracy or {}).get("baseline"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast", description=__doc__)
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--warehouses", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--demo", action="store_true", help="a fresh `ordersmith demo` instead")
    parser.add_argument(
        "--per-series",
        action="store_true",
        help="the path before batching: each series backtested alone, in this process",
    )
    args = parser.parse_args(argv)
    if args.per_series:
        _one_by_one()
        args.jobs = 1
    with fresh_database(args.db) as target:
        db = Database.connect(target.settings())
        try:
            started = time.perf_counter()
            if args.demo:
                from ordersmith.demo.loader import load_demo

                load_demo(db)
                loaded = {"data": "ordersmith demo"}
            else:
                lines = load_history(
                    db, series=args.series, warehouses=args.warehouses, seed=args.seed
                )
                loaded = {"data": "synthetic", "order_lines": lines}
            _analyze(db)
            loaded["load_s"] = round(time.perf_counter() - started, 1)
            result = {"db": args.db, **loaded, **measure(db, jobs=args.jobs)}
        finally:
            db.dispose()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
