"""`ordersmith purchasing`: suppliers and purchase orders from a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from ordersmith.config import BackorderPolicy
from ordersmith.orders.queries import get_order
from ordersmith.orders.services import confirm_order
from ordersmith.purchasing.queries import get_purchase_order
from ordersmith.uow import Database
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop, make_shop

runner = CliRunner()


def run(db: Database, *args: str) -> Result:
    from ordersmith.cli.main import app

    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "COLUMNS": "200",
    }
    return runner.invoke(app, ["purchasing", *args], env=env)


def ok(db: Database, *args: str) -> str:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def books(db) -> Shop:
    """The service-built shop (MAIN, EAST; A-1, B-2; Ann and Bob) with supplier ACME."""
    shop = make_shop(db)
    ok(db, "supplier", "create", "acme", "--name", "Acme Anvils", "--email", "po@acme.example")
    ok(db, "supplier", "add-product", "ACME", "A-1", "--cost", "6.00", "--lead-time-days", "7")
    return shop


def test_a_buyer_runs_a_purchase_order_from_the_terminal(books, tmp_path):
    # given: Ann's confirmed order waits for 3 anvils
    db = books.db
    order = place(
        db, order_request(books.cash.id, ("A-1", 3), backorder_policy=BackorderPolicy.BACKORDER)
    )
    with db.unit_of_work(actor="test") as uow:
        confirm_order(uow, order_id=order.id)
    ok(db, "supplier", "add-product", "ACME", "B-2", "--cost", "0.10", "--lead-time-days", "14",
       "--supplier-sku", "BLT", "--moq", "100", "--pack", "50", "--preferred")  # fmt: skip
    # when
    lines = ["--line", "A-1=10@5.90@2026-12-24", "--line", "B-2=100"]
    created = ok(db, "po", "create", "--supplier", "acme", "--warehouse", "MAIN", *lines)
    number = created.split(":")[0]
    approved = ok(db, "po", "approve", number)
    sent = ok(db, "po", "send", number, "--no-email")
    received = ok(db, "po", "receive", number, "--line", "1=6@5.95", "--delivery-note", "DN-9")
    shown = ok(db, "po", "show", number)
    listed = ok(db, "po", "list", "--status", "partially_received", "--supplier", "ACME")
    pdf = ok(db, "po", "pdf", number, "--out", str(tmp_path / "po.pdf"))
    closed = ok(db, "po", "close", number, "--reason", "the rest comes on a new order")
    supplier = ok(db, "supplier", "show", "ACME")
    # then
    assert "draft, ACME → MAIN, 2 lines, total 69.00 EUR" in created
    assert "approved" in approved
    assert "sent" in sent
    assert "partially_received" in received
    assert "2026-12-24" in shown
    assert "(delivery note DN-9): line 1: 6" in shown
    assert number in listed
    assert "wrote" in pdf
    text = " ".join(PdfReader(tmp_path / "po.pdf").pages[0].extract_text().split())
    assert number in text
    assert "Anvil 10 5.90 59.00 2026-12-24" in text
    assert "closed" in closed
    assert "on time 100.0% (1 of 1 receipt lines)" in supplier
    assert "fill rate 5.5% (6 of 110 units)" in supplier
    with db.reader() as session:
        assert get_order(session, str(order.id)).fulfilment_status == "allocated"
        po = get_purchase_order(session, number)
    assert (po.status, po.lines[0].received_quantity, po.close_reason) == (
        "closed",
        6,
        "the rest comes on a new order",
    )


def test_receiving_without_lines_takes_everything_and_a_draft_can_be_cancelled(books):
    # given
    db = books.db
    first = ok(db, "po", "create", "--supplier", "ACME", "--warehouse", "MAIN", "--line", "A-1=4")
    second = ok(db, "po", "create", "--supplier", "ACME", "--warehouse", "EAST", "--line", "A-1=2")
    number, other = first.split(":")[0], second.split(":")[0]
    ok(db, "po", "approve", number)
    ok(db, "po", "send", number, "--no-email")
    # when
    received = ok(db, "po", "receive", number)
    cancelled = ok(db, "po", "cancel", other, "--reason", "ordered twice")
    suppliers = ok(db, "supplier", "list")
    # then
    assert f"{number}: received" in received
    assert f"{other}: cancelled" in cancelled
    assert "ACME" in suppliers
    assert "po@acme.example" in suppliers


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ("supplier create ACME --name Again", "supplier_exists"),
        ("supplier create X --name X --email nope", "validation_error"),
        ("supplier create X --name X --currency EURO", "validation_error"),
        ("supplier show NOPE", "supplier_not_found"),
        ("supplier add-product ACME A-1 --cost 1 --lead-time-days 1", "supplier_product_exists"),
        ("supplier add-product ACME NOPE --cost 1 --lead-time-days 1", "product_not_found"),
        ("supplier add-product ACME B-2 --cost 1.23456 --lead-time-days 1", "validation_error"),
        ("supplier add-product ACME B-2 --cost ten --lead-time-days 1", "validation_error"),
        ("po create --supplier ACME --warehouse MAIN --line A-1", "validation_error"),
        ("po create --supplier ACME --warehouse MAIN --line A-1=x", "validation_error"),
        ("po create --supplier ACME --warehouse MAIN --line A-1=1@2026-13-45", "validation_error"),
        ("po create --supplier ACME --warehouse MAIN --line A-1=1@-2", "validation_error"),
        ("po create --supplier ACME --warehouse MAIN --line B-2=1", "product_not_supplied"),
        ("po create --supplier NOPE --warehouse MAIN --line A-1=1", "supplier_not_found"),
        ("po create --supplier ACME --warehouse NOPE --line A-1=1", "warehouse_not_found"),
        ("po approve PO-2026-999999", "purchase_order_not_found"),
        ("po send {draft}", "invalid_transition"),
        ("po send {approved}", "supplier_has_no_email"),
        ("po receive {approved}", "invalid_transition"),
        ("po receive {sent} --line 1=99", "over_receipt"),
        ("po receive {sent} --line one", "validation_error"),
        ("po receive {sent} --line 7=1", "validation_error"),
        ("po close {sent}", "invalid_transition"),
        ("po show PO-NOPE", "purchase_order_not_found"),
        ("po list --supplier NOPE", "supplier_not_found"),
    ],
)
def test_bad_purchasing_commands_exit_non_zero_with_the_error_code(books, args, code):
    # given a draft, an approved and a sent purchase order (ACME without email here)
    db = books.db
    ok(db, "supplier", "create", "MUTE", "--name", "Mute")
    ok(db, "supplier", "add-product", "MUTE", "A-1", "--cost", "6", "--lead-time-days", "1")
    numbers = {}
    for stage in ("draft", "approved", "sent"):
        made = ok(
            db, "po", "create", "--supplier", "MUTE", "--warehouse", "MAIN", "--line", "A-1=5"
        )
        numbers[stage] = made.split(":")[0]
    ok(db, "po", "approve", numbers["approved"])
    ok(db, "po", "approve", numbers["sent"])
    ok(db, "po", "send", numbers["sent"], "--no-email")
    # when
    result = run(db, *args.format(**numbers).split())
    # then
    assert result.exit_code != 0
    assert getattr(result.exception, "code", None) == code, result.output


def test_a_refused_command_prints_one_error_line_and_exits_1(books):
    # given
    db = books.db
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORDERSMITH_")}
    env = {
        **clean,
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
    }
    # when
    result = subprocess.run(
        [sys.executable, "-m", "ordersmith", "purchasing", "po", "create", "--supplier", "ACME",
         "--warehouse", "MAIN", "--line", "A-1=0"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
        cwd=Path(db.settings.data_dir),
    )  # fmt: skip
    # then
    assert result.returncode == 1
    assert result.stderr.startswith("error [validation_error]: "), result.stderr
    assert "lines.0.quantity" in result.stderr
