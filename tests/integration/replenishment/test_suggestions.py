"""What a review suggests, on both databases: min/max and forecast policies with the
supplier's order rules, the default policy, manual pairs, transfers from surplus, and
requests that are no longer needed. Quantities are worked out by hand in comments."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ordersmith.config import BackorderPolicy
from ordersmith.forecasting import queries as forecasts
from ordersmith.forecasting.requests import RunRequest
from ordersmith.forecasting.services import run_forecast
from ordersmith.inventory.queries import product_id_for_sku
from ordersmith.replenishment.status import RequestStatus
from tests.factories.forecasting import TODAY, import_weekly_history
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock
from tests.factories.orders import order_request, place
from tests.factories.purchasing import make_po, sent_po
from tests.factories.transfers import make_transfer
from tests.integration.replenishment.conftest import (
    count_requests,
    only_request,
    policy,
    reorder_point,
    requests,
    review,
)


def test_a_min_max_policy_orders_up_to_max_rounded_to_the_suppliers_minimum_and_packs(store):
    # given: 12 anvils at MAIN, min 20 max 100; ACME sells from 50 in packs of 25
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 12})
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    # when
    run = review(db)
    # then: position 12 <= 20, need 100 - 12 = 88, packs of 25: 100
    request = only_request(db)
    assert (request.kind, request.status, request.reason) == (
        "purchase",
        "open",
        "scheduled_review",
    )
    assert (request.warehouse, request.sku, request.supplier) == ("MAIN", "A-1", "ACME")
    assert request.suggested_quantity == 100
    assert request.quantity is None
    n = request.numbers
    assert (n["policy"], n["policy_origin"], n["min"], n["max"]) == ("min_max", "policy", 20, 100)
    assert (n["available"], n["backordered"], n["on_order"], n["in_transit"]) == (12, 0, 0, 0)
    assert (n["projected_position"], n["need"]) == (12, 88)
    assert n["purchase"]["min_order_quantity"] == 50
    assert n["purchase"]["pack_multiple"] == 25
    assert n["purchase"]["quantity"] == 100
    assert n["transfer"] is None
    assert n["run_id"] == str(run.id)
    assert "MAIN projects 12" in request.explanation
    assert "88 rounded up to 100" in request.explanation
    assert (run.evaluated, run.raised, run.updated, run.withdrawn) == (1, 1, 0, 0)


def test_a_need_below_the_minimum_order_quantity_is_raised_to_it(store):
    # given: 95 bolts at MAIN, min 100 max 120; ACME sells B-2 from 100 in packs of 50
    db = store.db
    stock_up(db, {("MAIN", "B-2"): 95})
    policy(db, "MAIN", "B-2", "min_max", 100, 120)
    # when
    review(db)
    # then: need 120 - 95 = 25, raised to the minimum 100 (a multiple of 50 already)
    request = only_request(db)
    assert (request.suggested_quantity, request.numbers["need"]) == (100, 25)


def test_backorders_and_units_coming_count_in_the_projected_position(store):
    # given: 30 anvils at MAIN; Ann's order of 40 waits for 10 more (backordered);
    # 25 on a sent purchase order, 50 on a draft one, 5 on the way from EAST
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 30, ("EAST", "A-1"): 5})
    make_transfer(db, ("A-1", 5), source="EAST", destination="MAIN", dispatch=True)
    backorder = BackorderPolicy.BACKORDER
    place(db, order_request(store.shop.cash.id, ("A-1", 40), backorder_policy=backorder))
    sent_po(db, store.boltco, ("A-1", 25))
    make_po(db, store.acme, ("A-1", 50))
    policy(db, "MAIN", "A-1", "min_max", 80, 200)
    # when
    review(db)
    # then: 0 available - 10 backordered + 25 on order + 50 on drafts + 5 in transit = 70
    request = next(r for r in requests(db) if r.warehouse == "MAIN")
    n = request.numbers
    assert (n["available"], n["backordered"], n["on_order"]) == (0, 10, 25)
    assert (n["on_draft_orders"], n["in_transit"], n["projected_position"]) == (50, 5, 70)
    # need 200 - 70 = 130 -> packs of 25: 150
    assert (n["need"], request.suggested_quantity) == (130, 150)


def test_the_forecast_policy_reads_the_latest_forecasts_levels(store, monkeypatch):
    # given: A-1 sold 10 a week for 10 weeks at MAIN (too little history: the recent
    # mean, sigma = sqrt(10) = 3.1623); ACME's 7 days are the lead time; 5 in stock
    db = store.db
    SetClock(monkeypatch, TODAY)
    import_weekly_history(db, store.shop.cash.id, "A-1", [10] * 10)
    stock_up(db, {("MAIN", "A-1"): 5})
    run_forecast(db, actor="test", request=RunRequest(skus=("A-1",)))
    # when (A-1 follows the default policy: forecast)
    review(db)
    # then: safety stock = ceil(1.6449 * 3.1623 * sqrt(7/7)) = ceil(5.2017) = 6;
    # lead-time demand 10, review demand 10: reorder point 16, order-up-to 26;
    # need 26 - 5 = 21, raised to ACME's minimum 50
    with db.reader() as session:
        latest = forecasts.latest_forecasts(session, product_id_for_sku(session, "A-1"))[0]
    assert (latest.lead_time_days, latest.safety_stock) == (7, 6)
    assert (latest.reorder_point, latest.order_up_to) == (16, 26)
    request = only_request(db)
    n = request.numbers
    assert (n["policy"], n["policy_origin"], n["basis"]) == ("forecast", "default", "forecast")
    assert (n["reorder_point"], n["order_up_to"], n["lead_time_days"]) == (16, 26, 7)
    assert n["forecast_run_id"] == str(latest.run_id)
    assert (n["need"], request.suggested_quantity) == (21, 50)
    assert "the forecast reorder point 16" in request.explanation


def test_without_a_forecast_the_default_falls_back_to_min_max_from_the_reorder_point(store):
    # given: B-2 at MAIN has reorder point 40 and 30 available, no forecast, no policy
    db = store.db
    stock_up(db, {("MAIN", "B-2"): 30})
    reorder_point(db, "MAIN", "B-2", 40)
    # when
    review(db)
    # then: min 40, max 2 x 40 = 80; need 80 - 30 = 50, raised to ACME's minimum 100
    request = only_request(db)
    n = request.numbers
    assert (n["basis"], n["min"], n["max"], n["need"]) == ("reorder_point", 40, 80, 50)
    assert "no completed forecast yet" in n["note"]
    assert request.suggested_quantity == 100


def test_a_manual_policy_never_suggests_even_when_out_of_stock(store):
    # given: C-3 at MAIN is manual, nothing in stock and Bob waits for 7
    db = store.db
    stock_up(db, {("MAIN", "C-3"): 1})
    reorder_point(db, "MAIN", "C-3", 50)
    policy(db, "MAIN", "C-3", "manual")
    place(
        db,
        order_request(store.shop.cash.id, ("C-3", 8), backorder_policy=BackorderPolicy.BACKORDER),
    )
    # when
    run = review(db)
    # then
    assert count_requests(db) == 0
    assert run.evaluated == 1


def test_the_manual_default_leaves_pairs_without_a_policy_alone(store, tmp_path, database_url):
    # given: a shop whose default is manual; A-1 at MAIN has a min/max policy of its own
    from ordersmith.uow import Database
    from tests.conftest import make_settings

    manual = Database.connect(
        make_settings(tmp_path, database_url, replenishment_default_policy="manual")
    )
    try:
        stock_up(manual, {("MAIN", "A-1"): 1, ("MAIN", "B-2"): 1})
        reorder_point(manual, "MAIN", "B-2", 100)
        policy(manual, "MAIN", "A-1", "min_max", 10, 20)
        # when
        review(manual)
        # then: only A-1
        assert [(r.sku, r.suggested_quantity) for r in requests(manual)] == [("A-1", 50)]
    finally:
        manual.dispose()


def test_surplus_at_another_warehouse_is_suggested_as_a_transfer(store):
    # given: MAIN has 12 (min 20, max 100); EAST has 300 with its own max 150
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 12, ("EAST", "A-1"): 300})
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    policy(db, "EAST", "A-1", "min_max", 50, 150)
    # when
    run = review(db)
    # then: EAST can spare 300 - 150 = 150 >= the need of 88: transfer 88 (no rounding)
    request = only_request(db)
    assert (request.kind, request.source_warehouse, request.supplier) == ("transfer", "EAST", "")
    assert request.suggested_quantity == 88
    transfer = request.numbers["transfer"]
    assert (transfer["source_warehouse"], transfer["surplus"], transfer["quantity"]) == (
        "EAST",
        150,
        88,
    )
    # and the purchase it replaces is recorded too
    assert request.numbers["purchase"]["quantity"] == 100
    assert "transfer them from EAST" in request.explanation
    assert "instead of buying 100 from ACME" in request.explanation
    assert run.transfers == 1


def test_a_surplus_too_small_for_the_whole_need_is_not_split(store):
    # given: EAST can spare only 10 (160 - its max 150); MAIN needs 88
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 12, ("EAST", "A-1"): 160})
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    policy(db, "EAST", "A-1", "min_max", 50, 150)
    # when
    review(db)
    # then
    request = only_request(db)
    assert (request.kind, request.supplier, request.suggested_quantity) == ("purchase", "ACME", 100)


def test_one_surplus_is_promised_to_one_warehouse_only(store, db):
    # given: a third warehouse NORTH; MAIN and NORTH each need 88; EAST can spare 150
    from tests.factories.inventory import make_warehouse

    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="NORTH", priority=30)
    stock_up(db, {("MAIN", "A-1"): 12, ("NORTH", "A-1"): 12, ("EAST", "A-1"): 300})
    for warehouse in ("MAIN", "NORTH"):
        policy(db, warehouse, "A-1", "min_max", 20, 100)
    policy(db, "EAST", "A-1", "min_max", 50, 150)
    # when
    review(db)
    # then: MAIN (first by code... EAST, MAIN, NORTH) gets the transfer, NORTH buys
    kinds = {r.warehouse: (r.kind, r.suggested_quantity) for r in requests(db)}
    assert kinds == {"MAIN": ("transfer", 88), "NORTH": ("purchase", 100)}


def test_a_second_review_updates_the_open_request_instead_of_raising_another(store):
    # given: a request for MAIN's 18 anvils (min 20, max 100), then 3 are sold
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 18})
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    review(db)
    first = only_request(db)
    place(db, order_request(store.shop.cash.id, ("A-1", 3)))
    # when
    run = review(db)
    # then: position 15, need 85 -> 100 still; the same request, evaluated again
    second = only_request(db)
    assert second.id == first.id
    assert second.numbers["projected_position"] == 15
    assert second.evaluated_at >= first.evaluated_at
    assert (run.raised, run.updated) == (0, 1)


def test_an_open_request_no_longer_needed_is_withdrawn_with_the_reason(store):
    # given: a request for MAIN's anvils, then 200 arrive
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 10})
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    review(db)
    stock_up(db, {("MAIN", "A-1"): 200})
    # when
    run = review(db)
    # then
    request = only_request(db)
    assert request.status == RequestStatus.REJECTED
    assert request.reject_reason == "no longer needed: MAIN projects 210, above its min 20"
    assert run.withdrawn == 1


@pytest.mark.parametrize("skus", [3, 30])
def test_a_review_takes_the_same_statements_for_3_or_30_skus(store, skus):
    # given: `skus` products at two warehouses, each below its min at MAIN
    from ordersmith.catalog.services import create_product

    db = store.db
    with db.unit_of_work(actor="test") as uow:
        for i in range(skus):
            create_product(uow, sku=f"N-{i:03d}", name=f"Nail {i}", price="1.00")
    stock_up(db, {(w, f"N-{i:03d}"): 5 for i in range(skus) for w in ("MAIN", "EAST")})
    for i in range(skus):
        reorder_point(db, "MAIN", f"N-{i:03d}", 10)
    # when
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        run = review(db)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    # then: one request per SKU, and a fixed number of statements, whatever the count
    assert run.raised == skus
    assert len(statements) == STATEMENTS_PER_REVIEW, statements


STATEMENTS_PER_REVIEW = 19
"""Reads (products, levels, policies, requests, forecasts, warehouses, the position's
parts, drafts, suppliers), one INSERT of the requests, the run and the outbox events."""
