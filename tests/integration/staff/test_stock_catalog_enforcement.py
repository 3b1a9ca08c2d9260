"""The inventory and catalog services check the signed-in user's permissions themselves
(``inventory:write``, ``catalog:write``), whatever page or form calls them; system actors
(API, CLI, worker: no permissions) are unaffected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ordersmith.catalog.services import (
    PriceItemInput,
    create_price_list,
    create_product,
    remove_price_list_item,
    replace_price_list_items,
    set_price_list_item,
    update_product,
)
from ordersmith.errors import Forbidden
from ordersmith.inventory.models import AdjustmentReason
from ordersmith.inventory.queries import stock_levels
from ordersmith.inventory.services import adjust_stock, receive_stock, set_stock_settings
from ordersmith.inventory.transfer_receipts import cancel_transfer, receive_transfer
from ordersmith.inventory.transfers import TransferLineInput, create_transfer, dispatch_transfer
from ordersmith.staff.roles import permissions_of
from ordersmith.uow import UnitOfWork
from tests.factories.catalog import make_price_list
from tests.factories.inventory import stock_up

Work = Callable[[UnitOfWork], Any]


def refused(shop: Any, role: str, work: Work) -> str:
    """The detail of the Forbidden ``role`` gets for ``work``."""
    with (
        pytest.raises(Forbidden) as error,
        shop.db.unit_of_work(actor=f"staff:{role}", permissions=permissions_of(role)) as uow,
    ):
        work(uow)
    return str(error.value.detail)


def test_a_sales_user_may_not_change_stock_but_the_warehouse_may(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    with shop.db.unit_of_work(actor="test") as uow:
        draft = create_transfer(
            uow, from_warehouse="MAIN", to_warehouse="EAST", lines=[TransferLineInput("A-1", 1)]
        )
    changes: list[Work] = [
        lambda uow: adjust_stock(
            uow, warehouse="MAIN", sku="A-1", delta=-1, reason=AdjustmentReason.LOSS
        ),
        lambda uow: receive_stock(uow, warehouse="MAIN", sku="A-1", quantity=1),
        lambda uow: set_stock_settings(uow, warehouse="MAIN", sku="A-1", reorder_point=3),
        lambda uow: create_transfer(
            uow, from_warehouse="MAIN", to_warehouse="EAST", lines=[TransferLineInput("A-1", 1)]
        ),
        lambda uow: dispatch_transfer(uow, transfer_id=draft.id),
        lambda uow: receive_transfer(uow, transfer_id=draft.id),
        lambda uow: cancel_transfer(uow, transfer_id=draft.id),
    ]
    # when / then: every change is refused to sales, naming the permission
    for work in changes:
        assert "inventory:write" in refused(shop, "sales", work)
    # and: the warehouse adjusts
    with shop.db.unit_of_work(actor="staff:walt", permissions=permissions_of("warehouse")) as uow:
        adjust_stock(uow, warehouse="MAIN", sku="A-1", delta=-2, reason=AdjustmentReason.DAMAGE)
    with shop.db.reader() as session:
        assert [r.on_hand for r in stock_levels(session, sku="A-1", warehouse="MAIN")] == [8]


def test_a_warehouse_user_may_not_change_the_catalog_but_purchasing_may(shop):
    # given
    with shop.db.unit_of_work(actor="test") as uow:
        make_price_list(uow, code="PL-GUARD", items=[PriceItemInput("A-1", "10.00")])
    changes: list[Work] = [
        lambda uow: create_product(uow, sku="NEW-1", name="New", price="1.00"),
        lambda uow: update_product(uow, product="A-1", name="Renamed"),
        lambda uow: create_price_list(uow, code="PL-NEW", name="New", customer_group="retail"),
        lambda uow: replace_price_list_items(uow, price_list="PL-GUARD", items=[]),
        lambda uow: remove_price_list_item(uow, price_list="PL-GUARD", sku="A-1"),
        lambda uow: set_price_list_item(
            uow, price_list="PL-GUARD", item=PriceItemInput("A-1", "1.00")
        ),
    ]
    # when / then
    for work in changes:
        assert "catalog:write" in refused(shop, "warehouse", work)
    # and: purchasing renames the product
    buyer = permissions_of("purchasing")
    with shop.db.unit_of_work(actor="staff:pat", permissions=buyer) as uow:
        assert update_product(uow, product="A-1", name="Anvil, heavy").name == "Anvil, heavy"
