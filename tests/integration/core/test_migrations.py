"""The migration tree and the models describe the same schema, on both databases."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ordersmith import migrate
from ordersmith.db import metadata
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
