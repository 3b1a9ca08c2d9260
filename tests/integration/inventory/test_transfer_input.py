"""Bad transfer input gets a clear, coded error and changes nothing; numbers, lists and
look-ups of transfers — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ordersmith.errors import OmsError
from ordersmith.inventory.errors import TransferNotFound, WarehouseInactive
from ordersmith.inventory.transfer_queries import get_transfer, list_transfers
from ordersmith.inventory.transfer_receipts import receive_transfer
from ordersmith.inventory.transfer_status import TransferStatus
from tests.factories.inventory import make_warehouse, stock_up
from tests.factories.transfers import dispatch, lines_of, make_transfer, receive

NUL = "\x00"


def _count(db, table):
    with db.reader() as session:
        return session.scalar(sa.text(f"SELECT count(*) FROM {table}"))


@pytest.mark.parametrize(
    ("kwargs", "code", "fields"),
    [
        ({"destination": "MAIN"}, "same_warehouse", ["to_warehouse"]),
        ({"destination": "main"}, "same_warehouse", ["to_warehouse"]),
        ({"lines": [("NOPE", 1), ("A-1", 1)]}, "unknown_sku", ["lines.0.sku"]),
        ({"lines": [("SVC", 1)]}, "not_stocked", ["lines.0.sku"]),
        ({"lines": [("A-1", 1), ("A-1", 2)]}, "validation_error", ["lines.1.sku"]),
        ({"lines": [("A-1", 0)]}, "validation_error", ["lines.0.quantity"]),
        ({"lines": [("A-1", -2)]}, "validation_error", ["lines.0.quantity"]),
        ({"lines": [("A-1", 10**10)]}, "validation_error", ["lines.0.quantity"]),
        ({"lines": [("A-1", True)]}, "validation_error", ["lines.0.quantity"]),
        ({"lines": []}, "validation_error", ["lines"]),
        ({"lines": [(f"A{NUL}1", 1)]}, "validation_error", ["lines.0.sku"]),
        ({"lines": [("", 1)]}, "validation_error", ["lines.0.sku"]),
        ({"note": f"bad{NUL}"}, "validation_error", ["note"]),
        ({"note": "x" * 501}, "validation_error", ["note"]),
        ({"destination": "NOPE"}, "warehouse_not_found", []),
        ({"destination": f"EA{NUL}ST"}, "warehouse_not_found", []),
    ],
)
def test_a_bad_transfer_is_refused_with_a_coded_error_and_nothing_is_written(
    shop, kwargs, code, fields
):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    given = dict(kwargs)
    lines = given.pop("lines", [("A-1", 1)])
    # when
    with pytest.raises(OmsError) as caught:
        make_transfer(shop.db, *lines, dispatch=True, **given)
    # then
    assert caught.value.code == code
    assert [f.field for f in caught.value.fields] == fields
    assert (_count(shop.db, "stock_transfers"), _count(shop.db, "stock_transfer_lines")) == (0, 0)


def test_an_inactive_warehouse_takes_part_in_no_new_transfer(shop):
    # given
    with shop.db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="OLD")
    with shop.db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE warehouses SET active = :no WHERE code = 'OLD'"), {"no": False}
        )
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    # when / then: neither as source nor as destination
    for source, destination in (("OLD", "MAIN"), ("MAIN", "OLD")):
        with pytest.raises(WarehouseInactive) as caught:
            make_transfer(shop.db, ("A-1", 1), source=source, destination=destination)
        assert caught.value.code == "warehouse_inactive"
        assert "OLD" in caught.value.detail


def test_a_draft_whose_destination_closed_since_is_not_dispatched(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    draft = make_transfer(shop.db, ("A-1", 1))
    with shop.db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE warehouses SET active = :no WHERE code = 'EAST'"), {"no": False}
        )
    # when / then
    with pytest.raises(WarehouseInactive):
        dispatch(shop.db, draft)


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([("A-1", 0)], "lines.0.quantity"),
        ([("A-1", 1), ("A-1", 1)], "lines.1.sku"),
    ],
)
def test_a_bad_receipt_is_refused_with_field_errors(shop, lines, field):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    transfer = make_transfer(shop.db, ("A-1", 5), dispatch=True)
    # when
    with pytest.raises(OmsError) as caught:
        receive(shop.db, transfer, *lines)
    # then
    assert caught.value.code == "validation_error"
    assert field in [f.field for f in caught.value.fields]


def test_an_empty_list_of_receipt_lines_is_not_read_as_everything(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    transfer = make_transfer(shop.db, ("A-1", 5), dispatch=True)
    # when
    with pytest.raises(OmsError) as caught, shop.db.unit_of_work(actor="t") as uow:
        receive_transfer(uow, transfer_id=transfer.id, lines=lines_of())
    # then
    assert [f.field for f in caught.value.fields] == ["lines"]


def test_transfers_are_numbered_from_their_own_series_and_found_by_number_or_id(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    first = make_transfer(shop.db, ("A-1", 1))
    second = make_transfer(shop.db, ("A-1", 1))
    # then
    year = first.created_at.year
    assert first.number.startswith(f"TR-{year}-")
    assert int(second.number[-6:]) > int(first.number[-6:])
    with shop.db.reader() as session:
        assert get_transfer(session, first.number.lower()).id == first.id
        assert get_transfer(session, str(second.id)).number == second.number
        for missing in ("TR-1999-000001", f"TR{NUL}", "not a number"):
            with pytest.raises(TransferNotFound):
                get_transfer(session, missing)


def test_lists_filter_by_status_and_warehouse_newest_first_and_page_by_key(shop):
    # given: MAIN->EAST draft, MAIN->EAST in transit, EAST->WEST draft
    with shop.db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="WEST")
    stock_up(shop.db, {("MAIN", "A-1"): 5, ("EAST", "A-1"): 5})
    a = make_transfer(shop.db, ("A-1", 1))
    b = make_transfer(shop.db, ("A-1", 2), dispatch=True)
    c = make_transfer(shop.db, ("A-1", 3), source="EAST", destination="WEST")
    with shop.db.reader() as session:
        everything = list_transfers(session)
        drafts = list_transfers(session, status=TransferStatus.DRAFT)
        at_east = list_transfers(session, warehouse="east")
        from_main = list_transfers(session, from_warehouse="MAIN")
        to_west = list_transfers(session, to_warehouse="WEST")
        page = list_transfers(session, limit=2)
        rest = list_transfers(session, limit=2, before=(page[-1].created_at, page[-1].id))
        nowhere = list_transfers(session, warehouse=f"X{NUL}")
    # then
    assert [t.number for t in everything] == [c.number, b.number, a.number]
    assert [t.number for t in drafts] == [c.number, a.number]
    assert [t.number for t in at_east] == [c.number, b.number, a.number]
    assert [t.number for t in from_main] == [b.number, a.number]
    assert [t.number for t in to_west] == [c.number]
    assert [t.number for t in page + rest] == [c.number, b.number, a.number]
    assert (everything[1].units, everything[1].line_count, everything[1].lines) == (2, 1, ())
    assert nowhere == []
