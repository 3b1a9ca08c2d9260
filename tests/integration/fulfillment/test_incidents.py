"""Reporting damage and document corrections: append-only incidents, history, events."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from ordersmith.db import table_of
from ordersmith.errors import Conflict, ValidationFailed
from ordersmith.fulfillment.incidents import (
    document_of,
    record_document_correction,
    record_incident,
    report_damage,
)
from ordersmith.fulfillment.queries import order_incidents
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.queries import order_history
from ordersmith.outbox.models import OutboxEvent
from tests.factories.fulfillment import confirm, label_and_dispatch, make_courier, pack, pick, wave
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place


@pytest.fixture
def dispatched(shop):
    """A confirmed order of 3 x A-1 (line 1) and 1 x SVC (line 2) that has left."""
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 3), ("SVC", 1))))
    pick(shop.db, wave(shop.db))
    label_and_dispatch(shop.db, pack(shop.db, order).id)
    return order


def _events(db, event_type):
    outbox = table_of(OutboxEvent)
    with db.reader() as session:
        return list(
            session.execute(
                sa.select(outbox.c.payload).where(outbox.c.event_type == event_type)
            ).scalars()
        )


def test_damage_to_a_dispatched_order_is_recorded_with_history_and_an_event(shop, dispatched):
    # when
    with shop.db.unit_of_work(actor="user:sam") as uow:
        incident = report_damage(
            uow, order_id=dispatched.id, note="  corner crushed  ", line_no=1, quantity=2
        )
    # then
    with shop.db.reader() as session:
        stored = order_incidents(session, dispatched.id)
        history = order_history(session, dispatched.number)
    assert stored == [incident]
    assert (incident.kind, incident.quantity, incident.note, incident.actor) == (
        "damage",
        2,
        "corner crushed",
        "user:sam",
    )
    assert incident.line_id == dispatched.lines[0].id
    last = history[-1]
    assert (last.action, last.actor, last.reason) == ("incident", "user:sam", "corner crushed")
    assert last.details["kind"] == "damage"
    assert last.details["incident_id"] == str(incident.id)
    [event] = _events(shop.db, "order.damage_reported")
    assert (event["number"], event["sku"], event["quantity"]) == (dispatched.number, "A-1", 2)


def test_a_document_correction_names_the_document(shop, dispatched):
    # when
    with shop.db.unit_of_work(actor="user:sam") as uow:
        incident = record_document_correction(
            uow, order_id=dispatched.id, document="invoice", note="wrong VAT number"
        )
    # then
    assert (incident.kind, incident.note) == ("document_correction", "invoice: wrong VAT number")
    assert document_of(incident) == "invoice"
    [event] = _events(shop.db, "order.document_corrected")
    assert (event["document"], event["note"]) == ("invoice", "wrong VAT number")


def test_a_damage_report_with_bad_fields_lists_every_problem_and_changes_nothing(shop, dispatched):
    # when
    with pytest.raises(ValidationFailed) as refused, shop.db.unit_of_work(actor="u") as uow:
        report_damage(uow, order_id=dispatched.id, note=" ", line_no=0, quantity=-1)
    # then
    assert sorted(f.field for f in refused.value.fields) == ["line_no", "note", "quantity"]
    with shop.db.reader() as session:
        assert order_incidents(session, dispatched.id) == []


@pytest.mark.parametrize(
    ("line_no", "quantity", "field"),
    [(3, 1, "line_no"), (1, 4, "quantity"), (None, 1, "line_no")],
)
def test_damage_must_name_a_line_of_the_order_and_no_more_units_than_it_shipped(
    shop, dispatched, line_no, quantity, field
):
    # when
    with pytest.raises(ValidationFailed) as refused, shop.db.unit_of_work(actor="u") as uow:
        report_damage(
            uow, order_id=dispatched.id, note="dented", line_no=line_no, quantity=quantity
        )
    # then
    assert [f.field for f in refused.value.fields] == [field]


def test_damage_cannot_be_reported_before_anything_left_the_warehouse(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 1))))
    # when
    with pytest.raises(Conflict) as refused, shop.db.unit_of_work(actor="u") as uow:
        report_damage(uow, order_id=order.id, note="dented")
    # then
    assert refused.value.code == "order_not_dispatched"


def test_an_unknown_order_or_document_is_refused(shop, dispatched):
    with pytest.raises(OrderNotFound), shop.db.unit_of_work(actor="u") as uow:
        record_document_correction(uow, order_id=uuid.uuid4(), document="invoice", note="x")
    with pytest.raises(ValidationFailed) as refused, shop.db.unit_of_work(actor="u") as uow:
        record_document_correction(uow, order_id=dispatched.id, document="receipt", note="x")
    assert [f.field for f in refused.value.fields] == ["document"]
    assert "packing_slip, invoice, label, other" in refused.value.fields[0].message


def test_record_incident_refuses_the_fields_of_the_other_kind(shop, dispatched):
    # when
    with pytest.raises(ValidationFailed) as refused, shop.db.unit_of_work(actor="u") as uow:
        record_incident(
            uow,
            order_id=dispatched.id,
            kind="document_correction",
            note="x",
            line_no=1,
            quantity=1,
        )
    # then
    assert sorted(f.field for f in refused.value.fields) == ["document", "line_no", "quantity"]
    with pytest.raises(ValidationFailed) as wrong_kind, shop.db.unit_of_work(actor="u") as uow:
        record_incident(uow, order_id=dispatched.id, kind="backorder", note="x")
    assert [f.field for f in wrong_kind.value.fields] == ["kind"]
