"""The result document (JSON in bench/results/) and the short human table (rich)."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench.consistency import Verdict
from bench.databases import Target
from bench.dataset import Dataset
from bench.metrics import SqlCounter
from bench.recorder import FULFIL, PLACE, is_step
from ordersmith.documents.font_subsetting import HINT as FONT_HINT
from ordersmith.documents.font_subsetting import fast_font_subsetting

if TYPE_CHECKING:
    from bench.run import RunConfig, Side

RESULTS = Path(__file__).parent / "results"
TARGETS = {
    "service_ratio": 0.5,
    "http_ratio": 0.35,
    "max_statements": 12,
    "p99_ms_at_8_clients_pg": 50.0,
}


def _per_order_ms(seconds: float, orders: int) -> float | None:
    return round(seconds * 1000 / orders, 2) if orders else None


def _side(side: Side, via: str, *, raw: bool) -> dict[str, Any]:
    stats = side.recorder.ops.get(PLACE)
    summary = stats.summary(side.seconds) if stats else {}
    orders = side.orders()
    app = side.client_cpu if raw or via == "service" else side.app_cpu
    doc: dict[str, Any] = {
        "orders": orders,
        "seconds": round(side.seconds, 2),
        "orders_per_s": round(side.orders_per_s(), 1),
        "latency_ms": {k: v for k, v in summary.items() if k.endswith("_ms")},
        "outcomes": summary.get("outcomes", {}),
        "cpu_ms_per_order": {
            "app": _per_order_ms(app, orders),
            "db": _per_order_ms(side.db_cpu, orders) if side.db_cpu else None,
        },
    }
    if not raw and via == "http":
        doc["cpu_ms_per_order"]["http_clients"] = _per_order_ms(side.client_cpu, orders)
    if side.sql is not None and stats is not None:
        doc["sql_per_order"] = SqlCounter.per(side.sql, len(stats.latencies))
    return doc


def _operations(mix: Side) -> dict[str, Any]:
    """Each operation of the mix: throughput, latencies, outcomes; its steps (fulfil's
    wave, pick, pack, label, dispatch...) under it; and, in service mode, its SQL
    statements and round trips per execution (fulfil: also per order shipped)."""
    ops = mix.recorder.ops
    labels = mix.sql_by_op
    out: dict[str, Any] = {}
    for op, stats in sorted(ops.items()):
        if is_step(op):
            continue
        doc = stats.summary(mix.seconds)
        if labels is not None:
            doc["sql_per_op"] = SqlCounter.per(SqlCounter.of_label(labels, op), doc["count"])
        steps = {
            name.partition(".")[2]: ops[name].summary(mix.seconds)
            for name in sorted(ops)
            if name.startswith(op + ".")
        }
        for name, step in steps.items():
            step.pop("outcomes", None)
            if labels is not None:
                counts = SqlCounter.of_label(labels, f"{op}.{name}")
                step["sql_per_step"] = SqlCounter.per(counts, step["count"])
        if steps:
            doc["steps"] = steps
        out[op] = doc
    shipped = mix.recorder.orders_shipped
    if FULFIL in out:
        out[FULFIL]["orders_shipped"] = shipped
        out[FULFIL]["orders_shipped_per_s"] = round(shipped / mix.seconds, 1) if mix.seconds else 0
        if labels is not None:
            out[FULFIL]["sql_per_order_shipped"] = SqlCounter.per(
                SqlCounter.of_label(labels, FULFIL), shipped
            )
    return out


def _versions(target: Target) -> dict[str, Any]:
    versions: dict[str, Any] = {
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "sqlite": sqlite3.sqlite_version,
    }
    if not target.is_sqlite:
        engine = sa.create_engine(target.url)
        with engine.connect() as conn:
            versions["postgresql"] = conn.exec_driver_sql("SHOW server_version").scalar()
            versions["synchronous_commit"] = conn.exec_driver_sql(
                "SHOW synchronous_commit"
            ).scalar()
        engine.dispose()
    versions["git_commit"] = _git("rev-parse", "--short", "HEAD")
    changed = _git("status", "--porcelain", "--", "src", "migrations")
    versions["src_uncommitted_changes"] = bool(changed) if changed is not None else None
    return versions


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _targets(doc: dict[str, Any], config: RunConfig) -> list[dict[str, Any]]:
    ratio = doc["comparison"]["ratio"]
    key, name = (
        ("service_ratio", "service >= 0.5x raw")
        if config.via == "service"
        else ("http_ratio", "http >= 0.35x raw")
    )
    max_statements = doc["sql_per_order"]["probe"]["place_order_max_statements"]
    p99 = doc["comparison"]["ordersmith"]["latency_ms"].get("p99_ms", 0.0)
    p99_applies = config.db == "postgresql" and config.clients == 8
    return [
        {
            "target": f"{name} ({config.db})",
            "value": ratio,
            "status": "met" if ratio >= TARGETS[key] else "not met",
        },
        {
            "target": "<= 12 SQL statements per order, any line count (service layer)",
            "value": max_statements,
            "status": "met" if max_statements <= TARGETS["max_statements"] else "not met",
        },
        {
            "target": "p99 place-order <= 50 ms at 8 clients on PostgreSQL",
            "value": p99,
            "status": (
                ("met" if p99 <= TARGETS["p99_ms_at_8_clients_pg"] else "not met")
                if p99_applies
                else "not measured (needs --db postgresql --clients 8)"
            ),
        },
    ]


def build(
    *,
    config: RunConfig,
    target: Target,
    data: Dataset,
    ordersmith: Side,
    raw: Side,
    slice_ratios: list[float],
    slice_rates: list[dict[str, float]],
    mix: Side,
    reads: Side,
    probe: dict[str, Any],
    verdict: Verdict,
    memory: dict[str, Any],
    weights: dict[str, Any],
) -> dict[str, Any]:
    o_rate, r_rate = ordersmith.orders_per_s(), raw.orders_per_s()
    operations = _operations(mix)
    doc: dict[str, Any] = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "config": config.__dict__,
            "database": target.name if not target.is_sqlite else "sqlite (temporary file)",
            "cpus": len(os.sched_getaffinity(0)),
            "versions": _versions(target),
            "documents": {"fast_font_subsetting": fast_font_subsetting()},
            "note": "shared, noisy machine: compare ratios and per-order costs, not absolutes",
        },
        "dataset": {
            "warehouses": len(data.warehouses),
            "skus": len(data.skus),
            "stock_rows": len(data.warehouses) * len(data.skus),
            "customers": len(data.customers),
            "history_orders": config.warehouses * config.history_per_warehouse,
            "account_customers": len(data.accounts),
            "opening_confirmed_orders": config.warehouses * config.opening_confirmed_per_warehouse,
            "load_seconds": data.timings,
        },
        "comparison": {
            "what": "place-order only, Ordersmith vs raw SQL, alternating slices (ABBA)",
            "ordersmith": _side(ordersmith, config.via, raw=False),
            "raw": _side(raw, config.via, raw=True),
            "ratio": round(o_rate / r_rate, 3) if r_rate else 0.0,
            "slice_ratios": slice_ratios,
            "slice_rates": slice_rates,
        },
        "mix": {
            "seconds": round(mix.seconds, 2),
            "weights": weights,
            "operations": operations,
            "cpu_ms_per_order": _side(mix, config.via, raw=False)["cpu_ms_per_order"],
        },
        "reads": {
            op: stats.summary(reads.seconds) for op, stats in sorted(reads.recorder.ops.items())
        },
        "sql_per_order": {
            "phase_average": _side(ordersmith, config.via, raw=False).get("sql_per_order"),
            "probe": probe,
        },
        "memory": memory,
        "consistency": verdict.as_dict(),
    }
    doc["targets"] = _targets(doc, config)
    return doc


def write(doc: dict[str, Any], out: Path | None) -> Path:
    config = doc["meta"]["config"]
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        out = RESULTS / f"run-{config['db']}-{config['via']}-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    return out


def _fmt(value: Any) -> str:
    return "-" if value is None else str(value)


def print_table(doc: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    if doc["meta"].get("documents", {}).get("fast_font_subsetting") is False:
        console.print(
            f"[yellow]warning: {FONT_HINT}; the mix's labels, pick lists and "
            "invoices are measured at that cost[/yellow]"
        )
    meta, comp = doc["meta"]["config"], doc["comparison"]
    title = (
        f"Ordersmith bench: {meta['db']} via {meta['via']}, {meta['warehouses']} warehouse(s), "
        f"{doc['dataset']['skus']} SKUs, {meta['clients']} clients"
    )
    table = Table(title=title, title_justify="left")
    for column in ("place order", "orders/s", "p50 ms", "p95 ms", "p99 ms", "app CPU ms/order"):
        table.add_column(column, justify="left" if column == "place order" else "right")
    table.add_column("DB CPU ms/order", justify="right")
    table.add_column("stmts / round trips per order", justify="right")
    for name in ("ordersmith", "raw"):
        side = comp[name]
        sql = side.get("sql_per_order")
        lat = side["latency_ms"]
        table.add_row(
            f"{name} ({meta['via']})" if name == "ordersmith" else "raw SQL",
            _fmt(side["orders_per_s"]),
            _fmt(lat.get("p50_ms")),
            _fmt(lat.get("p95_ms")),
            _fmt(lat.get("p99_ms")),
            _fmt(side["cpu_ms_per_order"]["app"]),
            _fmt(
                side["cpu_ms_per_order"]["db"] or ("in-process" if meta["db"] == "sqlite" else None)
            ),
            f"{sql['statements']} / {sql['round_trips']}" if sql else "-",
        )
    console.print(table)
    console.print(
        f"ratio Ordersmith/raw: [bold]{comp['ratio']}[/bold]  (per slice: {comp['slice_ratios']})"
    )
    clients_cpu = comp["ordersmith"]["cpu_ms_per_order"].get("http_clients")
    if clients_cpu is not None:
        console.print(
            f"(http: app CPU is the server's process tree; the HTTP clients in the bench "
            f"process used {clients_cpu} ms/order more)"
        )
    ops = Table(title="TPC-C-like mix (Ordersmith) and read mix", title_justify="left")
    columns: tuple[str, ...] = ("operation", "share", "ops/s", "p50 ms", "p95 ms", "p99 ms")
    columns += ("CPU ms/op", "stmts/op", "outcomes")
    for column in columns:
        ops.add_column(column, justify="left" if column in ("operation", "outcomes") else "right")
    shares = doc["mix"]["weights"]["shares"]
    for op, s in doc["mix"]["operations"].items():
        ops.add_row(
            op,
            f"{shares[op]:.0%}" if op in shares else "(follows)",
            *(_fmt(s[k]) for k in ("ops_per_s", "p50_ms", "p95_ms", "p99_ms")),
            _fmt(s["thread_cpu_ms_per_op"]),
            _fmt(s.get("sql_per_op", {}).get("statements")),
            ", ".join(f"{k} {v}" for k, v in s["outcomes"].items()),
        )
        for name, step in s.get("steps", {}).items():
            ops.add_row(
                f"  .{name}",
                "",
                *(_fmt(step[k]) for k in ("ops_per_s", "p50_ms", "p95_ms", "p99_ms")),
                _fmt(step["thread_cpu_ms_per_op"]),
                _fmt(step.get("sql_per_step", {}).get("statements")),
                "",
            )
    for op, s in doc["reads"].items():
        ops.add_row(
            f"{op} (reads)",
            "50%",
            *(_fmt(s[k]) for k in ("ops_per_s", "p50_ms", "p95_ms", "p99_ms")),
            _fmt(s["thread_cpu_ms_per_op"]),
            "",
            ", ".join(f"{k} {v}" for k, v in s["outcomes"].items()),
        )
    console.print(ops)
    fulfil = doc["mix"]["operations"].get(FULFIL)
    if fulfil is not None:
        per_order = fulfil.get("sql_per_order_shipped", {}).get("statements")
        console.print(
            f"fulfil shipped {fulfil['orders_shipped']} orders "
            f"({fulfil['orders_shipped_per_s']}/s); statements per order shipped: "
            f"{_fmt(per_order)}"
        )
    probe = doc["sql_per_order"]["probe"]["place_order"]
    console.print(
        "statements / round trips per place-order (service layer, alone): "
        + ", ".join(
            f"{k.replace('_', ' ')} {v['statements']}/{v['round_trips']}" for k, v in probe.items()
        )
    )
    o2c = doc["sql_per_order"]["probe"]
    if "fulfil" in o2c:
        console.print(
            "statements / round trips alone: "
            + ", ".join(
                f"fulfil {k.replace('_', ' ')} {v['per_order']['statements']}/"
                f"{v['per_order']['round_trips']} per order"
                for k, v in o2c["fulfil"].items()
            )
            + "; "
            + ", ".join(
                f"{name} {v['statements']}/{v['round_trips']}"
                for name, v in {
                    **{f"confirm {k}": c for k, c in o2c["confirm_order"].items()},
                    **o2c["record_payment"],
                }.items()
                if "statements" in v
            )
        )
    for t in doc["targets"]:
        color = {"met": "green", "not met": "red"}.get(t["status"], "yellow")
        console.print(f"  target {t['target']}: {t['value']} -> [{color}]{t['status']}[/{color}]")
    verdict = doc["consistency"]
    color = "green" if verdict["verdict"] == "PASS" else "red"
    details = ", ".join(
        f"{name.removeprefix('check:')} {c['status']}" for name, c in verdict["checks"].items()
    )
    console.print(f"consistency: [bold {color}]{verdict['verdict']}[/bold {color}]  ({details})")
