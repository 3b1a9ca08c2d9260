"""The `ordersmith` command line against real databases."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ordersmith.catalog.services import create_product
from ordersmith.cli.main import app

runner = CliRunner()


def run(db, *args: str):
    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
    }
    return runner.invoke(app, list(args), env=env)


@pytest.fixture
def stocked(db):
    with db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="A-1", name="Anvil", price="5.00")
    assert run(db, "warehouse", "create", "MAIN", "--name", "Main").exit_code == 0
    return db


def test_token_create_prints_the_token_alone_on_the_last_line_and_it_can_be_revoked(db):
    # when
    result = run(db, "token", "create", "--role", "admin", "--name", "ci")
    # then
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("osk_")
    assert " " not in token
    listed = run(db, "token", "list")
    assert "ci" in listed.stdout
    assert token not in listed.stdout
    assert run(db, "token", "revoke", token[:10]).exit_code == 0


def test_an_unknown_role_is_refused_with_a_non_zero_exit(db):
    assert run(db, "token", "create", "--role", "boss").exit_code != 0


def test_stock_can_be_received_adjusted_and_listed_from_the_cli(stocked):
    # when
    received = run(
        stocked, "stock", "receive", "--warehouse", "MAIN", "--sku", "A-1", "--quantity", "8"
    )
    adjusted = run(
        stocked,
        "stock",
        "adjust",
        "--warehouse",
        "MAIN",
        "--sku",
        "A-1",
        "--delta",
        "-2",
        "--reason",
        "damage",
    )
    levels = run(stocked, "stock", "levels", "--sku", "A-1")
    # then
    assert received.exit_code == 0
    assert adjusted.exit_code == 0
    assert "6" in levels.stdout


def test_goods_can_be_returned_to_stock_from_the_cli(stocked):
    # when
    returned = run(
        stocked, "stock", "return", "--warehouse", "MAIN", "--sku", "A-1", "--quantity", "2",
        "--reference", "SO-2026-000001", "--note", "unopened",
    )  # fmt: skip
    refused = run(
        stocked, "stock", "return", "--warehouse", "MAIN", "--sku", "A-1", "--quantity", "0"
    )
    # then
    assert returned.exit_code == 0, returned.output
    assert "MAIN" in returned.stdout
    assert refused.exit_code != 0
    assert getattr(refused.exception, "code", None) == "validation_error"


def test_a_bad_stock_command_exits_non_zero_with_the_error_code(stocked):
    # when
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ordersmith",
            "stock",
            "receive",
            "--warehouse",
            "MAIN",
            "--sku",
            "NOPE",
            "--quantity",
            "1",
        ],
        env={**os.environ, "ORDERSMITH_DATABASE_URL": stocked.settings.effective_database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode == 1
    assert "[product_not_found]" in result.stderr


def test_check_is_clean_on_a_consistent_database(stocked):
    run(stocked, "stock", "receive", "--warehouse", "MAIN", "--sku", "A-1", "--quantity", "3")
    result = run(stocked, "check")
    assert result.exit_code == 0
    assert "all checks passed" in result.stdout


def test_check_exits_non_zero_when_the_projection_drifts_from_the_ledger(stocked):
    # given a stock level changed behind the ledger's back
    run(stocked, "stock", "receive", "--warehouse", "MAIN", "--sku", "A-1", "--quantity", "3")
    with stocked.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE stock_levels SET on_hand = on_hand + 1")
    # when
    result = run(stocked, "check")
    # then
    assert result.exit_code == 1


def test_the_server_and_the_cli_refuse_an_unmigrated_database(tmp_path):
    # given an empty SQLite file named explicitly (not the self-migrating embedded default)
    env = {
        "ORDERSMITH_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db",
        "ORDERSMITH_DATA_DIR": str(tmp_path),
    }
    # when
    served = subprocess.run(
        [sys.executable, "-m", "ordersmith", "serve", "--port", "1"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert served.returncode == 1
    assert "schema_not_current" in served.stderr
    assert "ordersmith db upgrade" in served.stderr


def test_db_upgrade_migrates_an_empty_database(tmp_path):
    env = {
        "ORDERSMITH_DATABASE_URL": f"sqlite:///{tmp_path}/new.db",
        "ORDERSMITH_DATA_DIR": str(tmp_path),
    }
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0
    assert "revision" in result.stdout
    assert runner.invoke(app, ["check"], env=env).exit_code == 0
