"""Receipts of one purchase order from many threads at once never receive more than the
order allows, and the ledger, the lines and the receipts agree afterwards, on SQLite
(BEGIN IMMEDIATE) and PostgreSQL (the order's row lock, the conditional UPDATE)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ordersmith.purchasing.errors import OverReceipt
from ordersmith.purchasing.queries import get_purchase_order
from tests.factories.purchasing import receive, sent_po
from tests.integration.purchasing.conftest import Buyer, assert_no_violations, on_hand

pytestmark = pytest.mark.slow

THREADS = 8


def test_concurrent_receipts_never_take_in_more_than_was_ordered(buyer: Buyer) -> None:
    # given 30 anvils ordered, and 8 goods-in clerks each booking 6 of them at once
    po = sent_po(buyer.db, buyer.acme, ("A-1", 30))
    start = threading.Event()

    def book() -> bool:
        start.wait(timeout=30)
        try:
            receive(buyer.db, po.id, (1, 6))
        except OverReceipt:
            return False
        return True

    # when
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(book) for _ in range(THREADS)]
        start.set()
        booked = [f.result(timeout=120) for f in futures]
    # then: five receipts of 6 fit, three are refused
    assert booked.count(True) == 5
    with buyer.db.reader() as session:
        done = get_purchase_order(session, po.id)
    assert (done.status, done.lines[0].received_quantity, len(done.receipts)) == ("received", 30, 5)
    assert on_hand(buyer.db, "MAIN", "A-1") == 30
    assert_no_violations(buyer.db)
