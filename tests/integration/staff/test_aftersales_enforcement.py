"""The returns and cases services check the signed-in user's permissions themselves
(``returns:write``, ``returns:receive``, ``returns:override``, ``cases:write``), whatever
page or form calls them."""

from __future__ import annotations

import pytest

from ordersmith.auth.models import Role
from ordersmith.auth.permissions import ROLE_PERMISSIONS
from ordersmith.customer_service.notes import add_note
from ordersmith.customer_service.services import resolve_case
from ordersmith.errors import Forbidden
from ordersmith.returns.inputs import DispositionInput, ReturnLineInput
from ordersmith.returns.inspection import inspect_return
from ordersmith.returns.requests import create_return
from ordersmith.returns.resolution import resolve_return
from ordersmith.returns.services import authorise_return, receive_return
from ordersmith.staff.roles import permissions_of
from tests.factories.cases import make_case
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import ask, authorise, delivered_order


@pytest.fixture
def order(shop):
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    return delivered_order(shop.db, shop.trade.id, ("A-1", 2))


def test_a_sales_user_cannot_authorise_a_return_but_customer_service_can(shop, order):
    # given
    rma = ask(shop.db, order, (1, 1, "late"))
    # when / then
    with (
        pytest.raises(Forbidden),
        shop.db.unit_of_work(actor="staff:sam", permissions=permissions_of("sales")) as uow,
    ):
        authorise_return(uow, return_id=rma.id)
    service = permissions_of("customer_service")
    with shop.db.unit_of_work(actor="staff:cleo", permissions=service) as uow:
        assert authorise_return(uow, return_id=rma.id).status == "authorised"


def test_only_returns_override_accepts_a_return_outside_the_window(shop, order):
    # when / then: a web shop's integration may ask for returns, not override the window
    shop_system = ROLE_PERMISSIONS[Role.INTEGRATION]
    with (
        pytest.raises(Forbidden) as refused,
        shop.db.unit_of_work(actor="token:shop", permissions=shop_system) as uow,
    ):
        create_return(
            uow,
            order_id=order.id,
            lines=[ReturnLineInput(1, 1, "late")],
            override_window_reason="goodwill",
        )
    assert "returns:override" in refused.value.detail


def test_the_warehouse_receives_and_inspects_a_return_but_may_not_ask_decide_or_refund(shop, order):
    # given: an authorised return, and a warehouse user
    rma = authorise(shop.db, ask(shop.db, order, (1, 1, "damaged")))
    walt = permissions_of("warehouse")
    # when: the parcel is received and its unit restocked
    with shop.db.unit_of_work(actor="staff:walt", permissions=walt) as uow:
        receive_return(uow, return_id=rma.id)
    with shop.db.unit_of_work(actor="staff:walt", permissions=walt) as uow:
        inspected = inspect_return(
            uow, return_id=rma.id, dispositions=[DispositionInput(1, "restock")]
        )
    # then
    assert inspected.status == "inspected"
    for work in (
        lambda uow: create_return(uow, order_id=order.id, lines=[ReturnLineInput(1, 1, "late")]),
        lambda uow: resolve_return(uow, return_id=rma.id, resolution="refund"),
    ):
        with (
            pytest.raises(Forbidden) as refused,
            shop.db.unit_of_work(actor="staff:walt", permissions=walt) as uow,
        ):
            work(uow)
        assert "returns:write" in refused.value.detail


def test_customer_service_decides_returns_but_does_not_book_parcels_in(shop, order):
    # given
    rma = authorise(shop.db, ask(shop.db, order, (1, 1, "damaged")))
    # when / then
    with (
        pytest.raises(Forbidden) as refused,
        shop.db.unit_of_work(
            actor="staff:cleo", permissions=permissions_of("customer_service")
        ) as uow,
    ):
        receive_return(uow, return_id=rma.id)
    assert "returns:receive" in refused.value.detail


def test_an_accounting_user_cannot_write_on_a_case(shop):
    # given
    case = make_case(shop.db, shop.trade.id)
    # when / then
    for work in (
        lambda uow: add_note(uow, case_id=case.id, body="hello", visibility="customer"),
        lambda uow: resolve_case(uow, case_id=case.id, resolution="done"),
    ):
        with (
            pytest.raises(Forbidden),
            shop.db.unit_of_work(
                actor="staff:acc", permissions=permissions_of("accounting")
            ) as uow,
        ):
            work(uow)
