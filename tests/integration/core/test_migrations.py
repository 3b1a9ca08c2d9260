"""The migration tree and the models describe the same schema, on both databases."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ordersmith import migrate
from ordersmith.checks import run_checks
from ordersmith.db import metadata, table_of
from ordersmith.fulfillment.models import Allocation, PickListLine
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.queries import OrderFilter, list_orders
from tests.factories.fulfillment import confirm, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place


def test_migrations_reach_head_and_match_the_models(db):
    # given a database migrated by the fixture from empty
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    # when
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    # then
    assert differences == []


def test_orders_placed_before_units_were_kept_get_them_from_their_lines(shop):
    # given an order of 2 + 3 units, and the schema stepped back to before orders kept units
    db = shop.db
    stock_up(db, {("MAIN", "A-1"): 5, ("MAIN", "B-2"): 5})
    placed = place(db, order_request(shop.cash.id, ("A-1", 2), ("B-2", 3)))
    migrate.downgrade(db.engine, "0025")
    try:
        # when the migration runs
        migrate.upgrade(db.engine)
        # then the order's units are its lines' quantities
        with db.engine.connect() as conn:
            units = conn.execute(
                sa.text("SELECT units FROM orders WHERE number = :n"), {"n": placed.number}
            ).scalar_one()
        assert units == 5
    finally:
        migrate.upgrade(db.engine)


def test_0028_backfills_each_lines_order_created_at_from_its_order_and_steps_back(shop):
    # given orders placed, one of them on a pick list (rows that point at its lines), and
    # the schema stepped back to before order_created_at (0028)
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    first = place(shop.db, order_request(shop.cash.id, ("A-1", 1), ("B-2", 1)))
    second = place(shop.db, order_request(shop.trade.id, ("A-1", 2)))
    confirm(shop.db, first)
    wave(shop.db)
    shop.db.engine.dispose()
    migrate.downgrade(shop.db.engine, "0027")
    columns = {c["name"] for c in sa.inspect(shop.db.engine).get_columns("order_lines")}
    assert "order_created_at" not in columns
    # when
    migrate.upgrade(shop.db.engine)
    # then every line carries its order's created_at and the search by SKU reads them
    orders, lines = table_of(Order), table_of(OrderLine)
    with shop.db.reader() as session:
        pairs = session.execute(
            sa.select(lines.c.order_created_at, orders.c.created_at).join(
                orders, orders.c.id == lines.c.order_id
            )
        ).all()
        found = list_orders(session, OrderFilter(sku="A-1"), limit=50)
        violations = run_checks(session)["lines_carry_order_created_at"]
    assert len(pairs) == 3
    assert all(line_at == order_at for line_at, order_at in pairs)
    assert [o.id for o in found] == [second.id, first.id]
    assert violations == []
    with shop.db.reader() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(table_of(Allocation))) == 2
        assert session.scalar(sa.select(sa.func.count()).select_from(table_of(PickListLine))) == 2
    indexes = {i["name"] for i in sa.inspect(shop.db.engine).get_indexes("order_lines")}
    assert "ix_order_lines_sku_created" in indexes
    assert "ix_order_lines_sku_order" not in indexes
