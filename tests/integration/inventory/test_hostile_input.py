"""Hostile text in inventory: control characters and NUL are refused with field errors,
nothing is silently truncated, codes are ASCII and matched in any case, and look-ups by a
text that cannot be stored find nothing — the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ordersmith.catalog.queries import product_id_for_sku, skus_for
from ordersmith.catalog.services import create_product
from ordersmith.errors import ValidationFailed
from ordersmith.inventory.errors import UnknownSku, WarehouseNotFound
from ordersmith.inventory.ledger import labels_for
from ordersmith.inventory.models import AdjustmentReason
from ordersmith.inventory.queries import (
    get_warehouse,
    movements,
    stock_levels,
    warehouse_codes,
    warehouse_ids,
)
from ordersmith.inventory.queries import product_id_for_sku as stocked_product_id
from ordersmith.inventory.services import (
    adjust_stock,
    create_warehouse,
    receive_stock,
    set_stock_settings,
)
from tests.factories.inventory import make_warehouse, stock_up

ADDRESS = {"line1": "1 Dock Rd", "city": "Hamburg", "country": "DE"}


@pytest.fixture
def store(db):
    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="MAIN", priority=1)
        create_product(uow, sku="A-1", name="Anvil", price="10")
    return db


def _refusal(db, service, **kwargs):
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work(actor="test") as uow:
        service(uow, **kwargs)
    return {f.field for f in caught.value.fields}


def _count(db, table):
    with db.reader() as session:
        return session.scalar(sa.text(f"SELECT count(*) FROM {table}"))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "Q1", "name": "a\x00b"}, "name"),
        ({"code": "Q1", "name": "bell\x07"}, "name"),
        ({"code": "Q\x001", "name": "ok"}, "code"),
        ({"code": "Q1", "name": "ok", "address": {**ADDRESS, "line1": "\x00"}}, "address.line1"),
        ({"code": "Q1", "name": "ok", "address": {**ADDRESS, "city": "x\x1by"}}, "address.city"),
        ({"code": "Q1", "name": "ok", "address": {**ADDRESS, "gate": "7"}}, "address.gate"),
    ],
)
def test_a_warehouse_with_a_control_character_is_refused_with_its_field(db, kwargs, field):
    # when
    fields = _refusal(db, create_warehouse, **kwargs)
    # then
    assert fields == {field}
    assert _count(db, "warehouses") == 0


@pytest.mark.parametrize("code", ["ÄÖ", "٣٤", "W H", "W.1", "", "X" * 21])
def test_a_warehouse_code_must_be_ascii_letters_digits_dash_or_underscore(db, code):
    # when / then
    assert _refusal(db, create_warehouse, code=code, name="ok") == {"code"}


def test_a_warehouse_code_is_stored_upper_case_and_found_in_any_case(db):
    # given
    with db.unit_of_work(actor="test") as uow:
        created = create_warehouse(uow, code="north_2", name="North", address=ADDRESS)
        create_product(uow, sku="A-1", name="Anvil", price="10")
    # when
    with db.unit_of_work(actor="test") as uow:
        receive_stock(uow, warehouse="North_2", sku="A-1", quantity=3)
    # then
    with db.reader() as session:
        assert created.code == "NORTH_2"
        assert created.address["country"] == "DE"
        assert get_warehouse(session, "north_2").id == created.id
        assert [r.on_hand for r in stock_levels(session, warehouse="north_2")] == [3]
        assert [m.warehouse for m in movements(session, warehouse="nOrTh_2")] == ["NORTH_2"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reference": "DN\x0042"}, "reference"),
        ({"reference": "R" * 65}, "reference"),
        ({"note": "pallet\x00"}, "note"),
        ({"note": "pallet\x1b"}, "note"),
    ],
)
def test_a_receipt_with_a_control_character_or_a_too_long_reference_changes_nothing(
    store, kwargs, field
):
    # when
    fields = _refusal(store, receive_stock, warehouse="MAIN", sku="A-1", quantity=1, **kwargs)
    # then
    assert fields == {field}
    assert _count(store, "stock_movements") == 0


def test_a_64_character_reference_is_kept_in_full_in_the_ledger_and_the_event(store):
    # when
    with store.unit_of_work(actor="test") as uow:
        receive_stock(uow, warehouse="MAIN", sku="A-1", quantity=1, reference="R" * 64)
    # then
    with store.reader() as session:
        (move,) = movements(session, sku="A-1")
        payload = session.scalar(
            sa.text("SELECT payload FROM outbox_events WHERE event_type = 'stock.received'")
        )
    assert move.source_id == "R" * 64
    assert "R" * 64 in str(payload)


def test_an_adjustment_note_with_a_control_character_is_refused_with_its_field(store):
    # given
    stock_up(store, {("MAIN", "A-1"): 5})
    # when
    fields = _refusal(
        store,
        adjust_stock,
        warehouse="MAIN",
        sku="A-1",
        delta=-1,
        reason=AdjustmentReason.DAMAGE,
        note="fork\x00lift",
    )
    # then
    assert fields == {"note"}
    with store.reader() as session:
        assert stock_levels(session)[0].on_hand == 5


@pytest.mark.parametrize("bin_location", ["B" * 41, "A-01\x00"])
def test_a_bin_location_that_is_too_long_or_holds_a_nul_is_refused_not_truncated(
    store, bin_location
):
    # given
    stock_up(store, {("MAIN", "A-1"): 5})
    # when
    fields = _refusal(
        store, set_stock_settings, warehouse="MAIN", sku="A-1", bin_location=bin_location
    )
    # then
    assert fields == {"bin_location"}
    with store.reader() as session:
        assert stock_levels(session)[0].bin_location == ""


def test_a_40_character_bin_location_is_kept(store):
    # when
    with store.unit_of_work(actor="test") as uow:
        level = set_stock_settings(uow, warehouse="main", sku="A-1", bin_location="B" * 40)
    # then
    assert level.bin_location == "B" * 40


def test_look_ups_by_an_unstorable_text_find_nothing(store):
    # given
    stock_up(store, {("MAIN", "A-1"): 5})
    # when / then
    with store.reader() as session:
        with pytest.raises(WarehouseNotFound):
            get_warehouse(session, "MA\x00IN")
        with pytest.raises(UnknownSku) as unknown:
            stocked_product_id(session, "A\x00")
        assert unknown.value.code == "product_not_found"
        assert product_id_for_sku(session, "A-1\x00") is None
        assert stock_levels(session, sku="A-1\x00") == []
        assert stock_levels(session, warehouse="MAIN\x00") == []
        assert stock_levels(session, after=("A\x00", "MAIN")) == []
        assert movements(session, sku="A-1\x00") == []
        assert movements(session, warehouse="\x00") == []
        assert warehouse_ids(session, ["\x00", "MAIN\x00"]) == {}


def test_stock_services_refuse_an_unstorable_warehouse_or_sku_as_not_found(store):
    # when / then
    with pytest.raises(WarehouseNotFound), store.unit_of_work(actor="test") as uow:
        receive_stock(uow, warehouse="MAIN\x00", sku="A-1", quantity=1)
    with pytest.raises(UnknownSku), store.unit_of_work(actor="test") as uow:
        receive_stock(uow, warehouse="MAIN", sku="A-1\x00", quantity=1)
    assert _count(store, "stock_movements") == 0


def test_warehouse_ids_are_keyed_by_the_codes_as_given_and_skip_inactive_ones(store):
    # given
    with store.unit_of_work(actor="test") as uow:
        closed = make_warehouse(uow, code="OLD")
        east = make_warehouse(uow, code="EAST")
        uow.session.execute(
            sa.text("UPDATE warehouses SET active = :no WHERE code = 'OLD'"), {"no": False}
        )
    # when
    with store.reader() as session:
        main_id = get_warehouse(session, "MAIN").id
        ids = warehouse_ids(session, ["main", "East", "OLD", "NOPE"])
        codes = warehouse_codes(session, [main_id, east.id, closed.id])
    # then
    assert ids == {"main": main_id, "East": east.id}
    assert codes == {main_id: "MAIN", east.id: "EAST", closed.id: "OLD"}


def test_event_labels_come_from_the_inventory_and_catalog_read_sides(store):
    # given
    with store.reader() as session:
        warehouse_id = get_warehouse(session, "MAIN").id
        product_id = stocked_product_id(session, "A-1")
        # when
        labels = labels_for(session, [(warehouse_id, product_id)])
        skus = skus_for(session, [product_id])
    # then
    assert labels == {warehouse_id: "MAIN", product_id: "A-1"}
    assert skus == {product_id: "A-1"}
