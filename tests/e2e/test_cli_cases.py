"""`ordersmith cases ...` and `ordersmith timeline`: a case's whole life from a terminal,
and its errors."""

from __future__ import annotations

import re

import pytest

from ordersmith.errors import OmsError
from tests.e2e.test_cli import run
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import delivered_order
from tests.integration.conftest import Shop, make_shop


@pytest.fixture
def delivered(db) -> tuple[Shop, object]:
    """Bob's 3 anvils, delivered (and invoiced on dispatch)."""
    shop = make_shop(db)
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    return shop, delivered_order(db, shop.trade.id, ("A-1", 3))


def _said(result) -> str:
    return " ".join(result.stdout.split())


def _code(result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, OmsError)
    return result.exception.code


def test_a_case_is_opened_noted_assigned_waited_reopened_resolved_and_closed(delivered):
    # given
    shop, order = delivered
    db = shop.db
    # when
    opened = run(
        db, "cases", "open", shop.trade.number, "--subject", "Anvil cracked",
        "--type", "damage_report", "--order", order.number, "--priority", "high",
        "--damage-line", "1", "--damage-quantity", "1", "--description", "photo received",
    )  # fmt: skip
    number = opened.stdout.split(":")[0]
    steps = [
        run(db, "cases", "assign", number, "Kim"),
        run(db, "cases", "priority", number, "urgent"),
        run(
            db,
            "cases",
            "note",
            number,
            "--body",
            "A new one is on its way",
            "--visibility",
            "customer",
            "--wait",
        ),
        run(db, "cases", "reopen", number),
        run(db, "cases", "resolve", number, "--resolution", "replaced"),
        run(db, "cases", "close", number),
    ]
    shown = run(db, "cases", "show", number.lower())
    listed = run(db, "cases", "list", "--status", "closed", "--customer", shop.trade.number)
    breached = run(db, "cases", "list", "--breached")
    timeline = run(db, "timeline", order.number, "--newest-first")
    checked = run(db, "check")
    # then
    for result in (opened, *steps, shown, listed, breached, timeline, checked):
        assert result.exit_code == 0, result.output
    assert re.fullmatch(r"CS-\d{4}-\d{6}", number)
    assert f"open damage_report (high) for {shop.trade.number} Bob Trade about order" in _said(
        opened
    )
    assert "waiting_on_customer" in steps[2].stdout
    assert "closed damage_report (urgent)" in _said(shown)
    assert "customer (emailed)" in _said(shown)
    assert number in listed.stdout
    assert number not in breached.stdout
    assert f"Case {number} opened" in _said(timeline)
    assert "incident" in _said(timeline)


def test_bad_commands_exit_non_zero_with_the_error_and_change_nothing(delivered):
    # given
    shop, order = delivered
    db = shop.db
    opened = run(db, "cases", "open", shop.cash.number, "--subject", "Hello")
    number = opened.stdout.split(":")[0]
    # when
    closing_open = run(db, "cases", "close", number)
    unknown = run(db, "cases", "show", "CS-2020-000001")
    others_order = run(
        db, "cases", "open", shop.cash.number, "--subject", "x", "--order", order.number
    )
    # then
    assert _code(closing_open) == "invalid_transition"
    assert _code(unknown) == "case_not_found"
    assert _code(others_order) == "case_link_mismatch"
    assert "open enquiry" in _said(run(db, "cases", "show", number))
