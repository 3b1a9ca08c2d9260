"""The demo's supply side, on both databases: suppliers for every product, purchase
orders raised from replenishment requests and urgent calls, mailed to the suppliers,
received into stock, and scorecards with something to say (the ``simulated`` demo)."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.demo.suppliers import SUPPLIERS
from ordersmith.forecasting.queries import latest_buffers, list_runs
from ordersmith.notifications.models import Communication
from ordersmith.purchasing.models import PurchaseOrder, PurchaseReceipt, SupplierProduct
from ordersmith.purchasing.queries import list_suppliers
from ordersmith.purchasing.scorecard import supplier_scorecard
from ordersmith.replenishment.models import ReplenishmentRequest
from ordersmith.uow import Database

pytestmark = pytest.mark.xdist_group("demo_fulfilment")


def _statuses(db: Database, model: type) -> Counter[str]:
    table = table_of(model)
    query = sa.select(table.c.status, sa.func.count()).group_by(table.c.status)
    with db.reader() as session:
        return Counter({str(status): n for status, n in session.execute(query)})


def test_every_product_we_sell_from_stock_has_one_preferred_supplier(simulated):
    # given
    db, _summary = simulated
    items, products = table_of(SupplierProduct), table_of(Product)
    # when
    with db.reader() as session:
        preferred = Counter(
            session.scalars(sa.select(items.c.product_id).where(items.c.preferred)).all()
        )
        suppliers, _more = list_suppliers(session, limit=50)
        wanted = session.scalars(
            sa.select(products.c.id).where(products.c.stocked, products.c.status == "active")
        ).all()
    # then
    assert set(preferred) == set(wanted)
    assert set(preferred.values()) == {1}
    assert {s.code for s in suppliers} == {s.code for s in SUPPLIERS}
    assert all(s.email for s in suppliers)


def test_purchase_orders_come_from_requests_and_end_waiting_in_every_early_state(simulated):
    # given
    db, summary = simulated
    # when
    orders, requests = _statuses(db, PurchaseOrder), _statuses(db, ReplenishmentRequest)
    # then
    assert {"draft", "approved", "sent", "received"} <= set(orders)
    assert sum(orders.values()) == summary.purchase_orders
    assert {"open", "ordered"} <= set(requests)


def test_weekly_orders_are_mailed_to_the_supplier_and_deliveries_received(simulated):
    # given
    db, summary = simulated
    mails, receipts = table_of(Communication), table_of(PurchaseReceipt)
    # when
    with db.reader() as session:
        sent = session.scalars(
            sa.select(mails.c.status).where(mails.c.supplier_id.is_not(None))
        ).all()
        delivered = session.scalar(sa.select(sa.func.count()).select_from(receipts))
    # then
    assert sent
    assert set(sent) == {"sent"}
    assert delivered == summary.stock_receipts > 0


def test_a_supplier_that_delivered_has_a_scorecard(simulated):
    # given
    db, _summary = simulated
    # when
    with db.reader() as session:
        suppliers, _more = list_suppliers(session, limit=50)
        cards = [supplier_scorecard(session, s.id) for s in suppliers]
    # then
    delivered = [card for card in cards if card.receipt_lines]
    assert delivered
    assert all(card.on_time_rate is not None for card in delivered)
    assert all(card.lead_time_median_days is not None for card in delivered)


def test_the_planner_forecasts_the_quarter_and_the_review_uses_it(simulated):
    # given
    db, _summary = simulated
    # when
    with db.reader() as session:
        runs = list_runs(session, limit=5)
        buffers = latest_buffers(session)
    # then
    assert [(run.status, run.actor) for run in runs] == [("completed", "demo:planner")]
    assert runs[0].series_count > 0
    assert buffers
