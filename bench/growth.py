"""Growth: do the read paths stay flat as orders pile up?

One database grows through the sizes given (default 10^4, 10^5, 10^6 orders) by bulk
import (``import_historical_orders``, 1-5 lines an order, over the last year, 1,000
customers, 1,000 SKUs); 50 live orders are placed through ``place_order`` at each size
so the newest orders are real ones. At each size every query runs ``queries`` times in
one thread (after 10 unmeasured warm-up runs), each in its own read transaction, and
its p50/p99 is recorded:

* order list by status (5% of orders are cancelled), newest first, two keyset pages;
* order list of one customer (first page);
* order search by SKU (orders containing a SKU, first page);
* customer history (counts, lifetime value, units, recent orders of one customer);
* order status (a customer's latest order, with its lines);
* stock level (the TPC-C query: SKUs of the last 20 orders below a threshold).

On PostgreSQL the database is vacuumed and ANALYZEd after each growth step, as autovacuum
would do in production after a bulk load (the visibility map lets customer history read
its covering index alone); on SQLite neither runs (Ordersmith never runs ANALYZE there).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from bench.databases import fresh_database
from bench.dataset import Dataset, Scale, import_history, load
from bench.metrics import percentile
from bench.report import RESULTS
from bench.workload import stock_level_query
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import OrderFilter, customer_history, get_order, list_orders
from ordersmith.orders.status import OrderStatus
from ordersmith.uow import Database

Say = Callable[[str], None]
WARM_UP = 10
LIVE_PER_SIZE = 50


@dataclass(frozen=True)
class GrowthConfig:
    db: str = "sqlite"
    sizes: list[int] | None = None
    queries: int = 200
    skus: int = 1000
    customers: int = 1000
    seed: int = 11


def _queries(data: Dataset) -> dict[str, Callable[[Session, random.Random], object]]:
    def by_status(session: Session, rng: random.Random) -> object:
        flt = OrderFilter(status=OrderStatus.CANCELLED)
        first = list_orders(session, flt, limit=50)
        if len(first) == 50:
            return list_orders(session, flt, limit=50, before=(first[-1].created_at, first[-1].id))
        return first

    def by_customer(session: Session, rng: random.Random) -> object:
        return list_orders(session, OrderFilter(customer_id=rng.choice(data.customers)), limit=50)

    def by_sku(session: Session, rng: random.Random) -> object:
        return list_orders(session, OrderFilter(sku=rng.choice(data.skus)), limit=50)

    def history(session: Session, rng: random.Random) -> object:
        return customer_history(session, rng.choice(data.customers))

    def status(session: Session, rng: random.Random) -> object:
        latest = list_orders(session, OrderFilter(customer_id=rng.choice(data.customers)), limit=1)
        return get_order(session, str(latest[0].id)) if latest else None

    def stock(session: Session, rng: random.Random) -> object:
        return stock_level_query(session, data.warehouses[0][1], rng.randint(50_000, 100_000))

    return {
        "order list by status, 2 keyset pages": by_status,
        "order list of a customer": by_customer,
        "order search by SKU": by_sku,
        "customer history": history,
        "order status (latest order + lines)": status,
        "stock level (last 20 orders)": stock,
    }


def _time(db: Database, fn: Callable[[Session, random.Random], object], n: int) -> dict[str, float]:
    rng = random.Random(5)
    samples = []
    for i in range(WARM_UP + n):
        started = time.perf_counter()
        with db.reader() as session:
            fn(session, rng)
        if i >= WARM_UP:
            samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "p50_ms": round(percentile(samples, 50) * 1000, 3),
        "p99_ms": round(percentile(samples, 99) * 1000, 3),
    }


def _place_live(db: Database, data: Dataset, rng: random.Random) -> None:
    for _ in range(LIVE_PER_SIZE):
        with db.unit_of_work(actor="bench:growth") as uow:
            place_order(
                uow,
                PlaceOrder(
                    customer_id=rng.choice(data.customers),
                    channel=Channel.PHONE,
                    lines=[LineRequest(sku, rng.randint(1, 5)) for sku in rng.sample(data.skus, 3)],
                ),
            )


def run_growth(config: GrowthConfig, say: Say) -> dict[str, Any]:
    sizes = config.sizes or [10_000, 100_000, 1_000_000]
    doc: dict[str, Any] = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "db": config.db,
            "sizes": sizes,
            "queries_per_size": config.queries,
            "skus": config.skus,
            "customers": config.customers,
        },
        "sizes": {},
    }
    rng = random.Random(config.seed)
    with fresh_database(config.db) as target:
        db = Database.connect(target.settings())
        try:
            scale = Scale(1, config.skus, config.customers, 0, config.seed)
            data = load(db, scale, progress=say)
            queries = _queries(data)
            count, batch_no = 0, 0
            for size in sizes:
                started = time.perf_counter()
                if size > count:
                    batch_no += 1
                    import_history(
                        db,
                        data,
                        size - count - LIVE_PER_SIZE,
                        rng,
                        lines=(1, 5),
                        ref_prefix=f"g{batch_no}-{uuid.uuid4().hex[:6]}",
                        progress=say if size - count > 50_000 else None,
                    )
                    _place_live(db, data, rng)
                    count = size
                load_s = round(time.perf_counter() - started, 1)
                if not target.is_sqlite:
                    autocommit = db.engine.execution_options(isolation_level="AUTOCOMMIT")
                    with autocommit.connect() as conn:  # VACUUM runs outside a transaction
                        conn.execute(sa.text("VACUUM (ANALYZE)"))
                say(f"{size} orders (grown in {load_s} s): timing {config.queries} x each query")
                doc["sizes"][str(size)] = {
                    "grow_seconds": load_s,
                    "queries": {
                        name: _time(db, fn, config.queries) for name, fn in queries.items()
                    },
                }
        finally:
            db.dispose()
    return doc


def write(doc: dict[str, Any], out: Path | None) -> Path:
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        out = RESULTS / f"growth-{doc['meta']['db']}-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    return out


def print_curve(doc: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    sizes = list(doc["sizes"])
    table = Table(
        title=f"Growth on {doc['meta']['db']}: p50 / p99 ms per query "
        f"({doc['meta']['queries_per_size']} queries per size, one thread)",
        title_justify="left",
    )
    table.add_column("query")
    for size in sizes:
        table.add_column(f"{int(size):,} orders", justify="right")
    names = list(doc["sizes"][sizes[0]]["queries"]) if sizes else []
    for name in names:
        cells = []
        for size in sizes:
            q = doc["sizes"][size]["queries"][name]
            cells.append(f"{q['p50_ms']} / {q['p99_ms']}")
        table.add_row(name, *cells)
    console.print(table)
