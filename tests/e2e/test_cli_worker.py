"""`ordersmith worker`: once, replay of dead letters, and the loop stopped by Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from ordersmith.catalog.services import create_product
from ordersmith.cli.main import app
from ordersmith.customers.services import create_customer
from ordersmith.uow import Database
from tests.factories.inventory import make_warehouse, stock_up
from tests.factories.orders import order_request, place
from tests.smtp import SmtpServer, free_port

runner = CliRunner()


@pytest.fixture
def inbox() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def _env(db: Database, smtp_port: int, **extra: str) -> dict[str, str]:
    return {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "ORDERSMITH_SMTP_HOST": "127.0.0.1",
        "ORDERSMITH_SMTP_PORT": str(smtp_port),
        "ORDERSMITH_SMTP_TIMEOUT_SECONDS": "5",
        **extra,
    }


def _order(db: Database) -> str:
    with db.unit_of_work(actor="test") as uow:
        customer = create_customer(uow, name="Ann", email="ann@example.com", account_type="cash")
        make_warehouse(uow, code="MAIN")
        create_product(uow, sku="A-1", name="Anvil", price="5.00")
    stock_up(db, {("MAIN", "A-1"): 5})
    return place(db, order_request(customer.id, ("A-1", 1))).number


def test_worker_once_delivers_what_is_due_and_says_what_it_did(db, inbox):
    # given
    number = _order(db)
    # when
    result = runner.invoke(app, ["worker", "--once"], env=_env(db, inbox.port))
    # then
    assert result.exit_code == 0, result.output
    assert "sent 1 message(s) (0 failed)" in result.stdout
    assert "waiting: 0 event(s), 0 message(s); dead: 0 event(s), 0 message(s)" in result.stdout
    [mail] = inbox.wait_for(1)
    assert number in mail["Subject"]


def test_dead_messages_are_replayed_and_sent_from_the_command_line(db):
    # given a message that died while the SMTP server was down
    _order(db)
    port = free_port()
    env = _env(db, port, ORDERSMITH_OUTBOX_MAX_ATTEMPTS="1")
    down = runner.invoke(app, ["worker", "--once"], env=env)
    assert "sent 0 message(s) (1 failed)" in down.stdout
    assert "dead: 0 event(s), 1 message(s)" in down.stdout
    # when the server is up and the dead letters are replayed
    server = SmtpServer(port).start()
    try:
        replayed = runner.invoke(app, ["worker", "--replay-dead", "--once"], env=env)
        # then
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()
    assert replayed.exit_code == 0, replayed.output
    assert "replayed 0 dead event(s) and 1 dead message(s)" in replayed.stdout
    assert "sent 1 message(s) (0 failed)" in replayed.stdout


def test_the_worker_loop_sends_mail_until_ctrl_c_stops_it_cleanly(db, inbox):
    # given a running worker process
    process = subprocess.Popen(
        [sys.executable, "-m", "ordersmith", "worker"],
        env={**os.environ, **_env(db, inbox.port, ORDERSMITH_WORKER_POLL_MS="50")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # when an order is placed
        number = _order(db)
        # then its mail arrives
        [mail] = inbox.wait_for(1, timeout_seconds=60)
        assert number in mail["Subject"]
    finally:
        # when Ctrl-C is pressed
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    # then
    assert process.returncode == 0, err
    assert "worker stopped" in out
