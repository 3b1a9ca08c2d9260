"""The benchmark harness cannot rot: a ~20-second run of `python -m bench run`.

Tiny scale (200 SKUs, 20 customers, 1 warehouse, 6 seconds, service layer, fulfil
batches of 3): it proves that the harness loads a business and opens its books,
alternates Ordersmith and the raw SQL baseline, runs the whole TPC-C-like mix — place
order, record payment, fulfil, order status, stock level — counts statements, and ends
with a PASS consistency verdict. The same run over HTTP (``--via http``) drives the real
server, so the HTTP clients and the server's start and stop cannot rot either. No timing
is asserted: performance is measured by the bench, never asserted in tests.

On SQLite always; on PostgreSQL too when ORDERSMITH_TEST_DATABASE_URL is set (the bench
creates and drops its own database on that server). Both with 2 clients: the deadlock
between a cash sale's payment and a dispatch that kept PostgreSQL at 1 client is fixed
(ADR 0034; tests/integration/billing/test_payment_against_dispatch.py forces it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import postgres_server_url

ROOT = Path(__file__).resolve().parents[2]


CLIENTS = "2"


def _tiny_run(
    backend: str, via: str, out: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bench", "run", "--db", backend, "--via", via]
    command += ["--skus", "200", "--customers", "20", "--history", "200", "--warehouses", "1"]
    command += ["--opening-confirmed", "10", "--fulfil-batch", "3"]
    command += ["--clients", CLIENTS, "--seconds", "6", "--out", str(out), "--quiet"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def _result(finished: subprocess.CompletedProcess[str], out: Path) -> dict[str, Any]:
    verdict = json.loads(out.read_text())["consistency"] if out.exists() else None
    assert finished.returncode == 0, (finished.stdout + finished.stderr, verdict)
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def _env(backend: str) -> dict[str, str]:
    env = dict(os.environ)
    if backend == "postgresql":
        env["ORDERSMITH_BENCH_DATABASE_URL"] = postgres_server_url("PostgreSQL bench smoke tests")
    return env


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_tiny_bench_run_reports_the_whole_mix_the_statements_and_a_passing_verdict(
    tmp_path: Path, backend: str
) -> None:
    # given
    env = _env(backend)
    out = tmp_path / "result.json"

    # when
    finished = _tiny_run(backend, "service", out, env)

    # then
    doc = _result(finished, out)
    comparison = doc["comparison"]
    assert comparison["ratio"] > 0
    assert comparison["ordersmith"]["orders"] > 0
    assert comparison["raw"]["orders"] > 0
    assert len(comparison["slice_ratios"]) == 4
    assert [set(rates) for rates in comparison["slice_rates"]] == [{"ordersmith", "raw"}] * 4
    assert sum(rates["ordersmith"] for rates in comparison["slice_rates"]) > 0
    assert comparison["ordersmith"]["sql_per_order"]["statements"] > 0
    operations = doc["mix"]["operations"]
    payment = operations["record_payment"]
    assert payment["count"] > 0
    assert sum(payment["outcomes"].values()) == payment["count"]
    assert payment["outcomes"].get("error", 0) == 0
    assert payment["sql_per_op"]["statements"] > 0
    fulfil = operations["fulfil"]
    assert fulfil["count"] > 0
    assert fulfil["outcomes"].get("error", 0) == 0
    assert set(fulfil["steps"]) >= {"wave", "pick"}
    assert operations["confirm_order"]["count"] > 0
    probe = doc["sql_per_order"]["probe"]
    assert probe["place_order_max_statements"] > 0
    assert probe["fulfil"]["10_orders_10_lines"]["per_order"]["statements"] > 0
    assert probe["record_payment"]["cash_order_10_lines"]["statements"] > 0
    consistency = doc["consistency"]
    assert consistency["verdict"] == "PASS", consistency
    assert consistency["checks"]["acknowledged_orders_present"]["checked"] > 0
    assert consistency["checks"]["acknowledged_payments_present"]["checked"] > 0
    assert consistency["checks"]["acknowledged_shipments_dispatched"]["checked"] > 0
    assert consistency["checks"]["invoice_payment_balances"]["status"] == "PASS"
    # the mix's documents are costed as drawn here: with HarfBuzz's subsetter or not
    assert doc["meta"]["documents"]["fast_font_subsetting"] in (True, False)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_tiny_bench_run_over_http_drives_the_real_server_and_passes(
    tmp_path: Path, backend: str
) -> None:
    # given
    env = _env(backend)
    out = tmp_path / "result.json"

    # when the clients go through the server (granian, 2 workers) on kept-alive connections
    finished = _tiny_run(backend, "http", out, env)

    # then
    doc = _result(finished, out)
    comparison = doc["comparison"]
    assert comparison["ratio"] > 0
    assert comparison["ordersmith"]["orders"] > 0
    assert comparison["ordersmith"]["outcomes"].get("error", 0) == 0
    assert comparison["ordersmith"]["cpu_ms_per_order"]["http_clients"] > 0
    operations = doc["mix"]["operations"]
    for name in ("place_order", "record_payment", "fulfil", "order_status", "stock_level"):
        assert operations[name]["count"] > 0, name
        assert operations[name]["outcomes"].get("error", 0) == 0, (name, operations[name])
    assert doc["consistency"]["verdict"] == "PASS", doc["consistency"]
