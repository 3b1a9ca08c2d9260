"""Receiving purchase orders: the stock ledger, partial and over receipts, backorders
allocated in the same transaction, and what is on order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ordersmith import clock
from ordersmith.config import BackorderPolicy
from ordersmith.errors import Conflict, ValidationFailed
from ordersmith.inventory.models import StockMovement
from ordersmith.inventory.queries import movements
from ordersmith.orders.queries import get_order
from ordersmith.orders.services import confirm_order
from ordersmith.purchasing.errors import OverReceipt
from ordersmith.purchasing.models import PurchaseReceipt
from ordersmith.purchasing.queries import get_purchase_order, on_order
from ordersmith.uow import Database
from tests.factories.orders import order_request, place
from tests.factories.purchasing import approve, close, make_po, receive, send, sent_po
from tests.integration.notifications.conftest import outbox
from tests.integration.purchasing.conftest import assert_no_violations, on_hand, rows

D = Decimal


def _movements(db: Database, sku: str) -> list[tuple[str, int, str, str, str]]:
    with db.reader() as session:
        return [
            (m.kind, m.on_hand_delta, m.source_type, m.source_id, m.reason)
            for m in movements(session, sku=sku)
        ]


def test_a_receipt_posts_to_the_stock_ledger_and_every_check_still_passes(buyer):
    # given
    po = sent_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 100))
    # when
    received = receive(buyer.db, po.id, (1, 4, "6.10"), (2, 50), delivery_note="DN-77")
    # then
    assert (on_hand(buyer.db, "MAIN", "A-1"), on_hand(buyer.db, "MAIN", "B-2")) == (4, 50)
    assert _movements(buyer.db, "A-1") == [
        ("receipt", 4, "purchase_order", po.number, f"{po.number} line 1, delivery note DN-77")
    ]
    assert [(ln.received_quantity, ln.open_quantity) for ln in received.lines] == [(4, 6), (50, 50)]
    [receipt] = received.receipts
    assert (receipt.delivery_note, receipt.received_by) == ("DN-77", "user:goods-in")
    assert [(x.line_no, x.quantity, x.invoiced_unit_cost) for x in receipt.lines] == [
        (1, 4, D("6.10")),
        (2, 50, None),
    ]
    [event] = outbox(buyer.db, "purchase_order.received")
    assert event.payload["status"] == "partially_received"
    stock_events = outbox(buyer.db, "stock.received")
    assert sorted(
        (e.payload["sku"], e.payload["reference"], e.payload["quantity"]) for e in stock_events
    ) == [("A-1", po.number, 4), ("B-2", po.number, 50)]
    assert_no_violations(buyer.db)


def test_a_second_receipt_completes_the_order(buyer):
    # given
    po = sent_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 100))
    receive(buyer.db, po.id, (1, 10))
    # when
    done = receive(buyer.db, po.id, (2, 100))
    # then
    assert done.status == "received"
    assert done.open_quantity == 0
    assert len(done.receipts) == 2
    assert done.allowed_actions == ("receive", "close")
    assert_no_violations(buyer.db)


def test_receiving_without_lines_takes_in_everything_still_open(buyer):
    # given
    po = sent_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 100))
    receive(buyer.db, po.id, (1, 3))
    # when
    done = receive(buyer.db, po.id)
    # then
    assert [ln.received_quantity for ln in done.lines] == [10, 100]
    assert done.status == "received"
    assert [x.quantity for x in done.receipts[-1].lines] == [7, 100]
    with pytest.raises(Conflict) as nothing:
        receive(buyer.db, po.id)
    assert nothing.value.code == "nothing_to_receive"


def test_more_than_ordered_is_refused_by_default_and_nothing_changes(buyer):
    # given
    po = sent_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 100))
    receive(buyer.db, po.id, (1, 8))
    # when
    with pytest.raises(OverReceipt) as refused:
        receive(buyer.db, po.id, (1, 3), (2, 100))
    # then
    assert refused.value.code == "over_receipt"
    assert refused.value.extra["lines"] == [
        {"line_no": 1, "sku": "A-1", "ordered": 10, "received": 8, "receivable": 2}
    ]
    assert [f.field for f in refused.value.fields] == ["lines.0.quantity"]
    assert (on_hand(buyer.db, "MAIN", "A-1"), on_hand(buyer.db, "MAIN", "B-2")) == (8, 0)
    assert len(rows(buyer.db, PurchaseReceipt, "received_at")) == 1
    with buyer.db.reader() as session:
        assert get_purchase_order(session, po.id).lines[1].received_quantity == 0
    assert_no_violations(buyer.db)


def test_the_over_receipt_tolerance_allows_a_few_more_units_and_no_more(buyer, reconnect):
    # given a 10 % tolerance: 20 ordered, at most 22 received
    db = reconnect(buyer.db, purchase_over_receipt_tolerance_percent=D("10"))
    po = sent_po(db, buyer.acme, ("A-1", 20))
    # when
    got = receive(db, po.id, (1, 21))
    with pytest.raises(OverReceipt) as refused:
        receive(db, po.id, (1, 2))
    more = receive(db, po.id, (1, 1))
    # then
    assert (got.status, more.status) == ("received", "received")
    assert refused.value.extra["lines"][0]["receivable"] == 1
    assert more.lines[0].received_quantity == 22
    assert more.open_quantity == 0
    assert on_hand(db, "MAIN", "A-1") == 22
    assert_no_violations(db)


@pytest.mark.parametrize(
    ("received", "field"),
    [
        ([(3, 1)], "lines.0.line_no"),
        ([(1, 0)], "lines.0.quantity"),
        ([(1, 1), (1, 2)], "lines.1.line_no"),
        ([(1, 1, "1.00001")], "lines.0.unit_cost"),
    ],
)
def test_a_receipt_naming_bad_lines_is_refused_with_the_field(buyer, received, field):
    # given
    po = sent_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 100))
    # when
    with pytest.raises(ValidationFailed) as refused:
        receive(buyer.db, po.id, *received)
    # then
    assert [f.field for f in refused.value.fields] == [field]
    assert on_hand(buyer.db, "MAIN", "A-1") == 0


def test_a_confirmed_backordered_order_is_allocated_when_the_purchase_order_arrives(buyer):
    # given: Ann ordered 4 anvils with none in stock; her order is confirmed and waits
    db = buyer.db
    order = place(
        db,
        order_request(buyer.shop.cash.id, ("A-1", 4), backorder_policy=BackorderPolicy.BACKORDER),
    )
    with db.unit_of_work(actor="user:sam") as uow:
        waiting = confirm_order(uow, order_id=order.id)
    assert (waiting.fulfilment_status, waiting.lines[0].backordered_quantity) == ("backordered", 4)
    po = sent_po(db, buyer.acme, ("A-1", 10))
    # when: the anvils arrive
    receive(db, po.id, (1, 10))
    # then: in the same transaction, her order got its units
    with db.reader() as session:
        allocated = get_order(session, str(order.id))
    assert (allocated.fulfilment_status, allocated.lines[0].backordered_quantity) == (
        "allocated",
        0,
    )
    assert allocated.lines[0].reserved_quantity == 4
    [event] = [
        e for e in outbox(db, "order.allocated") if e.payload.get("trigger") == "stock_arrived"
    ]
    assert event.aggregate_id == order.id
    [arrival] = outbox(db, "purchase_order.received")
    assert event.created_at == arrival.created_at  # written by the receipt's own commit
    assert on_hand(db, "MAIN", "A-1") == 10
    assert_no_violations(db)


def test_a_receipt_that_fails_allocates_nothing_and_posts_nothing(buyer):
    # given
    order = place(
        buyer.db,
        order_request(buyer.shop.cash.id, ("A-1", 2), backorder_policy=BackorderPolicy.BACKORDER),
    )
    with buyer.db.unit_of_work(actor="user:sam") as uow:
        confirm_order(uow, order_id=order.id)
    po = sent_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 100))
    ledger = len(rows(buyer.db, StockMovement, "created_at"))
    # when: the anvils are fine, the bolts over-received
    with pytest.raises(OverReceipt):
        receive(buyer.db, po.id, (1, 10), (2, 101))
    # then
    assert len(rows(buyer.db, StockMovement, "created_at")) == ledger
    with buyer.db.reader() as session:
        assert get_order(session, str(order.id)).lines[0].backordered_quantity == 2
        assert get_purchase_order(session, po.id).status == "sent"
    assert outbox(buyer.db, "purchase_order.received") == []


def test_on_order_counts_what_is_still_to_come_per_warehouse_and_product(buyer):
    # given
    db, acme = buyer.db, buyer.acme
    with clock.simulated(datetime(2026, 3, 2, 9, tzinfo=UTC)):
        make_po(db, acme, ("A-1", 99))  # a draft: not on order
        approved = approve(db, make_po(db, acme, ("A-1", 10), ("B-2", 100)))  # 9 March
        sent_po(db, acme, ("A-1", 5), warehouse="EAST")
        partly = send(db, approve(db, make_po(db, acme, ("A-1", 8))), email=False)
        receive(db, partly.id, (1, 6))
        done = sent_po(db, acme, ("A-1", 1))
        receive(db, done.id)
        short = sent_po(db, acme, ("B-2", 200))
        receive(db, short.id, (1, 50))
        close(db, short, reason="the rest is discontinued")
    # when
    with db.reader() as session:
        everything = on_order(session)
        main_anvils = on_order(
            session,
            warehouse_ids=[approved.warehouse_id],
            product_ids=[approved.lines[0].product_id],
        )
    # then: 10 + 2 anvils to MAIN, 5 to EAST, 100 bolts to MAIN
    assert [(r.sku, r.warehouse, r.quantity, r.next_expected_date) for r in everything] == [
        ("A-1", "EAST", 5, date(2026, 3, 9)),
        ("A-1", "MAIN", 12, date(2026, 3, 9)),
        ("B-2", "MAIN", 100, date(2026, 3, 16)),
    ]
    assert [(r.sku, r.quantity) for r in main_anvils] == [("A-1", 12)]
