"""The guard-cost tool cannot rot: `python -m bench.guard_cost` with two rounds.

It prices a duplicate check moved into placement's write on PostgreSQL (docs/
performance.md, "What to try next", item 14), so it runs only there: when
ORDERSMITH_TEST_DATABASE_URL is set (always in CI). It checks that every variant of the
captured write ran and was measured; no timing is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import postgres_server_url

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = {
    "plain",
    "plain_column",
    "every_statement",
    "one_raising_probe",
    "one_raising_probe_false",
}


def test_the_guard_cost_tool_measures_every_variant_of_the_write() -> None:
    # given a PostgreSQL server the tool may create its own database on
    url = postgres_server_url("guard-cost tool's tests")
    env = dict(os.environ, ORDERSMITH_BENCH_DATABASE_URL=url)
    # when it runs two rounds
    finished = subprocess.run(
        [sys.executable, "-m", "bench.guard_cost", "--rounds", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    # then every variant ran (a broken text would have failed the run) and was measured
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert set(result) == VARIANTS
    assert all(figures["median"] > 0 for figures in result.values())
