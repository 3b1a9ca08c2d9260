"""`GET /orders/{id}/timeline` over HTTP: one list from history to cases, newest first
with a limit, 404 for an unknown order."""

from __future__ import annotations

from typing import Any

import pytest

from ordersmith.uow import Database
from tests.e2e.conftest import assert_problem
from tests.factories.cases import make_case, note
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import ask, delivered_order
from tests.integration.conftest import Shop, make_shop


@pytest.fixture
def story(db: Database) -> tuple[Shop, Any]:
    """Bob's delivered and invoiced order, a return of one anvil, and a case with a note."""
    shop = make_shop(db)
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    order = delivered_order(db, shop.trade.id, ("A-1", 3))
    ask(db, order, (1, 1, "late"))
    note(db, make_case(db, shop.trade.id, order_id=order.id), "checked", "internal")
    return shop, order


def test_the_timeline_of_an_order_answers_where_it_is(api, story):
    # given
    _shop, order = story
    url = f"/api/v1/orders/{order.number}/timeline"
    # when
    everything = api.get(url)
    newest = api.get(url, params={"newest_first": "true", "limit": 2})
    unknown = api.get("/api/v1/orders/SO-2020-000000/timeline")
    # then
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert (body["order_number"], body["order_id"]) == (order.number, str(order.id))
    kinds = {e["kind"] for e in body["entries"]}
    assert {"history", "shipment", "tracking", "invoice", "return", "case", "case_note"} <= kinds
    times = [e["at"] for e in body["entries"]]
    assert times == sorted(times)
    assert newest.json()["entries"] == body["entries"][::-1][:2]
    assert_problem(unknown, 404, "order_not_found")
