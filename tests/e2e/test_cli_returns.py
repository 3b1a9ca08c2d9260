"""`ordersmith returns ...`: a return's whole life from a terminal, and its errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from ordersmith.errors import OmsError
from ordersmith.inventory.queries import stock_levels
from ordersmith.returns.queries import get_return
from tests.e2e.test_cli import run
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock
from tests.factories.returns import delivered_order
from tests.integration.conftest import Shop, make_shop


@pytest.fixture
def delivered(db) -> tuple[Shop, object]:
    """Bob's 3 anvils, delivered (and invoiced on dispatch); 7 more at MAIN."""
    shop = make_shop(db)
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    return shop, delivered_order(db, shop.trade.id, ("A-1", 3))


def _number(result) -> str:
    return result.stdout.split(":")[0]


def _said(result) -> str:
    """The command's output on one line (Rich wraps long lines at the terminal width)."""
    return " ".join(result.stdout.split())


def _code(result) -> str:
    """The code of the error a command stopped with (in process: the exception itself;
    ``python -m ordersmith`` prints it as ``error [code]: ...`` and exits 1)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, OmsError)
    return result.exception.code


def test_a_return_is_asked_authorised_shipped_received_inspected_and_resolved(delivered, tmp_path):
    # given
    shop, order = delivered
    db = shop.db
    label = tmp_path / "label.pdf"
    # when
    created = run(
        db, "returns", "create", order.number, "--line", "1=2:damaged:box crushed",
        "--comment", "arrived broken",
    )  # fmt: skip
    number = _number(created)
    steps = [
        run(db, "returns", "authorise", number, "--note", "photos seen"),
        run(db, "returns", "ship", number.lower(), "--carrier", "LOCAL", "--label-out", str(label)),
        run(db, "returns", "receive", number, "--line", "1=2"),
        run(db, "returns", "inspect", number, "--line", "1=restock:1@MAIN", "--line", "1=scrap:1"),
        run(db, "returns", "resolve", number, "--resolution", "credit_note"),
    ]
    shown = run(db, "returns", "show", number)
    listed = run(db, "returns", "list", "--status", "resolved", "--order", order.number)
    rates = run(db, "returns", "analytics", "--by", "reason")
    as_json = run(db, "returns", "analytics", "--by", "sku", "--json")
    checked = run(db, "check")
    # then
    for result in (created, *steps, shown, listed, rates, as_json, checked):
        assert result.exit_code == 0, result.output
    assert re.fullmatch(r"RMA-\d{4}-\d{6}", number)
    assert f"requested for order {order.number}, 2 units on 1 line, back to MAIN" in _said(created)
    assert "in_transit" in steps[1].stdout
    assert label.read_bytes().startswith(b"%PDF")
    assert "1 restock @MAIN, 1 scrap @MAIN" in _said(steps[3])
    assert "resolved: credit_note; credited 30.00 EUR" in _said(shown)
    assert number in listed.stdout
    assert "damaged" in rates.stdout
    assert '"units_returned": 2' in as_json.stdout
    with db.reader() as session:
        view = get_return(session, number)
        [level] = stock_levels(session, sku="A-1")
    assert (view.status, view.comment, view.lines[0].note) == (
        "resolved",
        "arrived broken",
        "box crushed",
    )
    assert level.on_hand == 8  # 7 left + 1 restocked (the scrapped one written off)


def test_cancel_reject_and_bad_input_exit_non_zero_with_the_error_code(delivered):
    # given
    shop, order = delivered
    db = shop.db
    first = _number(run(db, "returns", "create", order.number, "--line", "1=1:late"))
    second = _number(run(db, "returns", "create", order.number, "--line", "1=1:other"))
    # when
    cancelled = run(db, "returns", "cancel", first, "--reason", "kept it")
    rejected = run(db, "returns", "reject", second, "--reason", "final sale")
    too_many = run(db, "returns", "create", order.number, "--line", "1=9:late")
    bad_line = run(db, "returns", "create", order.number, "--line", "one=1")
    early = run(db, "returns", "resolve", first, "--resolution", "refund")
    unknown = run(db, "returns", "show", "RMA-1999-000001")
    bad_day = run(db, "returns", "analytics", "--from", "yesterday")
    # then
    assert cancelled.exit_code == 0
    assert "cancelled: kept it" in _said(cancelled)
    assert "rejected: final sale" in _said(rejected)
    assert [_code(r) for r in (too_many, bad_line, early, unknown, bad_day)] == [
        "return_exceeds_shipped",
        "validation_error",
        "invalid_transition",
        "return_not_found",
        "validation_error",
    ]


def test_a_refused_command_prints_the_error_code_and_exits_non_zero(delivered):
    # given
    shop, order = delivered
    # when
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ordersmith",
            "returns",
            "create",
            order.number,
            "--line",
            "1=9:late",
        ],
        env={
            **os.environ,
            "ORDERSMITH_DATABASE_URL": shop.db.settings.effective_database_url,
            "ORDERSMITH_DATA_DIR": str(shop.db.settings.data_dir),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode == 1, result.stdout
    assert "[return_exceeds_shipped]" in result.stderr
    assert "line 1 (A-1) has 3 units left to return" in result.stderr


def test_a_customer_token_is_made_for_a_customer_from_the_cli(delivered):
    # given
    shop, _order = delivered
    # when
    made = run(shop.db, "token", "create", "--role", "customer", "--customer", shop.cash.number)
    without = run(shop.db, "token", "create", "--role", "customer")
    # then
    assert made.exit_code == 0, made.output
    assert made.stdout.strip().splitlines()[-1].startswith("osk_")
    assert _code(without) == "validation_error"


def test_the_window_override_is_recorded_from_the_cli(delivered, monkeypatch):
    # given the order delivered 40 days ago
    shop, order = delivered
    SetClock(monkeypatch, datetime.now(UTC) + timedelta(days=40))
    # when
    closed = run(shop.db, "returns", "create", order.number, "--line", "1=1:late")
    accepted = run(
        shop.db, "returns", "create", order.number, "--line", "1=1:late",
        "--override-reason", "regular customer",
    )  # fmt: skip
    # then
    assert _code(closed) == "return_window_closed"
    assert accepted.exit_code == 0, accepted.output
    assert "window overridden: regular customer" in _said(accepted)
