"""Stock transfers between warehouses: dispatch, receipts, cancellation and the ledger."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.config import BackorderPolicy
from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.fulfillment.queries import allocation_decisions, order_allocations
from ordersmith.inventory.errors import InsufficientStock, ReceiptExceedsOutstanding
from ordersmith.inventory.queries import movements, stock_levels
from ordersmith.inventory.transfer_queries import get_transfer, in_transit, list_transfers
from ordersmith.inventory.transfer_status import TransferStatus
from ordersmith.orders.queries import get_order
from tests.factories.fulfillment import confirm
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.factories.transfers import cancel, dispatch, make_transfer, receive

BACKORDER = {"backorder_policy": BackorderPolicy.BACKORDER}


def _levels(db, warehouse):
    with db.reader() as session:
        return {r.sku: (r.on_hand, r.reserved) for r in stock_levels(session, warehouse=warehouse)}


def _transfer_moves(db):
    with db.reader() as session:
        rows = movements(session, limit=500)
    return [m for m in rows if m.source_type == "transfer"]


def _on_the_way(db, **filters):
    with db.reader() as session:
        return [(r.sku, r.warehouse, r.quantity) for r in in_transit(session, **filters)]


def _violations(db):
    with db.reader() as session:
        return {name: found for name, found in run_checks(session).items() if found}


def _outbox(db):
    with db.reader() as session:
        return session.scalars(
            sa.text("SELECT event_type FROM outbox_events ORDER BY created_at")
        ).all()


def test_dispatch_moves_the_goods_off_the_source_in_one_post_and_the_ledger_still_closes(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 5})
    # when
    transfer = make_transfer(shop.db, ("A-1", 4), ("B-2", 5), dispatch=True)
    # then: off MAIN, on nobody's hand, on the way to EAST
    assert re.fullmatch(r"TR-\d{4}-\d{6}", transfer.number)
    assert transfer.status is TransferStatus.IN_TRANSIT
    assert _levels(shop.db, "MAIN") == {"A-1": (6, 0), "B-2": (0, 0)}
    assert _levels(shop.db, "EAST") == {}
    moves = _transfer_moves(shop.db)
    assert sorted((m.warehouse, m.sku, m.kind, m.on_hand_delta) for m in moves) == [
        ("MAIN", "A-1", "transfer_out", -4),
        ("MAIN", "B-2", "transfer_out", -5),
    ]
    assert {(m.source_id, m.actor, m.created_at) for m in moves} == {
        (transfer.number, "user:sam", moves[0].created_at)
    }  # one post: one actor, one instant, the transfer as source
    assert _on_the_way(shop.db) == [("A-1", "EAST", 4), ("B-2", "EAST", 5)]
    assert [(line.sku, line.shipped_quantity, line.in_transit) for line in transfer.lines] == [
        ("A-1", 4, 4),
        ("B-2", 5, 5),
    ]
    assert _violations(shop.db) == {}
    assert {"transfer.created", "transfer.dispatched", "stock.out"} <= set(_outbox(shop.db))


def test_a_draft_moves_no_stock_until_it_is_dispatched(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    draft = make_transfer(shop.db, ("A-1", 3), note="for the weekend sale")
    assert (draft.status, _levels(shop.db, "MAIN"), _transfer_moves(shop.db)) == (
        TransferStatus.DRAFT,
        {"A-1": (10, 0)},
        [],
    )
    # when
    sent = dispatch(shop.db, draft)
    # then
    assert (sent.status, sent.dispatched_by) == (TransferStatus.IN_TRANSIT, "user:sam")
    assert sent.dispatched_at is not None
    assert _levels(shop.db, "MAIN") == {"A-1": (7, 0)}


def test_a_dispatch_the_source_cannot_cover_from_available_stock_is_refused_and_changes_nothing(
    shop,
):
    # given: 3 A-1 at MAIN, 2 of them reserved for an order; 1 B-2
    stock_up(shop.db, {("MAIN", "A-1"): 3, ("MAIN", "B-2"): 1})
    place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    draft = make_transfer(shop.db, ("A-1", 2), ("B-2", 1))
    # when
    with pytest.raises(InsufficientStock) as caught:
        dispatch(shop.db, draft)
    # then: the reserved units are never taken, and the error names the short SKU
    assert caught.value.code == "insufficient_stock"
    assert caught.value.extra["shortages"] == [{"sku": "A-1", "requested": 2, "available": 1}]
    assert "A-1" in caught.value.detail
    assert "B-2" not in caught.value.detail
    assert _levels(shop.db, "MAIN") == {"A-1": (3, 2), "B-2": (1, 0)}
    assert _transfer_moves(shop.db) == []
    with shop.db.reader() as session:
        assert get_transfer(session, draft.number).status is TransferStatus.DRAFT
    assert _violations(shop.db) == {}


def test_creating_with_dispatch_when_stock_is_short_creates_nothing(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 1})
    # when
    with pytest.raises(InsufficientStock):
        make_transfer(shop.db, ("A-1", 2), ("B-2", 1), dispatch=True)
    # then
    with shop.db.reader() as session:
        assert list_transfers(session) == []
    assert _levels(shop.db, "MAIN") == {"A-1": (1, 0)}


def test_a_partial_receipt_then_the_rest_completes_the_transfer(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 4})
    transfer = make_transfer(shop.db, ("A-1", 5), ("B-2", 4), dispatch=True)
    # when: 2 A-1 arrive first
    partly = receive(shop.db, transfer, ("A-1", 2))
    # then
    assert partly.status is TransferStatus.PARTIALLY_RECEIVED
    assert partly.received_at is None
    assert _levels(shop.db, "EAST") == {"A-1": (2, 0)}
    assert _on_the_way(shop.db, warehouse="EAST") == [("A-1", "EAST", 3), ("B-2", "EAST", 4)]
    assert _violations(shop.db) == {}
    # when: the rest arrives
    done = receive(shop.db, transfer)
    # then
    assert done.status is TransferStatus.RECEIVED
    assert done.received_at is not None
    assert [(line.sku, line.received_quantity, line.in_transit) for line in done.lines] == [
        ("A-1", 5, 0),
        ("B-2", 4, 0),
    ]
    assert _levels(shop.db, "EAST") == {"A-1": (5, 0), "B-2": (4, 0)}
    assert _levels(shop.db, "MAIN") == {"A-1": (5, 0), "B-2": (0, 0)}
    assert _on_the_way(shop.db) == []
    ins = [m for m in _transfer_moves(shop.db) if m.kind == "transfer_in"]
    assert {(m.warehouse, m.actor) for m in ins} == {("EAST", "user:kim")}
    assert _violations(shop.db) == {}
    assert "stock.transfer_received" in _outbox(shop.db)


def test_receiving_more_than_was_shipped_and_not_yet_received_is_refused(shop):
    # given: 5 shipped, 2 already received
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    transfer = make_transfer(shop.db, ("A-1", 5), dispatch=True)
    receive(shop.db, transfer, ("A-1", 2))
    # when
    with pytest.raises(ReceiptExceedsOutstanding) as caught:
        receive(shop.db, transfer, ("A-1", 4))
    # then
    assert caught.value.code == "receipt_exceeds_outstanding"
    assert caught.value.extra["lines"] == [{"sku": "A-1", "quantity": 4, "outstanding": 3}]
    assert _levels(shop.db, "EAST") == {"A-1": (2, 0)}
    assert _on_the_way(shop.db) == [("A-1", "EAST", 3)]


def test_a_sku_not_on_the_transfer_and_a_draft_cannot_be_received(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    draft = make_transfer(shop.db, ("A-1", 5))
    # when / then: a draft has not left
    with pytest.raises(InvalidTransition) as not_sent:
        receive(shop.db, draft)
    assert not_sent.value.extra == {"current_status": "draft", "action": "receive"}
    sent = dispatch(shop.db, draft)
    with pytest.raises(ValidationFailed) as stranger:
        receive(shop.db, sent, ("B-2", 1))
    assert stranger.value.code == "not_on_transfer"
    assert [f.field for f in stranger.value.fields] == ["lines.0.sku"]


def test_receiving_a_transfer_allocates_backorders_there_oldest_order_first(shop):
    # given: 3 A-1 on the way to EAST, nothing on hand anywhere; two orders waiting
    stock_up(shop.db, {("MAIN", "A-1"): 3})
    transfer = make_transfer(shop.db, ("A-1", 3), dispatch=True)
    older = place(shop.db, order_request(shop.cash.id, ("A-1", 3), **BACKORDER))
    newer = place(shop.db, order_request(shop.trade.id, ("A-1", 2), **BACKORDER))
    confirm(shop.db, older)
    confirm(shop.db, newer)
    # when
    receive(shop.db, transfer)
    # then: the older order is served in full from EAST, the newer one keeps waiting
    with shop.db.reader() as session:
        first, second = get_order(session, older.number), get_order(session, newer.number)
        placed_at = [a.warehouse for a in order_allocations(session, older.id)]
        decision = allocation_decisions(session, older.id)[-1]
    assert (first.fulfilment_status, first.lines[0].backordered_quantity) == ("allocated", 0)
    assert (second.fulfilment_status, second.lines[0].backordered_quantity) == ("backordered", 2)
    assert placed_at == ["EAST"]
    assert decision.trigger == "stock_arrived"
    assert _levels(shop.db, "EAST") == {"A-1": (3, 3)}
    assert _violations(shop.db) == {}


def test_cancelling_in_transit_puts_the_goods_back_at_the_source_with_the_reason(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    transfer = make_transfer(shop.db, ("A-1", 4), dispatch=True)
    # when
    cancelled = cancel(shop.db, transfer, reason="truck broke down")
    # then
    assert cancelled.status is TransferStatus.CANCELLED
    assert (cancelled.cancel_reason, cancelled.cancelled_by) == ("truck broke down", "user:sam")
    assert [line.in_transit for line in cancelled.lines] == [0]
    assert _levels(shop.db, "MAIN") == {"A-1": (10, 0)}
    back = [m for m in _transfer_moves(shop.db) if m.kind == "transfer_in"]
    assert [(m.warehouse, m.on_hand_delta) for m in back] == [("MAIN", 4)]
    assert "truck broke down" in back[0].reason
    assert _on_the_way(shop.db) == []
    assert _violations(shop.db) == {}
    assert {"transfer.cancelled", "stock.transfer_returned"} <= set(_outbox(shop.db))
    # and it is over: neither received nor cancelled again
    for action in (lambda: receive(shop.db, transfer), lambda: cancel(shop.db, transfer)):
        with pytest.raises(InvalidTransition):
            action()


def test_goods_returned_by_a_cancelled_transfer_serve_backorders_at_the_source(shop):
    # given: everything at MAIN left on a transfer, then an order waits for A-1
    stock_up(shop.db, {("MAIN", "A-1"): 2})
    transfer = make_transfer(shop.db, ("A-1", 2), dispatch=True)
    waiting = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 2), **BACKORDER)))
    assert waiting.fulfilment_status == "backordered"
    # when
    cancel(shop.db, transfer, reason="not needed after all")
    # then
    with shop.db.reader() as session:
        assert get_order(session, waiting.number).fulfilment_status == "allocated"
    assert _violations(shop.db) == {}


def test_a_draft_is_cancelled_without_moving_stock_but_a_partly_received_one_is_not(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    draft = make_transfer(shop.db, ("A-1", 1))
    partly = make_transfer(shop.db, ("A-1", 4), dispatch=True)
    receive(shop.db, partly, ("A-1", 1))
    # when
    cancelled = cancel(shop.db, draft)
    with pytest.raises(InvalidTransition) as refused:
        cancel(shop.db, partly)
    # then
    assert cancelled.status is TransferStatus.CANCELLED
    assert refused.value.extra == {"current_status": "partially_received", "action": "cancel"}
    assert _levels(shop.db, "MAIN") == {"A-1": (6, 0)}


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("UPDATE stock_movements SET on_hand_delta = -3 WHERE kind = 'transfer_out'", "ledger"),
        ("UPDATE stock_transfer_lines SET received_quantity = 1", "document"),
        (
            "UPDATE stock_movements SET source_id = 'TR-1999-000001' "
            "WHERE source_type = 'transfer'",
            "source",
        ),
    ],
)
def test_the_checker_catches_a_transfer_that_no_longer_matches_its_movements(shop, sql, what):
    # given a transfer of 4 in transit
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    make_transfer(shop.db, ("A-1", 4), dispatch=True)
    assert _violations(shop.db) == {}
    # when one side is changed behind the other's back
    with shop.db.engine.begin() as conn:
        conn.execute(sa.text(sql))
    # then
    found = _violations(shop.db)
    assert "transfers_match_ledger" in found, what
    assert "A-1" in found["transfers_match_ledger"][0].detail
