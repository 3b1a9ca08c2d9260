"""Importing historical orders: completed history, recomputed totals, no stock effect,
and bad input or repeated references refused without writing anything."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.errors import ValidationFailed
from ordersmith.inventory.models import StockMovement
from ordersmith.orders.errors import DuplicateExternalRef
from ordersmith.orders.history_import import (
    HistoricalLine,
    HistoricalOrder,
    import_historical_orders,
)
from ordersmith.orders.history_import_rules import MAX_ORDERS
from ordersmith.orders.models import Channel, Order, OrderHistory, OrderLine
from ordersmith.orders.queries import get_order
from ordersmith.orders.status import OrderStatus
from ordersmith.outbox.models import OutboxEvent
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place

LAST_YEAR = datetime(datetime.now(UTC).year - 1, 5, 14, 9, 30, tzinfo=UTC)


def _order(customer_id, ref="OLD-1", **overrides):
    fields = {
        "customer_id": customer_id,
        "channel": Channel.WEB,
        "external_ref": ref,
        "created_at": LAST_YEAR,
        "status": OrderStatus.COMPLETED,
        "lines": [
            HistoricalLine("A-1", 2, Decimal("11.90")),
            HistoricalLine("B-2", 10, Decimal("0.30"), discount=Decimal("0.50")),
        ],
        "shipping_amount": Decimal("4.95"),
    }
    return HistoricalOrder(**{**fields, **overrides})


def _import(db, orders, actor="importer"):
    with db.unit_of_work(actor=actor) as uow:
        return import_historical_orders(uow, orders)


def _count(db, model):
    with db.reader() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(table_of(model)))


def _counts(db):
    return [_count(db, m) for m in (Order, OrderLine, OrderHistory, OutboxEvent)]


def test_historical_orders_are_stored_completed_with_totals_recomputed_per_line(shop):
    # when 2 x 11.90 and 10 x 0.30 - 0.50 at the products' 20 % tax, 4.95 shipping
    count = _import(shop.db, [_order(shop.cash.id)])
    # then
    assert count == 1
    with shop.db.reader() as session:
        number = session.scalar(sa.select(table_of(Order).c.number))
        order = get_order(session, number)
    assert order.status == "completed"
    assert order.created_at == LAST_YEAR
    assert order.subtotal == Decimal("26.80")
    assert order.discount_total == Decimal("0.50")
    assert order.tax_total == Decimal("4.76") + Decimal("0.50")
    assert order.total == Decimal("26.30") + Decimal("5.26") + Decimal("4.95")
    assert order.shipping_address["city"] == "Berlin"
    assert [line.reserved_quantity for line in order.lines] == [0, 0]


def test_history_gets_numbers_that_live_numbering_cannot_produce(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    # when
    _import(shop.db, [_order(shop.cash.id, "OLD-1"), _order(shop.cash.id, "OLD-2")])
    live = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    # then
    with shop.db.reader() as session:
        numbers = set(session.scalars(sa.select(table_of(Order).c.number)))
    year = LAST_YEAR.year
    assert {f"SO-{year}-H000001", f"SO-{year}-H000002", live.number} == numbers
    assert "-H" not in live.number


def test_imported_orders_reserve_and_move_no_stock(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    movements_before = _count(shop.db, StockMovement)
    # when
    _import(shop.db, [_order(shop.cash.id)])
    # then
    assert _count(shop.db, StockMovement) == movements_before
    with shop.db.reader() as session:
        assert not any(run_checks(session).values())


def test_each_order_gets_an_imported_history_row_and_the_import_one_summary_event(shop):
    # when
    _import(shop.db, [_order(shop.cash.id, f"OLD-{i}") for i in range(3)], actor="import:erp")
    # then
    with shop.db.reader() as session:
        history = session.execute(
            sa.select(table_of(OrderHistory).c.action, table_of(OrderHistory).c.actor)
        ).all()
        events = session.execute(
            sa.select(table_of(OutboxEvent).c.event_type, table_of(OutboxEvent).c.payload).where(
                table_of(OutboxEvent).c.actor == "import:erp"
            )
        ).all()
    assert history == [("imported", "import:erp")] * 3
    assert [e.event_type for e in events] == ["order_import.order_history_imported"]
    assert events[0].payload["count"] == 3


def test_importing_the_same_references_again_fails_cleanly_and_writes_nothing(shop):
    # given
    _import(shop.db, [_order(shop.cash.id, "OLD-1")])
    before = _counts(shop.db)
    # when
    with pytest.raises(DuplicateExternalRef) as error:
        _import(shop.db, [_order(shop.cash.id, "OLD-2"), _order(shop.cash.id, "OLD-1")])
    # then
    assert error.value.code == "duplicate_external_ref"
    assert error.value.extra["external_refs"] == ["OLD-1"]
    assert _counts(shop.db) == before


def test_a_reference_repeated_within_one_import_is_refused(shop):
    # given
    before = _counts(shop.db)
    # when
    with pytest.raises(DuplicateExternalRef):
        _import(shop.db, [_order(shop.cash.id, "OLD-1"), _order(shop.cash.id, "OLD-1")])
    # then
    assert _counts(shop.db) == before


def test_the_same_reference_on_another_channel_is_another_order(shop):
    # when
    count = _import(
        shop.db,
        [_order(shop.cash.id, "X-1"), _order(shop.cash.id, "X-1", channel=Channel.PHONE)],
    )
    # then
    assert count == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": OrderStatus.PLACED}, "orders.0.status"),
        ({"created_at": datetime.now(UTC) + timedelta(days=1)}, "orders.0.created_at"),
        ({"created_at": datetime(2025, 1, 1)}, "orders.0.created_at"),
        ({"lines": []}, "orders.0.lines"),
        ({"lines": [HistoricalLine("A-1", 0, Decimal("1"))]}, "orders.0.lines.0.quantity"),
        ({"lines": [HistoricalLine("A-1", 1, Decimal("0.00001"))]}, "orders.0.lines.0.unit_price"),
        ({"lines": [HistoricalLine("A-1", 1, Decimal("-1"))]}, "orders.0.lines.0.unit_price"),
        (
            {"lines": [HistoricalLine("A-1", 1, Decimal("5"), discount=Decimal("6"))]},
            "orders.0.lines.0.discount",
        ),
        ({"lines": [HistoricalLine("NOPE", 1, Decimal("1"))]}, "orders.0.lines.0.sku"),
        ({"customer_id": uuid.uuid4()}, "orders.0.customer_id"),
        ({"external_ref": ""}, "orders.0.external_ref"),
        ({"total": Decimal("1.00")}, "orders.0.total"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_is_written(shop, change, field):
    # given a good order followed by a bad one
    bad = dataclasses.replace(_order(shop.cash.id, "OLD-2"), **change)
    before = _counts(shop.db)
    # when
    with pytest.raises(ValidationFailed) as error:
        _import(shop.db, [_order(shop.cash.id, "OLD-1"), bad])
    # then
    assert field.replace("orders.0", "orders.1") in [f.field for f in error.value.fields]
    assert _counts(shop.db) == before


def test_a_total_that_matches_the_lines_is_accepted(shop):
    # when
    count = _import(shop.db, [_order(shop.cash.id, total=Decimal("36.51"))])
    # then
    assert count == 1


def test_an_empty_import_writes_nothing(shop):
    # given
    before = _counts(shop.db)
    # when
    count = _import(shop.db, [])
    # then
    assert count == 0
    assert _counts(shop.db) == before


def test_a_cancelled_historical_order_is_stored_cancelled(shop):
    # when
    _import(shop.db, [_order(shop.cash.id, status=OrderStatus.CANCELLED)])
    # then
    with shop.db.reader() as session:
        statuses = list(session.scalars(sa.select(table_of(Order).c.status)))
    assert statuses == ["cancelled"]


def test_an_import_bigger_than_one_batch_is_refused_before_any_read(shop):
    # given
    orders = [_order(shop.cash.id, f"OLD-{i}") for i in range(MAX_ORDERS + 1)]
    # when
    with pytest.raises(ValidationFailed) as error:
        _import(shop.db, orders)
    # then
    assert [f.field for f in error.value.fields] == ["orders"]
