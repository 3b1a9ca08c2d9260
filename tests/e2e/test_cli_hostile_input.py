"""The `ordersmith` command line with hostile stored data and hostile arguments.

Stored data is printed as it is, never read as Rich markup. Bad arguments and an unusable
database end in one ``error [code]: message`` line and a non-zero exit, never a traceback.
The commands that go through the root command's error mapping run as a real process.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ordersmith.auth.services import authenticate
from ordersmith.catalog.services import create_product
from ordersmith.cli.main import app
from ordersmith.cli.server import bind_address
from ordersmith.customers.services import create_customer
from ordersmith.errors import OmsError
from ordersmith.orders.services import cancel_order
from ordersmith.uow import Database
from tests.factories.customers import make_customer
from tests.factories.inventory import make_warehouse, stock_up
from tests.factories.orders import order_request, place

runner = CliRunner()
MARKUP = "[/oops]"


def run(db: Database, *args: str) -> Result:
    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "COLUMNS": "200",
    }
    return runner.invoke(app, list(args), env=env)


def ordersmith(*args: str | bytes, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m ordersmith ...` as a separate process, with only these ORDERSMITH_ settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORDERSMITH_")}
    return subprocess.run(
        [sys.executable, "-m", "ordersmith", *args],
        env={**clean, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _env(db: Database) -> dict[str, str]:
    return {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
    }


def _clean_error(result: subprocess.CompletedProcess[str], code: str) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error [{code}]: "), result.stderr
    return result.stderr


# stored data that looks like markup


def test_token_create_prints_a_token_named_like_markup_alone_on_the_last_line(
    db: Database,
) -> None:
    # when
    result = run(db, "token", "create", "--role", "staff", "--name", MARKUP)
    # then the token is shown, and it is the token that was stored
    assert result.exit_code == 0, result.output
    assert MARKUP in result.stdout
    token = result.stdout.strip().splitlines()[-1]
    with db.reader() as session:
        assert authenticate(session, token).name == MARKUP


def test_token_list_shows_a_name_that_looks_like_markup_as_it_is(db: Database) -> None:
    # given
    assert run(db, "token", "create", "--role", "staff", "--name", MARKUP).exit_code == 0
    # when
    result = run(db, "token", "list")
    # then
    assert result.exit_code == 0, result.output
    assert MARKUP in result.stdout


def test_catalog_list_and_stock_levels_show_a_sku_that_looks_like_markup(db: Database) -> None:
    # given a SKU and a name the API accepts
    with db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="[/b]", name="[bold]Anvil[/x]", price="5.00")
        make_warehouse(uow, code="MAIN")
    stock_up(db, {("MAIN", "[/b]"): 3})
    # when
    catalog = run(db, "catalog", "list")
    levels = run(db, "stock", "levels")
    # then
    assert catalog.exit_code == 0, catalog.output
    assert "[/b]" in catalog.stdout
    assert "[bold]Anvil[/x]" in catalog.stdout
    assert levels.exit_code == 0, levels.output
    assert "[/b]" in levels.stdout


def test_orders_show_prints_a_cancel_reason_that_looks_like_markup(db: Database) -> None:
    # given an order cancelled with a reason an integration could send
    with db.unit_of_work(actor="test") as uow:
        customer = make_customer(uow)
    with db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="A-1", name="Anvil", price="5.00", stocked=False)
    order = place(db, order_request(customer.id, ("A-1", 1)), actor="token:[red]bot")
    with db.unit_of_work(actor="token:[red]bot") as uow:
        cancel_order(uow, order_id=order.id, reason="customer said [/x]")
    # when
    shown = run(db, "orders", "show", order.number)
    listed = run(db, "orders", "list")
    # then
    assert shown.exit_code == 0, shown.output
    assert "customer said [/x]" in shown.stdout
    assert "token:[red]bot" in shown.stdout
    assert listed.exit_code == 0, listed.output


def test_customers_list_shows_names_that_look_like_markup(db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        create_customer(uow, name="[link=x]Ann[/]", email="ann@example.com", account_type="cash")
    # when
    result = run(db, "customers", "list")
    # then
    assert result.exit_code == 0, result.output
    assert "[link=x]Ann[/]" in result.stdout


# arguments and settings the commands cannot use


def test_db_upgrade_to_an_unknown_revision_is_a_clean_error(tmp_path: Path) -> None:
    # given
    env = {"ORDERSMITH_DATABASE_URL": f"sqlite:///{tmp_path}/new.db"}
    # when
    results = [ordersmith("db", "upgrade", rev, env=env) for rev in ("bogus", "@", "0003+99")]
    # then
    for result in results:
        assert "use head or one of 0001" in _clean_error(result, "unknown_revision")


def test_serve_refuses_a_port_out_of_range_as_a_usage_error(tmp_path: Path) -> None:
    # when
    result = ordersmith(
        "serve", "--port", "70000", env={"ORDERSMITH_DATA_DIR": str(tmp_path / "data")}
    )
    # then
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--port" in result.stderr
    assert "65535" in result.stderr


def test_serve_resolves_a_host_name_and_refuses_one_that_cannot_resolve() -> None:
    # when
    loopback = bind_address("localhost")
    ip = bind_address("127.0.0.1")
    # then
    assert loopback in {"127.0.0.1", "::1"}
    assert ip == "127.0.0.1"
    with pytest.raises(Exception, match="not an IP address or a host name"):
        bind_address("a" * 64 + ".example")  # a label too long to look up at all


def test_an_unreachable_database_is_a_clean_error_naming_the_url_without_its_password(
    tmp_path: Path,
) -> None:
    # given nothing listens on port 1
    url = "postgresql+psycopg://nobody:s3cret@127.0.0.1:1/x"
    env = {"ORDERSMITH_DATABASE_URL": url, "ORDERSMITH_DATA_DIR": str(tmp_path)}
    # when
    results = [ordersmith(*command, env=env) for command in (["check"], ["db", "upgrade"])]
    # then
    for result in results:
        stderr = _clean_error(result, "database_unavailable")
        assert "postgresql+psycopg://nobody:***@127.0.0.1:1/x" in stderr
        assert "s3cret" not in stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody@127.0.0.1:notaport/x",
        "postgresqlx://nobody@127.0.0.1/x",
        "postgresql+nodriver://nobody@127.0.0.1/x",
    ],
)
def test_a_database_url_sqlalchemy_cannot_use_is_a_settings_error(tmp_path: Path, url: str) -> None:
    # when
    result = ordersmith(
        "check", env={"ORDERSMITH_DATABASE_URL": url, "ORDERSMITH_DATA_DIR": str(tmp_path)}
    )
    # then
    assert "ORDERSMITH_DATABASE_URL" in _clean_error(result, "invalid_settings")


def test_a_data_directory_that_cannot_be_created_is_a_clean_error(tmp_path: Path) -> None:
    # given the data directory would sit under a regular file
    (tmp_path / "file").write_text("")
    # when
    result = ordersmith("check", env={"ORDERSMITH_DATA_DIR": str(tmp_path / "file" / "data")})
    # then
    assert str(tmp_path / "file") in _clean_error(result, "system_error")


def test_an_argument_that_is_not_utf8_is_a_clean_error(db: Database) -> None:
    # when (a file name may be any bytes; text such as an order number may not)
    result = ordersmith("orders", "show", os.fsdecode(b"SO-\xff"), env=_env(db))
    # then
    assert "utf-8" in _clean_error(result, "invalid_text")


def test_a_token_name_that_is_not_utf8_is_refused_naming_the_field(db: Database) -> None:
    # when
    result = run(db, "token", "create", "--role", "staff", "--name", os.fsdecode(b"\xff"))
    # then
    assert result.exit_code == 1
    assert isinstance(result.exception, OmsError)
    assert [f.field for f in result.exception.fields] == ["name"]


@pytest.mark.parametrize(
    "args",
    [
        ["catalog", "list", "--limit", "-1"],
        ["customers", "list", "--limit", "0"],
        ["orders", "list", "--limit", "99999999999999999999"],
        ["stock", "levels", "--limit", "-5"],
        ["stock", "set", "--warehouse", "MAIN", "--sku", "A", "--reorder-point", "-1"],
        ["serve", "--workers", "0"],
        ["catalog", "import", "/nonexistent/products.csv"],
        ["token", "create", "--role", MARKUP],
    ],
)
def test_arguments_out_of_range_are_usage_errors(db: Database, args: list[str]) -> None:
    # when
    result = run(db, *args)
    # then
    assert result.exit_code == 2, result.output


def test_a_sqlite_database_locked_by_another_writer_is_a_clean_busy_error(
    sqlite_template: Path, tmp_path: Path
) -> None:
    # given another process holds SQLite's one write lock, and the CLI does not wait
    path = tmp_path / "locked.db"
    shutil.copy(sqlite_template, path)
    env = {
        "ORDERSMITH_DATABASE_URL": f"sqlite:///{path}",
        "ORDERSMITH_DATA_DIR": str(tmp_path),
        "ORDERSMITH_SQLITE_BUSY_TIMEOUT_MS": "0",
    }
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        # when
        result = ordersmith("warehouse", "create", "MAIN", "--name", "Main", env=env)
    finally:
        holder.close()
    # then
    assert "database is locked" in _clean_error(result, "database_busy")
