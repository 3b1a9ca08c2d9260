"""`ordersmith replenish`: policies, a review run with its progress bar, requests approved,
edited, rejected and ordered from a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner, Result

from ordersmith.purchasing.queries import get_purchase_order
from ordersmith.uow import Database
from tests.factories.inventory import stock_up
from tests.integration.replenishment.conftest import Store, make_store, requests

runner = CliRunner()


def run(db: Database, *args: str) -> Result:
    from ordersmith.cli.main import app

    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "COLUMNS": "240",
    }
    return runner.invoke(app, ["replenish", *args], env=env)


def ok(db: Database, *args: str) -> str:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def store(db) -> Store:
    """ACME preferred for A-1 (from 50 in packs of 25); 12 anvils and 3 clamps at MAIN."""
    found = make_store(db)
    stock_up(db, {("MAIN", "A-1"): 12, ("MAIN", "C-3"): 3})
    return found


def test_a_planner_replenishes_from_the_terminal(store):
    # given
    db = store.db
    anvils = ("--kind", "min_max", "--min", "20", "--max", "100")
    set_anvils = ok(db, "policy", "set", "main", "A-1", *anvils)
    ok(db, "policy", "set", "MAIN", "C-3", "--kind", "min_max", "--min", "10", "--max", "40")
    policies = ok(db, "policy", "list")
    # when
    reviewed = ok(db, "run")
    listed = ok(db, "requests", "--status", "open")
    shown = ok(db, "show", "A-1@MAIN")
    as_json = json.loads(ok(db, "show", "A-1@MAIN", "--json"))
    edited = ok(db, "edit", "A-1@MAIN", "--quantity", "150")
    approved = ok(db, "approve", "--all")
    ordered = ok(db, "order")
    # then
    assert set_anvils.strip() == "A-1 at MAIN: min_max (min 20, max 100)"
    assert "default (ORDERSMITH_REPLENISHMENT_DEFAULT_POLICY): forecast" in policies
    assert "reviewing" in reviewed
    assert "2 (warehouse, SKU) pairs reviewed: 2 requests raised" in reviewed
    assert "A-1" in listed
    assert "C-3" in listed
    assert all(str(r.id) in listed for r in requests(db))  # whole ids, never cut with "…"
    assert "so 88 are needed to reach its max 100" in shown
    assert "purchase" in shown
    assert (as_json["suggested_quantity"], as_json["supplier"]) == (100, "ACME")
    assert "purchase of 150 (suggested 100) from ACME" in edited
    assert "approved A-1 at MAIN: purchase of 150" in approved
    acme_line = next(line for line in ordered.splitlines() if "ACME" in line)
    assert acme_line.endswith("draft ACME -> MAIN: A-1 150")
    number = acme_line.split(":")[0]
    with db.reader() as session:
        po = get_purchase_order(session, number)
    assert [(ln.sku, ln.quantity) for ln in po.lines] == [("A-1", 150)]
    assert {r.status for r in requests(db)} == {"ordered"}


def test_a_rejected_request_shows_why(store):
    # given
    db = store.db
    ok(db, "policy", "set", "MAIN", "A-1", "--kind", "min_max", "--min", "20", "--max", "100")
    ok(db, "run")
    # when
    rejected = ok(db, "reject", "A-1@MAIN", "--reason", "the line is discontinued")
    listed = ok(db, "requests", "--status", "rejected")
    # then
    assert rejected.strip() == "rejected A-1 at MAIN: the line is discontinued"
    assert "A-1" in listed


def test_a_request_raised_by_hand_and_a_manual_policy(store):
    # given: C-3 is replenished by hand only
    db = store.db
    ok(db, "policy", "set", "MAIN", "C-3", "--kind", "manual")
    # when
    reviewed = ok(db, "run")
    raised = ok(db, "raise", "C-3", "--warehouse", "MAIN", "--quantity", "30")
    # then
    assert "0 requests raised" in reviewed
    assert "C-3 at MAIN  open purchase of 30 from BOLTCO (manual)" in raised


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("policy", "set", "MAIN", "A-1", "--kind", "min_max", "--min", "5"), "validation_error"),
        (("show", "A-1@MAIN"), "replenishment_request_not_found"),
        (("requests", "--status", "sometimes"), "validation_error"),
        (("approve",), "validation_error"),
    ],
)
def test_bad_input_exits_non_zero_with_the_error_code(store, args, code):
    # when
    result = subprocess.run(
        [sys.executable, "-m", "ordersmith", "replenish", *args],
        env={**os.environ, "ORDERSMITH_DATABASE_URL": store.db.settings.effective_database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"error [{code}]")
