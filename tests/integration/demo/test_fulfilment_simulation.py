"""Simulating fulfilment on a small demo, on both databases: every state, real tracking,
real mail, a ledger that still closes (the ``simulated`` demo: ``conftest.py``)."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.checks import run_checks
from ordersmith.db import table_of
from ordersmith.demo.fulfilment import (
    FulfilmentAlreadySimulated,
    FulfilmentSummary,
    NotADemoDatabase,
    simulate_fulfilment,
)
from ordersmith.demo.loader import load_demo
from ordersmith.fulfillment.models import Allocation, OrderIncident, PickList
from ordersmith.notifications.models import Communication
from ordersmith.orders.models import Order
from ordersmith.shipping.models import Shipment, TrackingEvent
from ordersmith.uow import Database
from tests.factories.catalog import make_product
from tests.integration.demo.simulated import DAYS, SEED, SMALL, built_at

pytestmark = pytest.mark.xdist_group("demo_fulfilment")


def _counts(db: Database, model: type, column: str, **where: str) -> Counter[str]:
    table = table_of(model)
    query = sa.select(table.c[column], sa.func.count()).group_by(table.c[column])
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with db.reader() as session:
        return Counter({str(value): n for value, n in session.execute(query)})


def test_the_simulated_orders_end_in_every_order_status(simulated):
    # given
    db, summary = simulated
    # when
    statuses = _counts(db, Order, "status", created_by="demo:sales")
    # then
    assert {"placed", "confirmed", "completed", "cancelled"} <= set(statuses)
    assert sum(statuses.values()) == summary.orders
    assert summary.order_statuses == dict(sorted(statuses.items()))


def test_the_simulated_orders_end_in_every_fulfilment_status(simulated):
    # given
    db, _summary = simulated
    # when
    statuses = _counts(db, Order, "fulfilment_status", created_by="demo:sales")
    # then
    assert set(statuses) == {
        "unfulfilled",
        "allocated",
        "backordered",
        "partially_shipped",
        "shipped",
        "delivered",
    }


def test_the_last_day_leaves_work_on_a_pick_list_picked_and_packed(simulated):
    # given
    db, _summary = simulated
    # when
    pick_lists = _counts(db, PickList, "status")
    allocations = _counts(db, Allocation, "status")
    shipments = _counts(db, Shipment, "status")
    # then
    assert 1 <= pick_lists["open"] <= 3  # the last wave: a pick list per warehouse
    assert allocations["picking"] >= 1
    assert allocations["picked"] >= 1
    assert shipments["created"] == 1
    assert shipments["label_printed"] >= 1


def test_shipments_reach_the_carriers_states_by_their_tracking_events(simulated):
    # given
    db, summary = simulated
    # when
    shipments = _counts(db, Shipment, "status")
    events = _counts(db, TrackingEvent, "status")
    # then
    assert {"dispatched", "in_transit", "delivered", "returned_to_sender"} <= set(shipments)
    assert summary.shipment_statuses == dict(sorted(shipments.items()))
    assert {"dispatched", "in_transit", "out_for_delivery", "delivered", "exception"} <= set(events)
    assert sum(events.values()) == summary.tracking_events
    assert events["delivered"] == shipments["delivered"]


def test_delivered_shipments_carry_the_delivery_time_the_carrier_reported(simulated):
    # given
    db, _summary = simulated
    shipments, events = table_of(Shipment), table_of(TrackingEvent)
    # when
    with db.reader() as session:
        rows = session.execute(
            sa.select(shipments.c.delivered_at, events.c.occurred_at)
            .join(events, events.c.shipment_id == shipments.c.id)
            .where(shipments.c.status == "delivered", events.c.status == "delivered")
        ).all()
    # then
    assert rows
    assert all(delivered == occurred for delivered, occurred in rows)


def test_customers_were_mailed_at_the_simulated_times(simulated):
    # given
    db, summary = simulated
    # when
    kinds = _counts(db, Communication, "kind")
    statuses = _counts(db, Communication, "status")
    messages = table_of(Communication)
    with db.reader() as session:
        latest = session.scalar(
            sa.select(sa.func.max(messages.c.sent_at)).where(messages.c.kind == "order_delivered")
        )
    # then
    assert {"order_received", "order_dispatched", "order_delivered", "backorder_delay"} <= set(
        kinds
    )
    assert set(statuses) == {"sent"}
    assert summary.emails == statuses["sent"]
    assert latest.date() <= summary.last_day
    assert len(list((db.settings.data_dir / "mail").glob("*.eml"))) == statuses["sent"]


def test_incidents_count_against_the_perfect_order(simulated):
    # given
    db, summary = simulated
    # when
    incidents = _counts(db, OrderIncident, "kind")
    # then
    assert incidents["damage"] == summary.damage_reports
    assert incidents["damage"] >= 1
    assert incidents["short_pick"] >= 1
    assert incidents["backorder"] >= 1
    assert summary.perfect_order_rate is not None


def test_the_ledger_and_the_allocations_still_check_clean(simulated):
    # given
    db, _summary = simulated
    # when
    with db.reader() as session:
        violations = {name: v for name, v in run_checks(session).items() if v}
    # then
    assert violations == {}


def test_a_database_with_shipments_is_not_simulated_again(simulated):
    # given
    db, summary = simulated
    # when
    with pytest.raises(FulfilmentAlreadySimulated) as refused:
        simulate_fulfilment(db, days=DAYS, seed=SEED)
    # then
    assert refused.value.code == "fulfilment_already_simulated"
    assert sum(_counts(db, Shipment, "status").values()) == sum(summary.shipment_statuses.values())


def test_the_same_seed_tells_the_same_story(simulated, db, tmp_path_factory):
    # given: the module's story, and the same demo loaded again
    first_db, first = simulated
    if first_db.settings.is_sqlite != db.settings.is_sqlite:
        pytest.skip("compared on the same kind of database")
    backend = "sqlite" if db.settings.is_sqlite else "postgresql"
    then = built_at(tmp_path_factory, backend)
    # the story was told as of one moment (simulated.story_told_at): tell it again then
    with clock.simulated(then):
        load_demo(db, **SMALL)
        # when
        again = simulate_fulfilment(db, days=DAYS, seed=SEED)
    # then
    assert {**vars_of(again), "seconds": 0} == {**vars_of(first), "seconds": 0}


def vars_of(summary: FulfilmentSummary) -> dict[str, object]:
    return {name: getattr(summary, name) for name in summary.__slots__}


def test_a_database_that_is_not_the_demo_is_refused(db):
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow)
    # when
    with pytest.raises(NotADemoDatabase) as refused:
        simulate_fulfilment(db, days=DAYS)
    # then
    assert refused.value.code == "not_a_demo_database"
    assert sum(_counts(db, Order, "status").values()) == 0
