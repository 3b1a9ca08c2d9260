"""One benchmark run: load (and open the books: invoices to pay, orders to fulfil), warm
up, alternate Ordersmith and raw place-order phases, measure the TPC-C-like mix and the
read mix, probe statements per operation, verify.

Time budget for ``--seconds S``: the place-order comparison takes S (half Ordersmith,
half raw, in ``alternations`` ABBA-ordered pairs of slices), the mix S/2 (and at least
the first quarter of every client's deck, 26 operations), the reads S/4, plus a short
unmeasured warm-up of both sides and one fulfil per Ordersmith client.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg

from bench.consistency import verify
from bench.databases import Target, fresh_database
from bench.dataset import Dataset, Scale, load
from bench.metrics import CpuMeter, SqlCounter, self_peak_rss_kb
from bench.opening import open_books
from bench.probe import probe_order_to_cash, probe_statements
from bench.raw import RawClient
from bench.recorder import PLACE, Recorder
from bench.report import build
from bench.workload import (
    READ_WEIGHTS,
    TPCC_WEIGHTS,
    Client,
    OrderMaker,
    ServiceClient,
    drive,
    first_quarter,
    shares,
)
from ordersmith.heap import freeze_startup_objects
from ordersmith.uow import Database

Say = Callable[[str], None]


@dataclass(frozen=True)
class RunConfig:
    db: str = "sqlite"
    via: str = "service"
    warehouses: int = 1
    clients: int = 8
    seconds: float = 40.0
    skus: int = 10_000
    customers_per_warehouse: int = 300
    history_per_warehouse: int = 1000
    alternations: int = 4
    seed: int = 7
    server_workers: int = 2
    opening_confirmed_per_warehouse: int = 200
    opening_invoiced_per_warehouse: int | None = None
    fulfil_batch: int = 10

    @property
    def scale(self) -> Scale:
        return Scale(
            self.warehouses,
            self.skus,
            self.customers_per_warehouse,
            self.history_per_warehouse,
            self.seed,
            self.opening_confirmed_per_warehouse,
            self.opening_invoiced_per_warehouse,
        )


@dataclass
class Side:
    """Accumulated measurements of one side (Ordersmith or raw) over its slices."""

    recorder: Recorder
    seconds: float = 0.0
    app_cpu: float = 0.0
    client_cpu: float = 0.0
    db_cpu: float = 0.0
    sql: Counter[str] | None = None
    sql_by_op: Counter[tuple[str, str]] | None = None

    def orders(self) -> int:
        stats = self.recorder.ops.get(PLACE)
        return stats.outcomes.get("ok", 0) if stats else 0

    def orders_per_s(self) -> float:
        return self.orders() / self.seconds if self.seconds else 0.0


class Meters:
    """CPU meters for the phase: the app, the bench process (clients), the database."""

    def __init__(self, target: Target, app_pids: Callable[[], list[int]]) -> None:
        self.app = CpuMeter(app_pids)
        self.me = CpuMeter(lambda: [os.getpid()])
        self._pg: psycopg.Connection[Any] | None = None
        if not target.is_sqlite:
            self._pg = psycopg.connect(target.libpq_url, autocommit=True)
            name = target.name
            self.db: CpuMeter | None = CpuMeter(lambda: self._backends(name))
        else:
            self.db = None

    def _backends(self, name: str) -> list[int]:
        assert self._pg is not None
        rows = self._pg.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchall()
        return [int(r[0]) for r in rows]

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()

    @contextmanager
    def measure(self, side: Side) -> Iterator[None]:
        for meter in self._all():
            meter.start()
        yield
        side.app_cpu += self.app.stop()
        side.client_cpu += self.me.stop()
        if self.db is not None:
            side.db_cpu += self.db.stop()

    def _all(self) -> list[CpuMeter]:
        return [self.app, self.me] + ([self.db] if self.db is not None else [])


def run_phase(
    clients: Sequence[Client],
    mode: str,
    seconds: float,
    side: Side,
    meters: Meters,
    counter: SqlCounter | None,
    min_ops: int = 0,
) -> float:
    """Drive one slice; add its measurements to ``side``; return its orders/s."""
    before = counter.snapshot() if counter is not None else None
    labels = counter.label_snapshot() if counter is not None else None
    if counter is not None:
        counter.enabled = True
    with meters.measure(side):
        outcome = drive(clients, mode, seconds, min_ops)
    if counter is not None and before is not None and labels is not None:
        counter.enabled = False
        side.sql = (side.sql or Counter()) + (counter.snapshot() - before)
        side.sql_by_op = (side.sql_by_op or Counter()) + (counter.label_snapshot() - labels)
    side.recorder.merge(outcome.recorder)
    side.seconds += outcome.seconds
    stats = outcome.recorder.ops.get(PLACE)
    return (stats.outcomes.get("ok", 0) if stats else 0) / outcome.seconds


def execute(config: RunConfig, say: Say) -> dict[str, Any]:
    """Run the benchmark on a fresh database; return the result document."""
    started = time.time()
    with fresh_database(config.db) as target:
        db = Database.connect(target.settings(db_pool_size=max(10, config.clients + 2)))
        try:
            data = load(db, config.scale, progress=say)
            open_books(db, data, progress=say)
            if not target.is_sqlite:  # fresh statistics, as autovacuum would have them
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    conn.commit()
            result = _measure(config, target, db, data, say)
        finally:
            db.dispose()
    result["meta"]["wall_seconds"] = round(time.time() - started, 1)
    return result


def _measure(
    config: RunConfig, target: Target, db: Database, data: Dataset, say: Say
) -> dict[str, Any]:
    tag = f"{os.getpid() % 100_000:05d}"
    counter = SqlCounter(db.engine) if config.via == "service" else None
    with ExitStack() as stack:
        raw = [
            RawClient(target, data, OrderMaker(data, f"r{tag}", i, config.seed + 1), tag)
            for i in range(config.clients)
        ]
        stack.callback(_close_all, raw)
        ours, app_pids, server = _ordersmith_clients(config, target, db, data, tag, stack, counter)
        meters = Meters(target, app_pids)
        stack.callback(meters.close)

        say("warming up")
        scratch = Side(Recorder())
        warm = min(2.0, config.seconds / 10)
        run_phase(ours, "place", warm, scratch, meters, None)
        run_phase(raw, "place", warm, scratch, meters, None)
        for client in ours:  # one fulfil each: the label renderer's first use is slow
            client.step("fulfil", scratch.recorder)

        o_side, r_side = Side(Recorder()), Side(Recorder())
        ratios: list[float] = []
        slice_rates: list[dict[str, float]] = []  # orders/s of each side, slice by slice
        slice_s = config.seconds / (2 * config.alternations)
        for i in range(config.alternations):
            say(f"place-order comparison {i + 1}/{config.alternations}")
            pair: list[tuple[str, Sequence[Client], Side]] = [
                ("o", ours, o_side),
                ("r", raw, r_side),
            ]
            rates = {}
            for name, clients, side in pair if i % 2 == 0 else pair[::-1]:
                rates[name] = run_phase(
                    clients, "place", slice_s, side, meters, counter if name == "o" else None
                )
            ratios.append(round(rates["o"] / rates["r"], 3) if rates["r"] else 0.0)
            slice_rates.append({"ordersmith": round(rates["o"], 1), "raw": round(rates["r"], 1)})

        say("TPC-C-like mix")
        mix = Side(Recorder())
        # S/2, and until every client has played the first quarter of its deck: each
        # runs every operation of the mix at least once, fulfil included
        quarter = first_quarter(TPCC_WEIGHTS)
        run_phase(ours, "mix", config.seconds / 2, mix, meters, counter, quarter)
        say("read mix")
        reads = Side(Recorder())
        run_phase(ours, "reads", config.seconds / 4, reads, meters, None)
        server_rss = server() if server is not None else None

    say("probing statements per operation")
    probe = probe_statements(db, data)
    probe.update(probe_order_to_cash(db, data))
    say("checking consistency")
    everything = Recorder()
    for side in (scratch, o_side, r_side, mix, reads):
        everything.merge(side.recorder)
    verdict = verify(
        db,
        acked=everything.acked,
        bad_refs=everything.bad_refs,
        errors=dict(everything.errors),
        error_samples=everything.error_samples,
        payments=everything.payments,
        paid_orders=everything.paid_orders,
        shipments=everything.shipments,
    )
    return build(
        config=config,
        target=target,
        data=data,
        ordersmith=o_side,
        raw=r_side,
        slice_ratios=ratios,
        slice_rates=slice_rates,
        mix=mix,
        reads=reads,
        probe=probe,
        verdict=verdict,
        memory={"bench_process_peak_rss_kb": self_peak_rss_kb(), "server_peak_rss_kb": server_rss},
        weights={"tpcc": TPCC_WEIGHTS, "shares": shares(TPCC_WEIGHTS), "reads": READ_WEIGHTS},
    )


def _close_all(clients: Sequence[RawClient] | Sequence[Any]) -> None:
    for client in clients:
        client.close()


def _ordersmith_clients(
    config: RunConfig,
    target: Target,
    db: Database,
    data: Dataset,
    tag: str,
    stack: ExitStack,
    counter: SqlCounter | None,
) -> tuple[list[Client], Callable[[], list[int]], Callable[[], int] | None]:
    makers = [
        OrderMaker(data, f"o{tag}", i, config.seed, config.clients, config.fulfil_batch)
        for i in range(config.clients)
    ]
    if config.via == "service":
        clients: list[Client] = [ServiceClient(db, m, counter) for m in makers]
        freeze_startup_objects()  # this process is the application: as the server does
        return clients, lambda: [os.getpid()], None
    from bench.http_mode import HttpClient, running_server
    from bench.metrics import peak_rss_kb

    server = stack.enter_context(running_server(db, target, workers=config.server_workers))
    clients = [HttpClient(server, m) for m in makers]
    stack.callback(_close_all, clients)
    return list(clients), server.pids, lambda: peak_rss_kb(server.pids())
