"""Reading the order change form: only what differs from the order as shown is sent."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ordersmith.errors import ValidationFailed
from ordersmith.orders.views import OrderLineView, OrderView
from ordersmith.web.pages.order_edit import initial_form, read_change, read_moves

ADDRESS = {"name": "Ann", "line1": "1 Main St", "city": "Berlin", "country": "DE"}


def _line(line_no: int, sku: str, quantity: int) -> OrderLineView:
    return OrderLineView(
        id=uuid.uuid4(),
        line_no=line_no,
        product_id=uuid.uuid4(),
        sku=sku,
        name=sku,
        quantity=quantity,
        reserved_quantity=quantity,
        backordered_quantity=0,
        shipped_quantity=0,
        delivered_quantity=0,
        warehouse_id=None,
        unit_price=Decimal("1.00"),
        discount=Decimal("0"),
        tax_rate=Decimal("0.2"),
        net_amount=Decimal(quantity),
        tax_amount=Decimal("0"),
        price_source="list",
    )


def an_order(**changes: object) -> OrderView:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "number": "SO-2026-000001",
        "channel": "phone",
        "external_ref": None,
        "customer_id": uuid.uuid4(),
        "status": "placed",
        "hold_reason": None,
        "held_from": None,
        "duplicate_of_id": None,
        "backorder_policy": "backorder",
        "ship_policy": "partial",
        "fulfilment_status": "unfulfilled",
        "promised_dispatch_date": None,
        "promised_delivery_date": None,
        "currency": "EUR",
        "billing_address": {},
        "shipping_address": dict(ADDRESS),
        "subtotal": Decimal("5"),
        "discount_total": Decimal("0"),
        "tax_total": Decimal("1"),
        "shipping_total": Decimal("0"),
        "total": Decimal("6"),
        "requested_delivery_date": date(2026, 12, 10),
        "notes": "ring twice",
        "created_by": "user:sam",
        "created_at": now,
        "updated_at": now,
        "lines": [_line(1, "A-1", 2), _line(2, "B-2", 3)],
        "allowed_actions": [],
        "version": 4,
    }
    return OrderView(**(values | changes))  # type: ignore[arg-type]


def test_the_form_as_shown_asks_for_no_change_but_carries_the_version():
    # given
    order = an_order()
    # when
    change = read_change(order, initial_form(order) | {"reason": "checked"})
    # then
    assert change.kinds == []
    assert change.expected_version == 4


def test_a_new_quantity_a_zero_and_a_ticked_cancel_become_line_changes():
    # given
    order = an_order(lines=[_line(1, "A-1", 2), _line(2, "B-2", 3), _line(3, "C-3", 1)])
    form = initial_form(order) | {"qty-1": "5", "qty-2": "0", "cancel-3": "1"}
    # when
    change = read_change(order, form)
    # then
    assert change.quantities == {1: 5}
    assert sorted(change.cancel_lines) == [2, 3]


def test_new_lines_are_the_add_rows_with_a_sku_one_unit_when_no_quantity_is_typed():
    # given
    form = initial_form(an_order()) | {"add-sku-1": " D-4 ", "add-qty-1": "7", "add-sku-3": "E-5"}
    # when
    change = read_change(an_order(), form)
    # then
    assert [(line.sku, line.quantity) for line in change.add_lines] == [("D-4", 7), ("E-5", 1)]


def test_the_address_date_and_notes_are_sent_only_when_they_differ():
    # given: the notes come back from the browser with CRLF line ends, otherwise the same
    order = an_order(notes="ring twice\nback door")
    form = initial_form(order) | {
        "notes": "ring twice\r\nback door",
        "ship-city": "Hamburg",
        "requested_delivery_date": "2026-12-12",
    }
    # when
    change = read_change(order, form)
    # then
    assert change.notes is None
    assert change.shipping_address == ADDRESS | {"city": "Hamburg"}
    assert change.requested_delivery_date == date(2026, 12, 12)


@pytest.mark.parametrize(
    ("field", "typed"),
    [("qty-1", "two"), ("add-qty-2", "-1"), ("requested_delivery_date", "12/12/2026")],
)
def test_a_number_or_date_that_cannot_be_read_is_refused_naming_the_field(field, typed):
    # given: a SKU in every new row, so only the typed value can be wrong
    order = an_order()
    form = initial_form(order) | {f"add-sku-{i}": "D-4" for i in (1, 2, 3)}
    # when
    with pytest.raises(ValidationFailed) as refused:
        read_change(order, form | {field: typed})
    # then
    assert [f.field for f in refused.value.fields] == [field]


def test_a_split_moves_the_units_typed_per_line_and_skips_empty_and_zero():
    # given
    form = {"move-1": "", "move-2": "2", "move-3": "0", "split_reason": "two trips"}
    # when
    moves = read_moves(form)
    # then
    assert moves == {2: 2}


def test_a_line_cancelled_before_is_left_alone():
    # given: line 2 was cancelled by an earlier change (it stays, at 0)
    order = an_order(lines=[_line(1, "A-1", 2), _line(2, "B-2", 0)])
    # when: the form is sent as shown, with the cancelled line's fields forged
    change = read_change(order, initial_form(order) | {"qty-2": "0", "cancel-2": "1"})
    # then
    assert change.kinds == []
    assert "qty-2" not in initial_form(order)


def test_units_to_move_that_are_not_a_number_are_refused_naming_the_line():
    # when
    with pytest.raises(ValidationFailed) as refused:
        read_moves({"move-1": "half"})
    # then
    assert [f.field for f in refused.value.fields] == ["move-1"]


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"add-sku-1": "D-4", "add-qty-1": "0"}, "add-qty-1"),
        ({"add-qty-2": "3"}, "add-sku-2"),
        ({"requested_delivery_date": ""}, "requested_delivery_date"),
    ],
)
def test_a_new_line_of_no_units_a_quantity_without_a_sku_or_a_removed_date_is_refused(typed, field):
    # given
    order = an_order()
    # when
    with pytest.raises(ValidationFailed) as refused:
        read_change(order, initial_form(order) | typed)
    # then
    assert [f.field for f in refused.value.fields] == [field]


def test_notes_stored_with_crlf_line_ends_are_not_a_change_when_sent_back_as_shown():
    # given: notes stored through the API with CRLF
    order = an_order(notes="ring twice\r\nback door")
    # when
    change = read_change(order, initial_form(order) | {"notes": "ring twice\r\nback door"})
    # then
    assert change.notes is None
