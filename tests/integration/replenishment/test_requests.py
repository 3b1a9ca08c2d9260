"""Replenishment requests from trigger to document, on both databases: stock events
through the worker, approve / edit / reject, draft purchase orders grouped by supplier,
transfers, requests raised by hand."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ordersmith.catalog.services import create_product
from ordersmith.config import BackorderPolicy
from ordersmith.db import table_of
from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.inventory.transfer_queries import get_transfer
from ordersmith.jobs.handlers import default_handlers
from ordersmith.jobs.worker import deliver_events
from ordersmith.outbox.models import OutboxEvent
from ordersmith.purchasing.errors import ProductNotSupplied
from ordersmith.purchasing.queries import get_purchase_order
from ordersmith.replenishment.errors import RequestExists
from ordersmith.replenishment.ordering import (
    Scope,
    order_purchase_requests,
    order_transfer_requests,
)
from ordersmith.replenishment.services import (
    approve_requests,
    edit_request,
    raise_request,
    reject_request,
)
from ordersmith.replenishment.status import RequestStatus
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.factories.purchasing import supply
from tests.integration.replenishment.conftest import (
    assert_no_violations,
    count_requests,
    only_request,
    policy,
    reorder_point,
    requests,
    review,
)


def _deliver(db):
    """Run the worker's handlers over every event due; the stock events' errors."""
    deliver_events(db, handlers=default_handlers(), limit=1000)
    events = table_of(OutboxEvent)
    with db.reader() as session:
        return session.execute(
            sa.select(events.c.event_type, events.c.last_error).where(
                events.c.event_type.in_(["stock.low", "stock.out"])
            )
        ).all()


def _approve_all(db, actor="user:buyer"):
    with db.unit_of_work(actor=actor) as uow:
        return approve_requests(uow, request_ids=[r.id for r in requests(db, RequestStatus.OPEN)])


def test_a_stock_low_event_raises_one_request_and_a_stock_out_updates_it(store):
    # given: 30 anvils at MAIN with reorder point 20; no forecast, no policy
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 30})
    reorder_point(db, "MAIN", "A-1", 20)
    # when: an order takes 12 (available 18: StockLow) and the worker runs
    place(db, order_request(store.shop.cash.id, ("A-1", 12)))
    delivered = _deliver(db)
    # then: min 20, max 2 x 20 = 40: need 40 - 18 = 22, raised to ACME's minimum 50
    assert delivered == [("stock.low", "")]
    first = only_request(db)
    assert (first.reason, first.status, first.suggested_quantity) == ("stock_low", "open", 50)
    assert first.numbers["projected_position"] == 18
    # when: the rest is sold (StockOut), and the worker runs again
    place(db, order_request(store.shop.cash.id, ("A-1", 18)))
    delivered = _deliver(db)
    # then: the same request, updated (need 40 -> 50 still), not a second one
    assert sorted(delivered) == [("stock.low", ""), ("stock.out", "")]
    second = only_request(db)
    assert second.id == first.id
    assert (second.reason, second.numbers["projected_position"]) == ("stock_out", 0)
    assert count_requests(db) == 1


def test_a_stock_event_for_a_manual_pair_raises_nothing(store):
    # given
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 30})
    reorder_point(db, "MAIN", "A-1", 20)
    policy(db, "MAIN", "A-1", "manual")
    # when
    place(db, order_request(store.shop.cash.id, ("A-1", 30)))
    delivered = _deliver(db)
    # then
    assert sorted(delivered) == [("stock.low", ""), ("stock.out", "")]
    assert count_requests(db) == 0


def test_approved_requests_become_draft_purchase_orders_grouped_by_supplier(store):
    # given: nothing in stock; min/max policies at MAIN and EAST
    db = store.db
    policy(db, "MAIN", "A-1", "min_max", 10, 60)  # need 60 -> packs of 25: 75
    policy(db, "MAIN", "B-2", "min_max", 10, 120)  # need 120 -> packs of 50: 150
    policy(db, "MAIN", "C-3", "min_max", 5, 33)  # need 33 -> packs of 10: 40 (BOLTCO)
    policy(db, "EAST", "A-1", "min_max", 10, 30)  # need 30 -> ACME's minimum: 50
    review(db)
    approved = _approve_all(db)
    assert {r.status for r in approved} == {"approved"}
    # when
    with db.unit_of_work(actor="user:buyer") as uow:
        result = order_purchase_requests(uow)
    # then: three drafts: ACME to MAIN (two lines), BOLTCO to MAIN, ACME to EAST
    made = {(d.supplier, d.warehouse): d for d in result.documents}
    assert sorted(made) == [("ACME", "EAST"), ("ACME", "MAIN"), ("BOLTCO", "MAIN")]
    assert result.skipped == []
    with db.reader() as session:
        acme_main = get_purchase_order(session, made[("ACME", "MAIN")].number)
        boltco = get_purchase_order(session, made[("BOLTCO", "MAIN")].number)
    assert acme_main.status == "draft"
    assert [(ln.sku, ln.quantity) for ln in acme_main.lines] == [("A-1", 75), ("B-2", 150)]
    assert acme_main.total == Decimal("465.00")  # 75 x 6.00 + 150 x 0.10
    assert [(ln.sku, ln.quantity) for ln in boltco.lines] == [("C-3", 40)]
    assert made[("ACME", "EAST")].lines == (("A-1", 50),)
    # and every request is ordered on its purchase order
    done = requests(db)
    assert {r.status for r in done} == {"ordered"}
    by_key = {(r.warehouse, r.sku): r for r in done}
    assert by_key[("MAIN", "B-2")].document_number == acme_main.number
    assert by_key[("MAIN", "B-2")].purchase_order_id == acme_main.id
    assert by_key[("MAIN", "B-2")].ordered_quantity == 150
    assert_no_violations(db)
    # and the next review counts the drafts: nothing is proposed again
    run = review(db)
    assert run.raised == 0
    assert count_requests(db) == 4


def test_a_request_without_a_supplier_waits_until_one_is_chosen(store):
    # given: D-4 has no supplier; MAIN keeps 10 to 40 of it
    db = store.db
    with db.unit_of_work(actor="test") as uow:
        create_product(uow, sku="D-4", name="Drill", price="30.00")
    policy(db, "MAIN", "D-4", "min_max", 10, 40)
    review(db)
    request = only_request(db)
    assert (request.kind, request.supplier, request.suggested_quantity) == ("purchase", "", 40)
    assert request.numbers["purchase"] is None
    assert "no preferred supplier: choose one before ordering" in request.explanation
    _approve_all(db)
    # when
    with db.unit_of_work(actor="user:buyer") as uow:
        skipped = order_purchase_requests(uow)
    # then
    assert skipped.documents == []
    assert [s.reason for s in skipped.skipped] == ["no supplier: choose one (edit the request)"]
    # when: BOLTCO (packs of 6) is chosen
    supply(db, store.boltco, "D-4", "18.00", 5, pack_multiple=6)
    with db.unit_of_work(actor="user:buyer") as uow:
        edited = edit_request(uow, request_id=request.id, supplier="BOLTCO")
    with db.unit_of_work(actor="user:buyer") as uow:
        ordered = order_purchase_requests(uow)
    # then: 40 rounded up to packs of 6 = 42, on a draft to BOLTCO
    assert (edited.supplier, edited.quantity, edited.status) == ("BOLTCO", 42, "approved")
    assert edited.edited_by == "user:buyer"
    assert [d.lines for d in ordered.documents] == [(("D-4", 42),)]


def test_an_edited_quantity_must_fit_the_suppliers_order_rules(store):
    # given: an open request to buy 100 anvils from ACME (from 50 in packs of 25)
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 12})
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    review(db)
    request = only_request(db)
    # when / then: 60 is not a whole pack
    with pytest.raises(ValidationFailed) as refused, db.unit_of_work(actor="u") as uow:
        edit_request(uow, request_id=request.id, quantity=60)
    assert "the next that does is 75" in refused.value.detail
    # when: 125 fits; then BOLTCO (packs of 1) is chosen and the quantity stays 125
    with db.unit_of_work(actor="user:buyer") as uow:
        bigger = edit_request(uow, request_id=request.id, quantity=125)
    with db.unit_of_work(actor="user:buyer") as uow:
        other = edit_request(uow, request_id=request.id, supplier="BOLTCO")
    # then
    assert (bigger.quantity, bigger.suggested_quantity, bigger.order_quantity) == (125, 100, 125)
    assert (other.supplier, other.order_quantity, other.status) == ("BOLTCO", 125, "open")
    # and a supplier that does not supply the product is refused
    with db.unit_of_work(actor="user:buyer") as uow:
        clamps = raise_request(uow, warehouse="MAIN", sku="C-3", quantity=20)
    with pytest.raises(ProductNotSupplied), db.unit_of_work(actor="u") as uow:
        edit_request(uow, request_id=clamps.id, supplier="ACME")


def test_a_review_leaves_an_edited_or_approved_request_as_the_person_left_it(store):
    # given: an approved request at MAIN and an edited one at EAST, then stock arrives
    db = store.db
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    policy(db, "EAST", "A-1", "min_max", 20, 100)
    review(db)
    main, east = sorted(requests(db), key=lambda r: r.warehouse, reverse=True)
    with db.unit_of_work(actor="user:buyer") as uow:
        approve_requests(uow, request_ids=[main.id])
        edit_request(uow, request_id=east.id, quantity=150)
    stock_up(db, {("MAIN", "A-1"): 500, ("EAST", "A-1"): 500})
    # when
    run = review(db)
    # then
    assert (run.withdrawn, run.unchanged) == (0, 2)
    assert sorted(r.status for r in requests(db)) == ["approved", "open"]


def test_a_rejected_request_keeps_its_reason_and_cannot_be_approved(store):
    # given
    db = store.db
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    review(db)
    request = only_request(db)
    # when: a reason is required
    with pytest.raises(ValidationFailed), db.unit_of_work(actor="user:buyer") as uow:
        reject_request(uow, request_id=request.id, reason="  ")
    with db.unit_of_work(actor="user:buyer") as uow:
        rejected = reject_request(uow, request_id=request.id, reason="the line is discontinued")
    # then
    assert (rejected.status, rejected.reject_reason) == ("rejected", "the line is discontinued")
    assert rejected.rejected_by == "user:buyer"
    with pytest.raises(InvalidTransition), db.unit_of_work(actor="user:buyer") as uow:
        approve_requests(uow, request_ids=[request.id])
    # and the next review raises a new request for the same pair (the old one is done)
    review(db)
    assert [r.status for r in requests(db)] == ["rejected", "open"]
    assert_no_violations(db)


@pytest.mark.parametrize("dispatch", [False, True])
def test_an_approved_transfer_request_becomes_a_transfer(store, dispatch):
    # given: EAST can spare 150, MAIN needs 88
    db = store.db
    stock_up(db, {("MAIN", "A-1"): 12, ("EAST", "A-1"): 300})
    policy(db, "MAIN", "A-1", "min_max", 20, 100)
    policy(db, "EAST", "A-1", "min_max", 50, 150)
    review(db)
    _approve_all(db)
    # when
    with db.unit_of_work(actor="user:planner") as uow:
        result = order_transfer_requests(uow, Scope(source_warehouse="EAST"), dispatch=dispatch)
    # then
    [document] = result.documents
    with db.reader() as session:
        transfer = get_transfer(session, document.number)
    assert (transfer.from_warehouse, transfer.to_warehouse) == ("EAST", "MAIN")
    assert transfer.status == ("in_transit" if dispatch else "draft")
    assert [(ln.sku, ln.quantity) for ln in transfer.lines] == [("A-1", 88)]
    request = only_request(db)
    assert (request.status, request.transfer_id, request.ordered_quantity) == (
        "ordered",
        transfer.id,
        88,
    )
    assert_no_violations(db)
    # and the next review counts the units coming: nothing new for MAIN
    assert review(db).raised == 0


def test_a_request_raised_by_hand_is_one_per_warehouse_and_sku(store):
    # given
    db = store.db
    stock_up(db, {("MAIN", "C-3"): 4})
    # when
    with db.unit_of_work(actor="user:buyer") as uow:
        raised = raise_request(uow, warehouse="main", sku="C-3", quantity=30, note="trade fair")
    # then: BOLTCO is preferred; 30 is three packs of 10
    assert (raised.reason, raised.kind, raised.supplier, raised.suggested_quantity) == (
        "manual",
        "purchase",
        "BOLTCO",
        30,
    )
    assert raised.numbers["available"] == 4
    assert raised.explanation.startswith("Raised by hand by user:buyer: 30 for MAIN")
    with pytest.raises(RequestExists), db.unit_of_work(actor="user:buyer") as uow:
        raise_request(uow, warehouse="MAIN", sku="C-3", quantity=40)
    with pytest.raises(ValidationFailed), db.unit_of_work(actor="user:buyer") as uow:
        raise_request(uow, warehouse="EAST", sku="C-3", quantity=35)  # not whole packs
    # and a review leaves it as raised, whether MAIN needs nothing by its rules...
    review(db)
    assert only_request(db).status == "open"
    # ...or something else (min 10, max 20: 16 -> packs of 10: 20)
    reorder_point(db, "MAIN", "C-3", 10)
    run = review(db)
    kept = only_request(db)
    assert (kept.status, kept.reason, kept.order_quantity) == ("open", "manual", 30)
    assert kept.explanation == raised.explanation
    assert run.unchanged == 1


def test_a_backordered_product_without_reorder_point_is_bought_for_its_backorders(store):
    # given: nothing at MAIN; Ann waits for 7 bolts; no policy, no reorder point
    db = store.db
    backorder = BackorderPolicy.BACKORDER
    stock_up(db, {("MAIN", "C-3"): 1})
    place(db, order_request(store.shop.cash.id, ("C-3", 8), backorder_policy=backorder))
    # when
    review(db)
    # then: min 0, max 0: position -7 needs 7, packs of 10
    request = only_request(db)
    assert (request.numbers["need"], request.suggested_quantity) == (7, 10)


def test_concurrent_reviews_raise_one_request_per_warehouse_and_sku(store):
    # given: three pairs below their min
    db = store.db
    for warehouse, sku in (("MAIN", "A-1"), ("MAIN", "B-2"), ("EAST", "C-3")):
        policy(db, warehouse, sku, "min_max", 10, 20)
    # when: four reviews at once (the daily job, a planner, the API...)
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda _: review(db), range(4)))
    # then: three requests, each raised by exactly one of the runs
    assert count_requests(db) == 3
    assert sum(run.raised for run in runs) == 3
    assert_no_violations(db)
