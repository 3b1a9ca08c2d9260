"""`ordersmith stock transfer ...`: moving stock between warehouses from a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from ordersmith.inventory.queries import stock_levels
from ordersmith.inventory.transfer_queries import get_transfer
from tests.e2e.test_cli import run
from tests.factories.inventory import stock_up
from tests.integration.conftest import Shop, make_shop


@pytest.fixture
def warehouses(db) -> Shop:
    """MAIN and EAST; 10 A-1 and 4 B-2 at MAIN."""
    shop = make_shop(db)
    stock_up(db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 4})
    return shop


def _on_hand(db, warehouse):
    with db.reader() as session:
        return {r.sku: r.on_hand for r in stock_levels(session, warehouse=warehouse)}


def test_a_transfer_is_created_dispatched_received_in_parts_listed_and_shown(warehouses):
    # given
    db = warehouses.db
    # when
    created = run(
        db, "stock", "transfer", "create", "--from", "MAIN", "--to", "east",
        "--line", "A-1=4", "--line", "B-2=4", "--dispatch", "--note", "weekend sale",
    )  # fmt: skip
    number = created.stdout.split(":")[0]
    part = run(db, "stock", "transfer", "receive", number, "--line", "A-1=1")
    on_the_way = run(db, "stock", "transfer", "in-transit", "--warehouse", "EAST")
    rest = run(db, "stock", "transfer", "receive", number)
    listed = run(db, "stock", "transfer", "list", "--status", "received")
    shown = run(db, "stock", "transfer", "show", number.lower())
    checked = run(db, "check")
    # then
    for result in (created, part, on_the_way, rest, listed, shown, checked):
        assert result.exit_code == 0, result.output
    assert number.startswith("TR-")
    assert "in_transit MAIN -> EAST" in created.stdout
    assert "partially_received" in part.stdout
    rows = [re.findall(r"[\w-]+", line) for line in on_the_way.stdout.splitlines()]
    assert ["A-1", "EAST", "3"] in rows
    assert "received" in rest.stdout
    assert number in listed.stdout
    assert "weekend sale" in shown.stdout
    assert _on_hand(db, "MAIN") == {"A-1": 6, "B-2": 0}
    assert _on_hand(db, "EAST") == {"A-1": 4, "B-2": 4}


def test_a_draft_is_dispatched_and_a_transfer_in_transit_cancelled_back_to_the_source(
    warehouses,
):
    # given
    db = warehouses.db
    created = run(
        db, "stock", "transfer", "create", "--from", "MAIN", "--to", "EAST", "--line", "A-1=3"
    )
    number = created.stdout.split(":")[0]
    # when
    sent = run(db, "stock", "transfer", "dispatch", number)
    cancelled = run(db, "stock", "transfer", "cancel", number, "--reason", "truck broke down")
    # then
    assert "draft" in created.stdout
    assert "in_transit" in sent.stdout
    assert cancelled.exit_code == 0, cancelled.output
    assert "truck broke down" in cancelled.stdout
    with db.reader() as session:
        assert get_transfer(session, number).status == "cancelled"
    assert _on_hand(db, "MAIN") == {"A-1": 10, "B-2": 4}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["create", "--from", "MAIN", "--to", "MAIN", "--line", "A-1=1"], "same_warehouse"),
        (["create", "--from", "MAIN", "--to", "EAST", "--line", "A-1"], "validation_error"),
        (["create", "--from", "MAIN", "--to", "EAST", "--line", "A-1=x"], "validation_error"),
        (["create", "--from", "MAIN", "--to", "EAST", "--line", "NOPE=1"], "unknown_sku"),
        (["create", "--from", "MAIN", "--to", "NOPE", "--line", "A-1=1"], "warehouse_not_found"),
        (
            ["create", "--from", "MAIN", "--to", "EAST", "--line", "A-1=11", "--dispatch"],
            "insufficient_stock",
        ),
        (["receive", "TR-1999-000001"], "transfer_not_found"),
    ],
)
def test_bad_transfer_commands_exit_non_zero_with_the_coded_error(warehouses, args, code):
    # when
    result = subprocess.run(
        [sys.executable, "-m", "ordersmith", "stock", "transfer", *args],
        env={
            **os.environ,
            "ORDERSMITH_DATABASE_URL": warehouses.db.settings.effective_database_url,
            "ORDERSMITH_DATA_DIR": str(warehouses.db.settings.data_dir),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode == 1, result.stdout
    assert f"[{code}]" in result.stderr
    assert _on_hand(warehouses.db, "MAIN") == {"A-1": 10, "B-2": 4}


def test_receiving_more_than_is_on_the_way_is_refused_from_the_cli(warehouses):
    # given
    db = warehouses.db
    created = run(
        db,
        "stock",
        "transfer",
        "create",
        "--from",
        "MAIN",
        "--to",
        "EAST",
        "--line",
        "A-1=2",
        "--dispatch",
    )
    number = created.stdout.split(":")[0]
    # when
    result = run(db, "stock", "transfer", "receive", number, "--line", "A-1=3")
    # then
    assert result.exit_code != 0
    assert _on_hand(db, "EAST") == {}
