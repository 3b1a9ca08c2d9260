"""The rules of a return request: the window, the quantities, whose order it is, the
lifecycle, the perfect order, and what a return without an invoice can become."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.fulfillment.kpi_report import kpi_report
from ordersmith.fulfillment.queries import order_incidents
from ordersmith.orders.errors import OrderNotFound
from ordersmith.returns.errors import (
    OrderNotShipped,
    ReturnExceedsShipped,
    ReturnNotInvoiced,
    ReturnWindowClosed,
)
from ordersmith.returns.inputs import DispositionInput
from ordersmith.returns.models import RequestedBy
from ordersmith.returns.services import cancel_return, reject_return
from tests.factories.fulfillment import confirm, make_courier
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock
from tests.factories.orders import order_request, place
from tests.factories.purchasing import make_supplier, supply
from tests.factories.returns import (
    ask,
    authorise,
    delivered_order,
    inspect,
    receive,
    resolve,
    restock_all,
)
from tests.integration.conftest import Shop

D = Decimal


@pytest.fixture
def shop(shop: Shop) -> Shop:
    """The shop with a LOCAL courier and 10 anvils, 10 bolts at MAIN."""
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    return shop


def _cancel(shop: Shop, rma, reason: str = "") -> None:
    with shop.db.unit_of_work(actor="user:ann") as uow:
        cancel_return(uow, return_id=rma.id, reason=reason)


def test_a_return_after_the_window_is_refused_with_a_clear_error(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an order delivered today, asked back 31 days later (the window is 30)
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    today = datetime.now(UTC)
    SetClock(monkeypatch, today + timedelta(days=31))
    # when
    with pytest.raises(ReturnWindowClosed) as refused:
        ask(shop.db, order, (1, 1, "no_longer_needed"))
    # then
    error = refused.value
    assert error.code == "return_window_closed"
    assert error.status == 409
    assert "30-day return window" in error.detail
    last_day = (today.date() + timedelta(days=30)).isoformat()
    assert error.extra["window_days"] == 30
    assert error.extra["lines"] == [
        {
            "line_no": 1,
            "sku": "A-1",
            "delivered_on": today.date().isoformat(),
            "closed_on": last_day,
        }
    ]


def test_the_last_day_of_the_window_is_still_inside_it(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    SetClock(monkeypatch, datetime.now(UTC) + timedelta(days=30))
    # when
    rma = ask(shop.db, order, (1, 1, "no_longer_needed"))
    # then
    assert (rma.status, rma.window_override_reason) == ("requested", "")


def test_staff_may_accept_a_late_return_giving_a_reason_which_is_recorded(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    SetClock(monkeypatch, datetime.now(UTC) + timedelta(days=45))
    # when
    rma = ask(shop.db, order, (1, 1, "damaged"), override_window_reason="loyal customer")
    # then
    assert rma.window_override_reason == "loyal customer"


def test_a_customer_cannot_override_the_window(shop: Shop) -> None:
    # given
    order = delivered_order(shop.db, shop.cash.id, ("A-1", 1))
    # when
    with pytest.raises(ValidationFailed) as refused:
        ask(
            shop.db,
            order,
            (1, 1, "late"),
            requested_by=RequestedBy.CUSTOMER,
            override_window_reason="please",
        )
    # then
    assert [f.field for f in refused.value.fields] == ["override_window_reason"]


def test_more_units_than_were_shipped_are_refused_naming_what_is_left(shop: Shop) -> None:
    # given 3 anvils delivered, 2 of them already on a return
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 3))
    ask(shop.db, order, (1, 2, "no_longer_needed"))
    # when
    with pytest.raises(ReturnExceedsShipped) as refused:
        ask(shop.db, order, (1, 2, "no_longer_needed"))
    # then
    assert refused.value.code == "return_exceeds_shipped"
    assert refused.value.extra["lines"] == [
        {
            "line_no": 1,
            "sku": "A-1",
            "requested": 2,
            "shipped": 3,
            "already_returned": 2,
            "returnable": 1,
        }
    ]
    assert [(f.field, f.message) for f in refused.value.fields] == [
        ("lines.0.quantity", "at most 1")
    ]


def test_cancelled_and_rejected_returns_give_their_units_back_to_be_returned(shop: Shop) -> None:
    # given
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 2))
    first = ask(shop.db, order, (1, 2, "no_longer_needed"))
    _cancel(shop, first, "changed my mind")
    second = ask(shop.db, order, (1, 2, "late"))
    with shop.db.unit_of_work(actor="user:sam") as uow:
        rejected = reject_return(uow, return_id=second.id, reason="used and worn")
    # when
    third = ask(shop.db, order, (1, 2, "other"))
    # then
    assert (rejected.status, rejected.reject_reason) == ("rejected", "used and worn")
    assert third.units == 2


def test_a_rejection_needs_a_reason(shop: Shop) -> None:
    # given
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    rma = ask(shop.db, order, (1, 1, "late"))
    # when
    with pytest.raises(ValidationFailed) as refused, shop.db.unit_of_work(actor="sam") as uow:
        reject_return(uow, return_id=rma.id, reason="  ")
    # then
    assert [f.field for f in refused.value.fields] == ["reason"]


def test_an_order_nothing_of_which_was_shipped_cannot_be_returned(shop: Shop) -> None:
    # given
    order = confirm(shop.db, place(shop.db, order_request(shop.trade.id, ("A-1", 1))))
    # when / then
    with pytest.raises(OrderNotShipped):
        ask(shop.db, order, (1, 1, "no_longer_needed"))


def test_unknown_lines_and_bad_reasons_are_listed_field_by_field(shop: Shop) -> None:
    # given
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    # when
    with pytest.raises(ValidationFailed) as bad_shape:
        ask(shop.db, order, (1, 0, "broken"), (1, 1, "late"))
    with pytest.raises(ValidationFailed) as unknown:
        ask(shop.db, order, (7, 1, "late"))
    # then
    assert [f.field for f in bad_shape.value.fields] == [
        "lines.0.quantity",
        "lines.0.reason",
        "lines.1.line_no",
    ]
    assert [(f.field, f.message) for f in unknown.value.fields] == [
        ("lines.0.line_no", f"order {order.number} has no line 7")
    ]


def test_a_customer_can_ask_back_only_from_their_own_orders(shop: Shop) -> None:
    # given Bob's order
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    # when Ann asks
    with pytest.raises(OrderNotFound):
        ask(shop.db, order, (1, 1, "late"), customer_id=shop.cash.id)


def test_the_lifecycle_refuses_steps_out_of_order_and_cancelling_once_received(
    shop: Shop,
) -> None:
    # given
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    rma = ask(shop.db, order, (1, 1, "late"))
    # when / then: goods cannot be received before the return is authorised
    with pytest.raises(InvalidTransition) as early:
        receive(shop.db, rma)
    assert early.value.extra == {"current_status": "requested", "action": "receive"}
    rma = receive(shop.db, authorise(shop.db, rma))
    with pytest.raises(InvalidTransition):
        _cancel(shop, rma)
    with pytest.raises(InvalidTransition):
        resolve(shop.db, rma, "credit_note")


def test_inspection_must_decide_every_received_unit(shop: Shop) -> None:
    # given 2 bolts received
    order = delivered_order(shop.db, shop.trade.id, ("B-2", 2))
    rma = receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 2, "late"))))
    # when only one is decided
    with pytest.raises(ValidationFailed) as refused:
        inspect(shop.db, rma, DispositionInput(1, "restock", quantity=1))
    # then
    assert [(f.field, f.message) for f in refused.value.fields] == [
        ("lines.1", "line 1 (B-2): 2 received, 1 decided")
    ]


def test_a_damaged_return_counts_against_the_original_orders_perfect_order(
    shop: Shop,
) -> None:
    # given
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 2), ("B-2", 1))
    rma = ask(shop.db, order, (1, 1, "damaged", "dented"), (2, 1, "wrong_item"))
    # when
    authorise(shop.db, rma)
    # then
    with shop.db.reader() as session:
        incidents = order_incidents(session, order.id)
        today = datetime.now(UTC).date()
        report = kpi_report(session, date_from=today, date_to=today, as_of=today)
    assert sorted((i.kind, i.quantity) for i in incidents) == [("damage", 1), ("wrong_item", 1)]
    assert all(i.note.startswith(rma.number) for i in incidents)
    (failing,) = [f for f in report.perfect_order.failing if f.order_id == order.id]
    assert {"damaged", "wrong_item"} <= set(failing.reasons)


def test_a_return_to_supplier_posts_no_stock_and_names_the_preferred_supplier(
    shop: Shop,
) -> None:
    # given a supplier preferred for anvils
    supplier = make_supplier(shop.db)
    supply(shop.db, supplier, "A-1", "6.00", 5, preferred=True)
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 1))
    rma = receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 1, "damaged"))))
    # when
    rma = inspect(shop.db, rma, DispositionInput(1, "return_to_supplier"))
    # then
    [decided] = rma.lines[0].dispositions
    assert (decided.disposition, decided.supplier, decided.warehouse) == (
        "return_to_supplier",
        supplier.code,
        None,
    )


def test_a_return_to_supplier_without_a_preferred_supplier_asks_for_one(shop: Shop) -> None:
    # given
    order = delivered_order(shop.db, shop.trade.id, ("B-2", 1))
    rma = receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 1, "damaged"))))
    # when
    with pytest.raises(ValidationFailed) as refused:
        inspect(shop.db, rma, DispositionInput(1, "return_to_supplier"))
    # then
    assert [f.field for f in refused.value.fields] == ["dispositions.0.supplier"]


def test_units_never_invoiced_cannot_be_credited_but_can_be_exchanged(shop: Shop) -> None:
    # given a cash order delivered without a receipt
    order = delivered_order(shop.db, shop.cash.id, ("A-1", 1))
    rma = restock_all(
        shop.db, receive(shop.db, authorise(shop.db, ask(shop.db, order, (1, 1, "late"))))
    )
    # when
    with pytest.raises(ReturnNotInvoiced) as refused:
        resolve(shop.db, rma, "credit_note")
    exchanged = resolve(shop.db, rma, "exchange")
    # then
    assert refused.value.extra["lines"] == [{"line_no": 1, "sku": "A-1", "units": 1}]
    assert exchanged.replacement_order_number is not None
