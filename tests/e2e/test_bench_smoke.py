"""The benchmark harness cannot rot: a ~10-second run of `python -m bench run`.

SQLite only, tiny scale (200 SKUs, 1 warehouse, 2 clients, 4 seconds, service layer):
it proves that the harness loads a business, alternates Ordersmith and the raw SQL
baseline, counts statements, and ends with a PASS consistency verdict. PostgreSQL is
left to `make bench` (a second database load and server round trips would double the
time, and the harness code under test is the same). No timing is asserted: performance
is measured by the bench, never asserted in tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_bench_run_reports_the_ratio_the_statements_and_a_passing_verdict(
    tmp_path: Path,
) -> None:
    # given
    out = tmp_path / "result.json"
    command = [sys.executable, "-m", "bench", "run", "--db", "sqlite", "--via", "service"]
    command += ["--skus", "200", "--warehouses", "1", "--clients", "2", "--seconds", "4"]
    command += ["--out", str(out), "--quiet"]

    # when
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)

    # then
    assert finished.returncode == 0, finished.stdout + finished.stderr
    doc = json.loads(out.read_text())
    comparison = doc["comparison"]
    assert comparison["ratio"] > 0
    assert comparison["ordersmith"]["orders"] > 0
    assert comparison["raw"]["orders"] > 0
    assert len(comparison["slice_ratios"]) == 4
    assert comparison["ordersmith"]["sql_per_order"]["statements"] > 0
    probe = doc["sql_per_order"]["probe"]
    assert probe["place_order_max_statements"] > 0
    assert doc["consistency"]["verdict"] == "PASS"
    assert doc["consistency"]["checks"]["acknowledged_orders_present"]["checked"] > 0
    assert doc["mix"]["operations"]["record_payment"]["status"] == "not implemented yet"
