"""The supply side of the buffer, on both databases: lead times from the preferred supplier
and stock positions with what is on order and in transit."""

from __future__ import annotations

from ordersmith.catalog.queries import product_id_for_sku
from ordersmith.config import BackorderPolicy
from ordersmith.forecasting.supply import Position, lead_times, stock_positions
from ordersmith.inventory.queries import get_warehouse
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.factories.purchasing import approve, make_po, make_supplier, receive, sent_po, supply
from tests.factories.transfers import make_transfer


def _keys(db, *pairs):
    with db.reader() as session:
        return [
            (get_warehouse(session, w).id, product_id_for_sku(session, sku)) for w, sku in pairs
        ]


def test_the_preferred_suppliers_lead_time_replaces_the_default(shop):
    # given: ACME (preferred, 9 days) and BOLTCO (3 days, not preferred) supply A-1;
    # nobody supplies B-2; the default lead time is 14 days
    db = shop.db
    acme, boltco = make_supplier(db, code="ACME"), make_supplier(db, code="BOLTCO")
    supply(db, acme, "A-1", "6.00", 9, preferred=True)
    supply(db, boltco, "A-1", "5.00", 3)
    supply(db, boltco, "B-2", "0.10", 2)
    keys = _keys(db, ("MAIN", "A-1"), ("EAST", "A-1"), ("MAIN", "B-2"))
    # when
    with db.reader() as session:
        found = lead_times(session, db.settings, keys)
    # then: the same supplier delivers to every warehouse
    assert [found[k] for k in keys] == [9, 9, db.settings.default_lead_time_days]
    assert db.settings.default_lead_time_days == 14


def test_the_position_counts_open_purchase_orders_and_transfers_on_the_way(shop):
    # given at MAIN: 20 anvils, all taken by Ann's order of 25 (5 backordered); on order
    # 30 (sent) + 12 (approved) + 4 still open of a partly received 10 (6 arrived); a draft
    # of 100 is not on order. EAST sent 7 that are on the way; its draft transfer of 3 is
    # not on the way
    db = shop.db
    acme = make_supplier(db, code="ACME")
    supply(db, acme, "A-1", "6.00", 9)
    stock_up(db, {("MAIN", "A-1"): 20})
    backorder = BackorderPolicy.BACKORDER
    place(db, order_request(shop.cash.id, ("A-1", 25), backorder_policy=backorder))
    stock_up(db, {("EAST", "A-1"): 10})
    make_transfer(db, ("A-1", 7), source="EAST", destination="MAIN", dispatch=True)
    make_transfer(db, ("A-1", 3), source="EAST", destination="MAIN")
    sent_po(db, acme, ("A-1", 30))
    approve(db, make_po(db, acme, ("A-1", 12)))
    partly = sent_po(db, acme, ("A-1", 10))
    receive(db, partly.id, (1, 6))
    make_po(db, acme, ("A-1", 100))
    main, east = _keys(db, ("MAIN", "A-1"), ("EAST", "A-1"))
    # when
    with db.reader() as session:
        found = stock_positions(session, [main, east])
    # then: 6 available (received; Ann's order is not confirmed, so nothing is allocated)
    assert found[main] == Position(available=6, backordered=5, on_order=46, in_transit=7)
    assert found[main].incoming == 53
    assert found[main].position == 6 - 5 + 46 + 7
    assert found[east] == Position(available=3, backordered=0, on_order=0, in_transit=0)
