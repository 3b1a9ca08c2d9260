from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.catalog.services import (
    PriceItemInput,
    create_price_list,
    create_product,
    update_product,
)
from ordersmith.checks import run_checks
from ordersmith.config import BackorderPolicy
from ordersmith.errors import ValidationFailed
from ordersmith.inventory.errors import InsufficientStock
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders.errors import DuplicateExternalRef, ProductNotOrderable
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder
from ordersmith.orders.queries import customer_history, get_order
from ordersmith.orders.services import cancel_order
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place


def _available(db, sku):
    with db.reader() as session:
        return {r.warehouse: (r.on_hand, r.reserved) for r in stock_levels(session, sku=sku)}


def _no_violations(db):
    with db.reader() as session:
        return {k: v for k, v in run_checks(session).items() if v} == {}


@pytest.mark.parametrize("channel", list(Channel))
def test_an_order_from_any_channel_reserves_its_stock_in_the_same_transaction(shop, channel):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    # when
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 3), channel=channel))
    # then
    assert order.status == "placed"
    assert order.channel == channel.value
    assert order.number.startswith("SO-")
    assert _available(shop.db, "A-1") == {"MAIN": (10, 3)}
    assert _no_violations(shop.db)


def test_totals_are_priced_per_line_with_tax_and_add_up(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 100})
    # when 2 x 12.50 and 3 x 0.35 with 20 % tax, 5.00 shipping
    order = place(
        shop.db,
        order_request(shop.cash.id, ("A-1", 2), ("B-2", 3), shipping_amount=Decimal("5.00")),
    )
    # then
    assert order.subtotal == Decimal("26.05")
    assert order.tax_total == Decimal("5.00") + Decimal("0.21")
    assert order.total == Decimal("26.05") + Decimal("5.21") + Decimal("5.00")
    with shop.db.reader() as session:
        stored = get_order(session, order.number)
    assert stored.total == order.total
    assert (
        sum(line.net_amount + line.tax_amount for line in stored.lines) + stored.shipping_total
        == stored.total
    )


def test_two_lines_of_the_same_sku_reserve_their_sum_once(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    # when
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 2), ("A-1", 3)))
    # then
    assert [line.reserved_quantity for line in order.lines] == [2, 3]
    assert _available(shop.db, "A-1") == {"MAIN": (5, 5)}


def test_an_order_too_big_for_one_warehouse_takes_from_the_next_in_priority(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 4, ("EAST", "A-1"): 4})
    # when
    place(shop.db, order_request(shop.cash.id, ("A-1", 6)))
    # then
    assert _available(shop.db, "A-1") == {"MAIN": (4, 4), "EAST": (4, 2)}


def test_a_line_pinned_to_a_warehouse_reserves_only_there(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("EAST", "A-1"): 10})
    # when
    order = place(
        shop.db,
        PlaceOrder(
            customer_id=shop.cash.id,
            channel=Channel.API,
            lines=[LineRequest("A-1", 2, warehouse="EAST")],
        ),
    )
    # then
    assert _available(shop.db, "A-1") == {"MAIN": (10, 0), "EAST": (10, 2)}
    assert order.lines[0].warehouse_id is not None


def test_insufficient_stock_under_the_reject_policy_changes_nothing_but_records_the_shortage(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 2, ("MAIN", "B-2"): 50})
    # when
    with pytest.raises(InsufficientStock) as caught:
        place(shop.db, order_request(shop.cash.id, ("B-2", 1), ("A-1", 3), external_ref="X-1"))
    # then
    assert caught.value.code == "insufficient_stock"
    assert caught.value.extra["shortages"] == [{"sku": "A-1", "requested": 3, "available": 2}]
    assert _available(shop.db, "A-1") == {"MAIN": (2, 0)}
    assert _available(shop.db, "B-2") == {"MAIN": (50, 0)}
    with shop.db.reader() as session:
        assert session.execute(sa.text("SELECT count(*) FROM orders")).scalar() == 0
        events = session.execute(sa.text("SELECT event_type FROM outbox_events")).scalars().all()
    assert "stock.out" in events
    assert "order.placed" not in events


def test_the_backorder_policy_reserves_what_there_is_and_backorders_the_rest(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 2})
    # when
    order = place(
        shop.db, order_request(shop.cash.id, ("A-1", 5), backorder_policy=BackorderPolicy.BACKORDER)
    )
    # then
    assert (order.lines[0].reserved_quantity, order.lines[0].backordered_quantity) == (2, 3)
    assert order.backordered
    assert _no_violations(shop.db)


def test_a_product_that_is_not_stocked_needs_no_stock(shop):
    # when
    order = place(shop.db, order_request(shop.cash.id, ("SVC", 1)))
    # then
    assert order.lines[0].reserved_quantity == 0
    assert order.lines[0].backordered_quantity == 0


def test_a_discontinued_product_cannot_be_ordered(shop):
    # given
    with shop.db.unit_of_work(actor="test") as uow:
        update_product(uow, product="A-1", status="discontinued")
    # when / then
    with pytest.raises(ProductNotOrderable):
        place(shop.db, order_request(shop.cash.id, ("A-1", 1)))


def test_an_unknown_sku_is_a_validation_error_naming_the_line(shop):
    with pytest.raises(ValidationFailed) as caught:
        place(shop.db, order_request(shop.cash.id, ("A-1", 1), ("NOPE", 1)))
    assert caught.value.code == "unknown_sku"
    assert [f.field for f in caught.value.fields] == ["lines.1.sku"]


def test_the_same_external_ref_on_the_same_channel_is_refused(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(
        shop.db, order_request(shop.cash.id, ("A-1", 1), external_ref="WEB-1", channel=Channel.WEB)
    )
    # when / then
    with pytest.raises(DuplicateExternalRef):
        place(
            shop.db,
            order_request(shop.cash.id, ("A-1", 2), external_ref="WEB-1", channel=Channel.WEB),
        )
    assert _available(shop.db, "A-1") == {"MAIN": (10, 1)}


def test_the_same_external_ref_on_another_channel_is_a_different_order(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(shop.db, order_request(shop.cash.id, ("A-1", 1), external_ref="R-1", channel=Channel.WEB))
    other = place(
        shop.db,
        order_request(shop.cash.id, ("A-1", 2), external_ref="R-1", channel=Channel.MARKETPLACE),
    )
    assert other.status == "placed"


def test_a_likely_duplicate_from_another_channel_is_held_for_review_not_dropped(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    first = place(shop.db, order_request(shop.cash.id, ("A-1", 1), ("B-2", 2), channel=Channel.WEB))
    # when the same lines arrive by phone, in another order
    second = place(
        shop.db, order_request(shop.cash.id, ("B-2", 2), ("A-1", 1), channel=Channel.PHONE)
    )
    # then
    assert second.status == "on_hold"
    assert second.hold_reason == "suspected_duplicate"
    assert second.duplicate_of_id == first.id
    assert _available(shop.db, "A-1") == {"MAIN": (10, 2)}


def test_a_customer_group_price_list_sets_the_unit_price(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 100})
    with shop.db.unit_of_work(actor="test") as uow:
        create_price_list(
            uow,
            code="WHOLESALE",
            name="Wholesale",
            customer_group="wholesale",
            currency="EUR",
            items=[
                PriceItemInput(sku="A-1", price="10.00"),
                PriceItemInput(sku="A-1", price="9.00", min_quantity=10),
            ],
        )
    # when
    small = place(shop.db, order_request(shop.trade.id, ("A-1", 2)))
    large = place(shop.db, order_request(shop.trade.id, ("A-1", 10)))
    retail = place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    # then
    assert small.lines[0].unit_price == Decimal("10.00")
    assert small.lines[0].price_source == "price_list:WHOLESALE"
    assert large.lines[0].unit_price == Decimal("9.00")
    assert retail.lines[0].unit_price == Decimal("12.50")


def test_the_order_copies_the_customers_default_address(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 1})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    assert order.shipping_address["city"] == "Berlin"


def test_customer_history_counts_orders_units_and_lifetime_value(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    place(shop.db, order_request(shop.cash.id, ("A-1", 1), channel=Channel.WEB))
    # when
    with shop.db.reader() as session:
        history = customer_history(session, shop.cash.id)
    # then
    assert history.order_count == 2
    assert history.units_ordered == 3
    assert [(v.currency, v.lifetime_value) for v in history.lifetime_value] == [
        ("EUR", Decimal("45.00"))
    ]
    assert history.last_order_at is not None
    assert len(history.recent_orders) == 2


def test_customer_history_counts_open_and_cancelled_orders_but_not_drafts(shop):
    # given a placed order, a cancelled one and a draft
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(shop.db, order_request(shop.cash.id, ("A-1", 1), channel=Channel.WEB))
    cancelled = place(shop.db, order_request(shop.cash.id, ("A-1", 2), channel=Channel.API))
    with shop.db.unit_of_work(actor="test") as uow:
        cancel_order(uow, order_id=cancelled.id, reason="changed their mind")
    place(shop.db, order_request(shop.cash.id, ("A-1", 4), draft=True))
    # when
    with shop.db.reader() as session:
        history = customer_history(session, shop.cash.id)
    # then
    assert (history.order_count, history.open_order_count) == (2, 1)
    assert history.cancelled_order_count == 1
    assert history.units_ordered == 1


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([LineRequest("A-1", 0)], "lines.0.quantity"),
        ([LineRequest(" ", 1)], "lines.0.sku"),
    ],
)
def test_malformed_orders_are_refused_with_the_field_named(shop, lines, field):
    with pytest.raises(ValidationFailed) as caught:
        place(shop.db, PlaceOrder(customer_id=shop.cash.id, channel=Channel.API, lines=lines))
    assert field in [f.field for f in caught.value.fields]


def test_an_order_too_large_to_store_is_refused_not_a_crash(shop):
    # given a product at the largest storable price
    with shop.db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="GOLD", name="Gold bar", price="999999999999.9999", stocked=False)
    # when / then
    with pytest.raises(ValidationFailed) as caught:
        place(shop.db, order_request(shop.cash.id, ("GOLD", 1_000_000)))
    assert caught.value.code == "amount_too_large"


def test_a_pinned_line_reports_only_its_own_warehouses_stock_when_short(shop):
    # given 2 in MAIN, 50 in EAST
    stock_up(shop.db, {("MAIN", "A-1"): 2, ("EAST", "A-1"): 50, ("EAST", "B-2"): 5})
    # when an order pins A-1 to MAIN and B-2 to EAST
    request = PlaceOrder(
        customer_id=shop.cash.id,
        channel=Channel.API,
        lines=[LineRequest("A-1", 5, warehouse="MAIN"), LineRequest("B-2", 1, warehouse="EAST")],
    )
    with pytest.raises(InsufficientStock) as caught:
        place(shop.db, request)
    # then
    assert caught.value.extra["shortages"] == [{"sku": "A-1", "requested": 5, "available": 2}]


def test_a_suspected_duplicate_is_not_counted_twice_in_the_customers_history(shop):
    # given the same order sent twice
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(shop.db, order_request(shop.cash.id, ("A-1", 2), channel=Channel.WEB))
    place(shop.db, order_request(shop.cash.id, ("A-1", 2), channel=Channel.PHONE))
    # when
    with shop.db.reader() as session:
        history = customer_history(session, shop.cash.id)
    # then
    assert (history.order_count, history.suspected_duplicate_count) == (1, 1)
    assert history.units_ordered == 2
    assert [v.lifetime_value for v in history.lifetime_value] == [Decimal("30.00")]


def test_lifetime_value_beyond_what_sqlite_can_sum_is_still_exact(shop):
    # given two orders of 500 trillion each (a total SQLite cannot SUM as scaled integers)
    with shop.db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="JET", name="Private jet", price="1.00", stocked=False)
    place(shop.db, order_request(shop.trade.id, ("JET", 1)))
    place(shop.db, order_request(shop.trade.id, ("JET", 2)))
    huge = 500_000_000_000_000 * (10_000 if shop.db.settings.is_sqlite else 1)  # Fixed(4) storage
    with shop.db.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE orders SET subtotal = {huge}, total = {huge}")
    # when
    with shop.db.reader() as session:
        history = customer_history(session, shop.trade.id)
    # then
    assert [v.lifetime_value for v in history.lifetime_value] == [Decimal("1000000000000000")]


def test_an_order_held_as_a_suspected_duplicate_records_the_hold_event_too(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(shop.db, order_request(shop.cash.id, ("A-1", 1), channel=Channel.WEB))
    # when
    held = place(shop.db, order_request(shop.cash.id, ("A-1", 1), channel=Channel.PHONE))
    # then
    with shop.db.reader() as session:
        events = (
            session.execute(
                sa.text("SELECT event_type FROM outbox_events WHERE aggregate_id = :id"),
                {"id": held.id.hex if shop.db.settings.is_sqlite else held.id},
            )
            .scalars()
            .all()
        )
    assert sorted(events) == ["order.held", "order.placed"]
