"""Return requests for one order from many threads at once never ask back more than was
shipped, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (the order's row lock)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ordersmith.checks import run_checks
from ordersmith.returns.errors import ReturnExceedsShipped
from ordersmith.returns.queries import ReturnFilter, list_returns
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import ask, delivered_order
from tests.integration.conftest import Shop

pytestmark = pytest.mark.slow

THREADS = 8


def test_concurrent_requests_never_claim_more_units_than_were_shipped(shop: Shop) -> None:
    # given 5 anvils delivered, and 8 people each asking 2 of them back at once
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 5))
    start = threading.Event()

    def request() -> bool:
        start.wait(timeout=30)
        try:
            ask(shop.db, order, (1, 2, "no_longer_needed"))
        except ReturnExceedsShipped:
            return False
        return True

    # when
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(request) for _ in range(THREADS)]
        start.set()
        asked = [f.result(timeout=120) for f in futures]
    # then: two returns of 2 fit in 5, the others are refused
    assert asked.count(True) == 2
    with shop.db.reader() as session:
        returns = list_returns(session, ReturnFilter(order_id=order.id))
        problems = {name: v for name, v in run_checks(session).items() if v}
    assert sum(r.units for r in returns) == 4
    assert problems == {}
