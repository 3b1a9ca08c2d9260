"""`ordersmith orders change | changes | split | merge` (ADR 0020) from a terminal."""

from __future__ import annotations

import pytest

from ordersmith.errors import OmsError
from ordersmith.orders.queries import get_order
from tests.e2e.test_cli import run
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop, make_shop


@pytest.fixture
def shop(db) -> Shop:
    shop = make_shop(db)
    stock_up(db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 20})
    return shop


def _said(result) -> str:
    return " ".join(result.stdout.split())


def _code(result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, OmsError)
    return result.exception.code


def test_an_order_is_changed_and_its_versions_listed(shop):
    # given
    db = shop.db
    order = place(db, order_request(shop.trade.id, ("A-1", 2), ("B-2", 4)))
    # when
    changed = run(
        db, "orders", "change", order.number, "--qty", "1=3", "--add", "SVC=1",
        "--cancel-line", "2", "--delivery-date", "2030-01-15",
        "--ship-to-json", '{"line1": "5 Dock Road", "city": "Bremen", "country": "DE"}',
        "--notes", "ring twice", "--reason", "customer called",
    )  # fmt: skip
    listed = run(db, "orders", "changes", order.number)
    # then
    assert changed.exit_code == 0, changed.output
    assert f"{order.number} is at version 2" in _said(changed)
    assert "customer called" in _said(listed)
    with db.reader() as session:
        view = get_order(session, order.number)
    assert [(line.sku, line.quantity) for line in view.lines] == [
        ("A-1", 3),
        ("B-2", 0),
        ("SVC", 1),
    ]
    assert view.shipping_address["line1"] == "5 Dock Road"
    assert view.requested_delivery_date.isoformat() == "2030-01-15"


def test_split_and_merge_from_the_terminal(shop):
    # given
    db = shop.db
    order = place(db, order_request(shop.trade.id, ("A-1", 3)))
    # when
    split = run(db, "orders", "split", order.number, "--move", "1=1", "--reason", "two parcels")
    new_number = _said(split).split("new order ")[1].split()[0]
    merged = run(db, "orders", "merge", order.number, new_number, "--reason", "one parcel")
    # then
    assert split.exit_code == 0, split.output
    assert merged.exit_code == 0, merged.output
    with db.reader() as session:
        assert get_order(session, new_number).status == "cancelled"
        assert sum(line.quantity for line in get_order(session, order.number).lines) == 3


def test_bad_input_exits_non_zero_and_changes_nothing(shop):
    # given
    db = shop.db
    order = place(db, order_request(shop.trade.id, ("A-1", 2)))
    # when
    bad_pair = run(db, "orders", "change", order.number, "--qty", "one=3", "--reason", "r")
    bad_date = run(db, "orders", "change", order.number, "--delivery-date", "soon", "--reason", "r")
    too_many = run(db, "orders", "change", order.number, "--qty", "1=99", "--reason", "r")
    # then
    assert _code(bad_pair) == "validation_error"
    assert _code(bad_date) == "validation_error"
    assert _code(too_many) == "insufficient_stock"
    with db.reader() as session:
        assert get_order(session, order.number).version == 1


@pytest.mark.parametrize(
    "args",
    [
        ["change", "--cancel-line", "²"],
        ["change", "--cancel-line", "\u0661"],  # ARABIC-INDIC DIGIT ONE
        ["change", "--qty", "²=1"],
        ["change", "--qty", "1=\u0661"],
        ["change", "--qty", "1=3", "--qty", "1=1"],
        ["split", "--move", "1=99999999999999999999999"],
        ["split", "--move", "²=1"],
    ],
)
def test_numbers_that_are_not_plain_digits_or_name_a_line_twice_are_refused(shop, args):
    # given
    db = shop.db
    order = place(db, order_request(shop.trade.id, ("A-1", 2), ("B-2", 1)))
    # when
    result = run(db, "orders", args[0], order.number, *args[1:], "--reason", "r")
    # then: a validation error, not a traceback; nothing changed
    assert _code(result) == "validation_error"
    with db.reader() as session:
        assert get_order(session, order.number).version == 1
