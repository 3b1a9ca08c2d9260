"""Quoting an order: the customer's prices and the totals placement will give, the
duplicate rule of placement, and the same refusals, without writing anything."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordersmith.catalog.price_lists import PriceItemInput
from ordersmith.errors import ValidationFailed
from ordersmith.orders import queries
from ordersmith.orders.quote import quote_order
from tests.factories.catalog import make_price_list
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop


@pytest.fixture
def stocked(shop: Shop) -> Shop:
    stock_up(shop.db, {("MAIN", "A-1"): 100, ("MAIN", "B-2"): 100})
    return shop


def test_a_quote_has_the_totals_the_placed_order_gets(stocked):
    # given: the wholesale group pays 10.00 for A-1 from 3 units
    with stocked.db.unit_of_work(actor="test") as uow:
        make_price_list(
            uow, items=[PriceItemInput(sku="A-1", price=Decimal("10.00"), min_quantity=3)]
        )
    request = order_request(stocked.trade.id, ("A-1", 3), ("B-2", 7), ("SVC", 1))
    # when
    with stocked.db.unit_of_work(actor="test") as uow:
        quote = quote_order(uow, request)
    placed = place(stocked.db, request)
    # then
    assert [line.unit_price for line in quote.lines] == [
        Decimal("10.00"),
        Decimal("0.35"),
        Decimal("30.00"),
    ]
    assert quote.lines[0].price_source.startswith("price_list:")
    assert (quote.totals.subtotal, quote.totals.tax_total, quote.totals.total) == (
        placed.subtotal,
        placed.tax_total,
        placed.total,
    )
    assert [line.net for line in quote.lines] == [line.net_amount for line in placed.lines]


def test_a_quote_names_the_recent_order_it_would_be_held_as_a_duplicate_of(stocked):
    # given
    earlier = place(stocked.db, order_request(stocked.cash.id, ("A-1", 2)))
    # when
    with stocked.db.unit_of_work(actor="test") as uow:
        same = quote_order(uow, order_request(stocked.cash.id, ("A-1", 2)))
        other = quote_order(uow, order_request(stocked.cash.id, ("A-1", 3)))
    # then
    assert same.duplicate is not None
    assert same.duplicate.number == earlier.number
    assert other.duplicate is None


def test_a_quote_refuses_what_placement_refuses_and_writes_nothing(stocked):
    # given
    request = order_request(stocked.cash.id, ("NOPE", 1), ("A-1", 0))
    # when
    with pytest.raises(ValidationFailed) as refused, stocked.db.unit_of_work(actor="test") as uow:
        quote_order(uow, request)
    # then
    assert {f.field for f in refused.value.fields} == {"lines.1.quantity"}
    with stocked.db.reader() as session:
        found = queries.list_orders(session, queries.OrderFilter(customer_id=stocked.cash.id))
    assert found == []


def test_a_quote_of_an_unknown_sku_names_its_line(stocked):
    # given
    request = order_request(stocked.cash.id, ("A-1", 1), ("NOPE", 1))
    # when
    with pytest.raises(ValidationFailed) as refused, stocked.db.unit_of_work(actor="test") as uow:
        quote_order(uow, request)
    # then
    assert refused.value.code == "unknown_sku"
    assert [f.field for f in refused.value.fields] == ["lines.1.sku"]
