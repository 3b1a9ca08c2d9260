"""Permissions are enforced by the services (the unit of work carries the principal's),
not only by hiding buttons in a page."""

from __future__ import annotations

import pytest

from ordersmith.errors import Forbidden
from ordersmith.orders.services import cancel_order, confirm_order, hold_order
from ordersmith.orders.status import HoldReason
from ordersmith.staff.errors import StaffUserNotFound
from ordersmith.staff.roles import permissions_of
from ordersmith.staff.services import create_staff_user, disable_user
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.staff.conftest import PASSWORD


@pytest.fixture
def order(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    return place(shop.db, order_request(shop.trade.id, ("A-1", 1)))


def test_a_warehouse_user_cannot_confirm_an_order_and_nothing_changes(shop, order):
    # when
    with (
        pytest.raises(Forbidden) as refused,
        shop.db.unit_of_work(actor="staff:walt", permissions=permissions_of("warehouse")) as uow,
    ):
        confirm_order(uow, order_id=order.id)
    # then
    assert refused.value.code == "forbidden"
    assert refused.value.status == 403
    with shop.db.unit_of_work(actor="test") as uow:
        assert cancel_order(uow, order_id=order.id, reason="still placed").status == "cancelled"


def test_a_sales_user_may_confirm_and_hold_an_order(shop, order):
    # when
    with shop.db.unit_of_work(actor="staff:sam", permissions=permissions_of("sales")) as uow:
        confirmed = confirm_order(uow, order_id=order.id)
        held = hold_order(uow, order_id=order.id, reason=HoldReason.MANUAL, note="asked to wait")
    # then
    assert confirmed.status == "confirmed"
    assert held.status == "on_hold"


def test_a_system_actor_without_permissions_is_trusted(shop, order):
    # when
    with shop.db.unit_of_work(actor="cli:admin") as uow:
        confirmed = confirm_order(uow, order_id=order.id)
    # then
    assert confirmed.status == "confirmed"


def test_only_admins_manage_staff_users(db):
    # when / then
    with (
        pytest.raises(Forbidden),
        db.unit_of_work(actor="staff:sam", permissions=permissions_of("sales")) as uow,
    ):
        create_staff_user(uow, email="x@example.com", name="X", role="admin", password=PASSWORD)
    with (
        pytest.raises(StaffUserNotFound),
        db.unit_of_work(actor="staff:ada", permissions=permissions_of("admin")) as uow,
    ):
        disable_user(uow, email="nobody@example.com")
