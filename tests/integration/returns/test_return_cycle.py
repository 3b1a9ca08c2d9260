"""Returns end to end over the real services: request, authorise, receive, inspect,
resolve — with the ledger, the books and ``ordersmith check`` watching."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.billing.queries import get_credit_note, get_invoice
from ordersmith.checks import run_checks
from ordersmith.config import BackorderPolicy
from ordersmith.db import table_of
from ordersmith.inventory.queries import movements, stock_levels
from ordersmith.orders.queries import get_order, order_history
from ordersmith.returns.inputs import DispositionInput
from ordersmith.returns.models import ReturnDisposition, ReturnLine
from tests.factories.billing import assert_books_clean
from tests.factories.fulfillment import confirm, make_courier
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.factories.returns import (
    ask,
    authorise,
    delivered_order,
    inspect,
    receive,
    resolve,
    restock_all,
)
from tests.integration.conftest import Shop

D = Decimal


@pytest.fixture
def shop(shop: Shop) -> Shop:
    """The shop with a LOCAL courier."""
    make_courier(shop.db)
    return shop


def _levels(shop: Shop, sku: str = "A-1") -> dict[str, tuple[int, int]]:
    with shop.db.reader() as session:
        return {r.warehouse: (r.on_hand, r.reserved) for r in stock_levels(session, sku=sku)}


def _rma_moves(shop: Shop, number: str) -> list[tuple[str, str, int]]:
    with shop.db.reader() as session:
        rows = movements(session, limit=500)
    return sorted(
        (m.kind, m.warehouse, m.on_hand_delta)
        for m in rows
        if m.source_type == "rma" and m.source_id == number
    )


def test_a_full_return_is_restocked_serves_a_backorder_and_is_credited_with_clean_books(
    shop: Shop,
) -> None:
    # given 3 anvils delivered to the trade customer (invoiced on dispatch: 45.00), and a
    # cash order waiting for 2 anvils that are not in stock
    stock_up(shop.db, {("MAIN", "A-1"): 3})
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 3))
    waiting = confirm(
        shop.db,
        place(
            shop.db,
            order_request(shop.cash.id, ("A-1", 2), backorder_policy=BackorderPolicy.BACKORDER),
        ),
    )
    assert waiting.lines[0].backordered_quantity == 2
    # when 2 come back, are restocked, and the return is resolved by a credit note
    rma = ask(shop.db, order, (1, 2, "no_longer_needed"), comment="ordered too many")
    rma = authorise(shop.db, rma)
    rma = receive(shop.db, rma)
    rma = restock_all(shop.db, rma)
    after_restock = _levels(shop)
    rma = resolve(shop.db, rma, "credit_note", note="two anvils back")
    # then
    assert rma.number.startswith("RMA-")
    assert rma.status == "resolved"
    assert (rma.resolution, rma.credited_total, rma.refunded_total) == (
        "credit_note",
        D("30.00"),
        D("0"),
    )
    assert after_restock == {"MAIN": (2, 2)}  # back on hand, and reserved for the backorder
    assert _rma_moves(shop, rma.number) == [("return", "MAIN", 2)]
    with shop.db.reader() as session:
        served = get_order(session, str(waiting.id))
        (note,) = [get_credit_note(session, n) for n in rma.credit_notes]
        invoice = get_invoice(session, note.invoice_id)
        history = [h.action for h in order_history(session, order.number)]
    assert (served.lines[0].backordered_quantity, served.fulfilment_status) == (0, "allocated")
    assert (note.reason, note.total, [(li.sku, li.quantity) for li in note.lines]) == (
        "return",
        D("30.00"),
        [("A-1", 2)],
    )
    assert (invoice.total, invoice.balance) == (D("45.00"), D("15.00"))
    for step in ("requested", "authorised", "received", "inspected", "resolved"):
        assert f"return_{step}" in history
    assert_books_clean(shop.db)


def test_an_exchange_places_a_free_replacement_that_is_reserved_and_allocated_at_once(
    shop: Shop,
) -> None:
    # given a delivered anvil that came back damaged and was scrapped
    stock_up(shop.db, {("MAIN", "A-1"): 2})
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    rma = receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 1, "damaged"))))
    rma = inspect(shop.db, rma, DispositionInput(1, "scrap", note="crushed"))
    # when
    rma = resolve(shop.db, rma, "exchange")
    # then
    assert rma.status == "resolved"
    assert rma.replacement_order_number is not None
    with shop.db.reader() as session:
        replacement = get_order(session, rma.replacement_order_number)
        history = order_history(session, replacement.number)
    assert replacement.id == rma.replacement_order_id
    assert (replacement.status, replacement.fulfilment_status) == ("confirmed", "allocated")
    assert [(li.sku, li.quantity, li.reserved_quantity) for li in replacement.lines] == [
        ("A-1", 1, 1)
    ]
    assert (replacement.total, replacement.discount_total) == (D("0.00"), D("12.50"))
    assert history[0].details["return"] == rma.number
    assert _levels(shop) == {"MAIN": (1, 1)}  # the other anvil, reserved for the replacement
    assert rma.credit_notes == ()
    assert rma.credited_total == 0
    assert_books_clean(shop.db)


def test_restock_and_scrap_of_one_line_post_a_return_and_a_write_off_at_the_warehouse(
    shop: Shop,
) -> None:
    # given 3 bolts back from a delivered order of 4
    stock_up(shop.db, {("MAIN", "B-2"): 4})
    order = delivered_order(shop.db, shop.trade.id, ("B-2", 4))
    rma = receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 3, "not_as_described"))))
    # when 2 go back on the shelf and 1 is scrapped
    rma = inspect(
        shop.db,
        rma,
        DispositionInput(1, "restock", quantity=2),
        DispositionInput(1, "scrap", quantity=1, note="bent"),
    )
    # then the ledger shows the three units coming back and the scrapped one written off
    assert _rma_moves(shop, rma.number) == [
        ("adjustment", "MAIN", -1),
        ("return", "MAIN", 1),
        ("return", "MAIN", 2),
    ]
    assert _levels(shop, "B-2") == {"MAIN": (2, 0)}
    assert [(d.disposition, d.quantity, d.warehouse) for d in rma.lines[0].dispositions] == [
        ("restock", 2, "MAIN"),
        ("scrap", 1, "MAIN"),
    ]
    with shop.db.reader() as session:
        reasons = [m.reason for m in movements(session, sku="B-2") if m.source_id == rma.number]
    assert f"damage: {rma.number} line 1 scrapped" in reasons
    assert_books_clean(shop.db)


def test_restocking_into_another_warehouse_posts_there(shop: Shop) -> None:
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 1})
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    rma = receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 1, "late"))))
    # when
    inspect(shop.db, rma, DispositionInput(1, "refurbish", warehouse="east"))
    # then
    assert _levels(shop) == {"MAIN": (0, 0), "EAST": (1, 0)}
    assert _rma_moves(shop, rma.number) == [("return", "EAST", 1)]


def test_a_parcel_with_fewer_units_than_announced_is_received_and_decided_as_it_came(
    shop: Shop,
) -> None:
    # given 3 anvils announced
    stock_up(shop.db, {("MAIN", "A-1"): 3})
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 3))
    rma = authorise(shop.db, ask(shop.db, order, (1, 3, "no_longer_needed")))
    # when only 2 arrive
    rma = receive(shop.db, rma, (1, 2))
    rma = restock_all(shop.db, rma)
    rma = resolve(shop.db, rma, "credit_note")
    # then 2 are restocked and credited, and the third may still be returned later
    assert (rma.lines[0].quantity, rma.lines[0].received_quantity) == (3, 2)
    assert rma.credited_total == D("30.00")
    assert _levels(shop) == {"MAIN": (2, 0)}
    again = ask(shop.db, order, (1, 1, "no_longer_needed"))
    assert again.units == 1
    assert_books_clean(shop.db)


def test_check_finds_dispositions_without_movements_and_claims_beyond_shipped(shop: Shop) -> None:
    # given a restocked return, then tampered with behind the services' back
    stock_up(shop.db, {("MAIN", "A-1"): 2})
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 2))
    rma = restock_all(
        shop.db, receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 2, "late"))))
    )
    dispositions, lines = table_of(ReturnDisposition), table_of(ReturnLine)
    with shop.db.engine.begin() as conn:
        conn.execute(sa.update(dispositions).values(quantity=3))
        conn.execute(sa.update(lines).values(quantity=3, received_quantity=3))
    # when
    with shop.db.reader() as session:
        found = {name: v for name, v in run_checks(session).items() if v}
    # then
    assert sorted(found) == [
        "return_dispositions_match_ledger",
        "returns_within_shipped",
    ]
    assert found["returns_within_shipped"][0].detail == (
        f"order {order.number} line 1: 3 units on returns but 2 shipped"
    )
    assert found["return_dispositions_match_ledger"][0].detail.endswith(
        "A-1: received back 3 by its dispositions, 2 by the ledger"
    )
    assert rma.number in found["return_dispositions_match_ledger"][0].detail
