"""Purchase orders from draft to closed: numbering, lines and totals, every transition and
every refusal."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ordersmith import clock
from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.inventory.errors import WarehouseNotFound
from ordersmith.purchasing.errors import (
    ProductNotSupplied,
    SupplierHasNoEmail,
    SupplierInactive,
)
from ordersmith.purchasing.queries import (
    PurchaseOrderFilter,
    get_purchase_order,
    list_purchase_orders,
)
from ordersmith.purchasing.services import (
    cancel_purchase_order,
    close_purchase_order,
    replace_purchase_order_lines,
)
from ordersmith.purchasing.status import PurchaseOrderStatus
from ordersmith.purchasing.suppliers import update_supplier
from tests.factories.purchasing import (
    approve,
    lines,
    make_po,
    make_supplier,
    receive,
    send,
    sent_po,
    supply,
)
from tests.integration.notifications.conftest import outbox
from tests.integration.purchasing.conftest import Buyer, assert_no_violations

D = Decimal
MARCH_2 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _cancel(buyer: Buyer, po, reason: str = ""):
    with buyer.db.unit_of_work(actor="user:buyer") as uow:
        return cancel_purchase_order(uow, purchase_order_id=po.id, reason=reason)


def _close(buyer: Buyer, po, reason: str = ""):
    with buyer.db.unit_of_work(actor="user:buyer") as uow:
        return close_purchase_order(uow, purchase_order_id=po.id, reason=reason)


def test_a_new_purchase_order_is_a_numbered_draft_priced_and_dated_from_the_supplier(buyer):
    # given / when
    with clock.simulated(MARCH_2):
        po = make_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 150, "0.0850"))
    # then
    assert re.fullmatch(r"PO-2026-\d{6}", po.number)
    assert (po.status, po.supplier, po.warehouse, po.currency) == ("draft", "ACME", "MAIN", "EUR")
    first, second = po.lines
    assert (first.sku, first.supplier_sku, first.unit_cost, first.amount) == (
        "A-1",
        "ACME-ANV-1",
        D("6.00"),
        D("60.00"),
    )
    assert first.expected_date == date(2026, 3, 9)  # today + 7 days' lead time
    assert (second.unit_cost, second.quoted_unit_cost, second.amount) == (
        D("0.0850"),
        D("0.10"),
        D("12.75"),
    )
    assert second.expected_date == date(2026, 3, 16)
    assert po.total == D("72.75") == first.amount + second.amount
    assert po.allowed_actions == ("edit_lines", "approve", "cancel")
    assert [e.payload["number"] for e in outbox(buyer.db, "purchase_order.created")] == [po.number]


def test_line_amounts_are_rounded_half_up_per_line_and_the_total_is_their_sum(buyer):
    # given: 3 x 0.3350 = 1.005 -> 1.01; 7 x 6.0049 = 42.0343 -> 42.03
    # when
    po = make_po(buyer.db, buyer.acme, ("A-1", 7, "6.0049"), ("B-2", 150, "0.0067"))
    # then
    assert [line.amount for line in po.lines] == [D("42.03"), D("1.01")]
    assert po.total == D("43.04")
    assert_no_violations(buyer.db)


@pytest.mark.parametrize(
    ("items", "field", "message"),
    [
        ((("B-2", 50),), "lines.0.quantity", "from 100 units"),
        ((("B-2", 120),), "lines.0.quantity", "in packs of 50"),
        ((("A-1", 0),), "lines.0.quantity", "from 1"),
        ((("A-1", 1, "1.23456"),), "lines.0.unit_cost", "more than 4 decimals"),
        ((("A-1", 1, "-1"),), "lines.0.unit_cost", "must not be negative"),
        ((("A-1", 2**31 - 1, "999999999.00"),), "lines.0.quantity", "too large"),
    ],
)
def test_lines_breaking_the_suppliers_rules_are_refused_with_the_field(
    buyer, items, field, message
):
    # when
    with pytest.raises(ValidationFailed) as refused:
        make_po(buyer.db, buyer.acme, *items)
    # then
    assert [(f.field, message in f.message) for f in refused.value.fields] == [(field, True)]
    assert list_purchase_orders_of(buyer) == []


def list_purchase_orders_of(buyer: Buyer) -> list[str]:
    with buyer.db.reader() as session:
        return [p.number for p in list_purchase_orders(session, PurchaseOrderFilter())[0]]


def test_a_product_the_supplier_does_not_supply_is_refused(buyer):
    # when
    with pytest.raises(ProductNotSupplied) as refused:
        make_po(buyer.db, buyer.acme, ("A-1", 1), ("SVC", 1), ("NOPE", 1))
    # then
    assert refused.value.code == "product_not_supplied"
    assert [f.field for f in refused.value.fields] == ["lines.1.sku", "lines.2.sku"]


def test_an_inactive_supplier_or_an_unknown_warehouse_gets_no_purchase_order(buyer):
    # given
    with buyer.db.unit_of_work(actor="test") as uow:
        update_supplier(uow, supplier="acme", active=False)
    # when / then
    with pytest.raises(SupplierInactive):
        make_po(buyer.db, buyer.acme, ("A-1", 1))
    other = make_supplier(buyer.db)
    supply(buyer.db, other, "A-1", "5.00", 3)
    with pytest.raises(WarehouseNotFound):
        make_po(buyer.db, other, ("A-1", 1), warehouse="NOWHERE")


def test_a_drafts_lines_can_be_replaced_and_its_total_follows(buyer):
    # given
    po = make_po(buyer.db, buyer.acme, ("A-1", 10))
    # when
    with buyer.db.unit_of_work(actor="user:buyer") as uow:
        edited = replace_purchase_order_lines(
            uow, purchase_order_id=po.id, lines=lines(("B-2", 200), ("A-1", 2, "5.50"))
        )
    # then
    assert [(ln.line_no, ln.sku, ln.quantity) for ln in edited.lines] == [
        (1, "B-2", 200),
        (2, "A-1", 2),
    ]
    assert edited.total == D("31.00")
    assert_no_violations(buyer.db)


def test_an_approved_purchase_orders_lines_cannot_change(buyer):
    # given
    po = approve(buyer.db, make_po(buyer.db, buyer.acme, ("A-1", 10)))
    # when
    with pytest.raises(InvalidTransition) as refused, buyer.db.unit_of_work(actor="x") as uow:
        replace_purchase_order_lines(uow, purchase_order_id=po.id, lines=lines(("A-1", 1)))
    # then
    assert refused.value.code == "invalid_transition"
    assert refused.value.extra == {"current_status": "approved", "action": "edit_lines"}
    assert po.number in refused.value.detail
    with buyer.db.reader() as session:
        assert get_purchase_order(session, po.id).total == D("60.00")


def test_a_purchase_order_goes_from_draft_to_closed_and_records_who_did_what(buyer):
    # given
    po = make_po(buyer.db, buyer.acme, ("A-1", 10), ("B-2", 100))
    # when
    approved = approve(buyer.db, po, actor="user:boss")
    sent = send(buyer.db, approved)
    part = receive(buyer.db, po.id, (1, 4))
    full = receive(buyer.db, po.id, (1, 6), (2, 100))
    closed = _close(buyer, po)
    # then
    assert [approved.status, sent.status, part.status, full.status, closed.status] == [
        "approved",
        "sent",
        "partially_received",
        "received",
        "closed",
    ]
    assert (closed.created_by, closed.approved_by, closed.sent_by, closed.closed_by) == (
        "user:buyer",
        "user:boss",
        "user:buyer",
        "user:buyer",
    )
    assert None not in (closed.approved_at, closed.sent_at, closed.closed_at)
    assert closed.allowed_actions == ()
    types = [e.event_type for e in outbox(buyer.db) if e.aggregate_type == "purchase_order"]
    assert types == [
        "purchase_order.created",
        "purchase_order.approved",
        "purchase_order.sent",
        "purchase_order.received",
        "purchase_order.received",
        "purchase_order.closed",
    ]
    assert_no_violations(buyer.db)


@pytest.mark.parametrize(
    ("stage", "action"),
    [
        ("draft", "send"),
        ("draft", "receive"),
        ("draft", "close"),
        ("approved", "approve"),
        ("approved", "receive"),
        ("sent", "approve"),
        ("sent", "close"),
        ("partially_received", "cancel"),
        ("partially_received", "send"),
        ("cancelled", "approve"),
        ("cancelled", "cancel"),
        ("closed", "receive"),
        ("closed", "cancel"),
    ],
)
def test_actions_the_lifecycle_does_not_allow_are_refused_and_change_nothing(buyer, stage, action):
    # given
    po = make_po(buyer.db, buyer.acme, ("A-1", 10))
    if stage != "draft" and stage != "cancelled":
        po = approve(buyer.db, po)
    if stage in ("sent", "partially_received", "closed"):
        po = send(buyer.db, po, email=False)
    if stage in ("partially_received", "closed"):
        po = receive(buyer.db, po.id, (1, 3))
    if stage == "closed":
        po = _close(buyer, po, reason="rest discontinued")
    if stage == "cancelled":
        po = _cancel(buyer, po)
    act = {
        "approve": lambda: approve(buyer.db, po),
        "send": lambda: send(buyer.db, po, email=False),
        "receive": lambda: receive(buyer.db, po.id, (1, 1)),
        "close": lambda: _close(buyer, po, reason="x"),
        "cancel": lambda: _cancel(buyer, po),
    }[action]
    # when
    with pytest.raises(InvalidTransition) as refused:
        act()
    # then
    assert refused.value.code == "invalid_transition"
    assert refused.value.extra["current_status"] == stage
    with buyer.db.reader() as session:
        assert get_purchase_order(session, po.id).status == stage
    assert_no_violations(buyer.db)


@pytest.mark.parametrize("stage", ["draft", "approved", "sent"])
def test_a_purchase_order_that_received_nothing_can_be_cancelled(buyer, stage):
    # given
    po = make_po(buyer.db, buyer.acme, ("A-1", 10))
    if stage != "draft":
        po = approve(buyer.db, po)
    if stage == "sent":
        po = send(buyer.db, po, email=False)
    # when
    cancelled = _cancel(buyer, po, reason="found cheaper")
    # then
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_by) == (
        "cancelled",
        "found cheaper",
        "user:buyer",
    )


def test_a_short_close_needs_a_reason_and_says_what_will_not_come(buyer):
    # given
    po = sent_po(buyer.db, buyer.acme, ("A-1", 10))
    receive(buyer.db, po.id, (1, 7))
    # when
    with pytest.raises(ValidationFailed) as refused:
        _close(buyer, po)
    closed = _close(buyer, po, reason="supplier out of stock")
    # then
    assert [f.field for f in refused.value.fields] == ["reason"]
    assert (closed.status, closed.close_reason) == ("closed", "supplier out of stock")
    [event] = outbox(buyer.db, "purchase_order.closed")
    assert (event.payload["short_closed"], event.payload["open_quantity"]) == (True, 3)


def test_sending_by_email_needs_the_suppliers_address(buyer):
    # given
    mute = make_supplier(buyer.db, email="")
    supply(buyer.db, mute, "A-1", "5.00", 3)
    po = approve(buyer.db, make_po(buyer.db, mute, ("A-1", 1)))
    # when
    with pytest.raises(SupplierHasNoEmail):
        send(buyer.db, po)
    sent = send(buyer.db, po, email=False)
    # then
    assert sent.status == "sent"
    [event] = outbox(buyer.db, "purchase_order.sent")
    assert (event.payload["email"], event.payload["recipient"]) == (False, "")


def test_purchase_orders_are_listed_newest_first_and_filtered(buyer):
    # given
    first = make_po(buyer.db, buyer.acme, ("A-1", 1))
    second = approve(buyer.db, make_po(buyer.db, buyer.acme, ("A-1", 2), warehouse="EAST"))
    other = make_supplier(buyer.db)
    supply(buyer.db, other, "A-1", "5.00", 3)
    third = make_po(buyer.db, other, ("A-1", 3))
    # when
    with buyer.db.reader() as session:
        everything, more = list_purchase_orders(session, PurchaseOrderFilter(), limit=2)
        rest, _ = list_purchase_orders(
            session,
            PurchaseOrderFilter(),
            before=(everything[-1].created_at, everything[-1].id),
        )
        drafts, _ = list_purchase_orders(
            session,
            PurchaseOrderFilter(status=PurchaseOrderStatus.DRAFT, supplier_id=buyer.acme.id),
        )
        east, _ = list_purchase_orders(
            session, PurchaseOrderFilter(warehouse_id=second.warehouse_id)
        )
    # then
    assert ([p.number for p in everything], more) == ([third.number, second.number], True)
    assert [p.number for p in rest] == [first.number]
    assert [p.number for p in drafts] == [first.number]
    assert [p.number for p in east] == [second.number]
