import pytest
import sqlalchemy as sa

from ordersmith.catalog.services import create_product
from ordersmith.checks import run_checks
from ordersmith.errors import ValidationFailed
from ordersmith.inventory.errors import (
    StockWouldGoNegative,
    UnknownSku,
    WarehouseExists,
    WarehouseNotFound,
)
from ordersmith.inventory.models import AdjustmentReason
from ordersmith.inventory.queries import movements, stock_levels
from ordersmith.inventory.services import (
    adjust_stock,
    receive_stock,
    return_to_stock,
    set_stock_settings,
)
from tests.factories.inventory import make_warehouse, stock_up


@pytest.fixture
def store(db):
    with db.unit_of_work(actor="test") as uow:
        make_warehouse(uow, code="MAIN", priority=1)
        create_product(uow, sku="A-1", name="Anvil", price="10")
    return db


def _events(db):
    with db.reader() as session:
        return (
            session.execute(sa.text("SELECT event_type FROM outbox_events ORDER BY created_at"))
            .scalars()
            .all()
        )


def test_a_receipt_raises_on_hand_and_writes_one_ledger_row_with_actor_and_source(store):
    # when
    with store.unit_of_work(actor="cli:dave") as uow:
        level = receive_stock(uow, warehouse="MAIN", sku="A-1", quantity=7, reference="DN-42")
    # then
    assert (level.on_hand, level.reserved, level.available) == (7, 0, 7)
    with store.reader() as session:
        (move,) = movements(session, sku="A-1")
    assert (move.kind, move.on_hand_delta, move.actor, move.source_id) == (
        "receipt",
        7,
        "cli:dave",
        "DN-42",
    )


def test_goods_returned_to_stock_are_a_return_movement_with_their_reference_and_reason(store):
    # given
    stock_up(store, {("MAIN", "A-1"): 2})
    # when
    with store.unit_of_work(actor="user:wes") as uow:
        level = return_to_stock(
            uow, warehouse="MAIN", sku="A-1", quantity=1, reference="SO-2026-000007", note="unused"
        )
    # then
    assert (level.on_hand, level.available) == (3, 3)
    with store.reader() as session:
        latest = movements(session, sku="A-1")[0]
    assert (latest.kind, latest.on_hand_delta, latest.source_id, latest.reason) == (
        "return",
        1,
        "SO-2026-000007",
        "unused",
    )
    assert _events(store)[-1] == "stock.returned"
    assert run_checks_clean(store)


@pytest.mark.parametrize("quantity", [0, -1, 10**10])
def test_a_return_of_a_non_positive_or_absurd_quantity_is_refused(store, quantity):
    # when / then
    with pytest.raises(ValidationFailed) as refused, store.unit_of_work(actor="t") as uow:
        return_to_stock(uow, warehouse="MAIN", sku="A-1", quantity=quantity)
    assert refused.value.detail == "the return is not valid"
    with store.reader() as session:
        assert movements(session, sku="A-1") == []


def run_checks_clean(db):
    with db.reader() as session:
        return not any(run_checks(session).values())


def test_an_adjustment_may_not_leave_less_on_hand_than_is_reserved(store):
    # given 5 on hand
    stock_up(store, {("MAIN", "A-1"): 5})
    # when / then
    with pytest.raises(StockWouldGoNegative), store.unit_of_work(actor="t") as uow:
        adjust_stock(uow, warehouse="MAIN", sku="A-1", delta=-6, reason=AdjustmentReason.LOSS)
    with store.reader() as session:
        assert stock_levels(session)[0].on_hand == 5


def test_an_adjustment_with_a_reason_lands_in_the_ledger(store):
    stock_up(store, {("MAIN", "A-1"): 5})
    with store.unit_of_work(actor="t") as uow:
        level = adjust_stock(
            uow,
            warehouse="MAIN",
            sku="A-1",
            delta=-2,
            reason=AdjustmentReason.DAMAGE,
            note="forklift",
        )
    assert level.on_hand == 3
    with store.reader() as session:
        assert movements(session, sku="A-1")[0].reason == "damage: forklift"
        assert not any(run_checks(session).values())


def test_falling_to_the_reorder_point_records_stock_low_once(store):
    # given
    stock_up(store, {("MAIN", "A-1"): 10})
    with store.unit_of_work(actor="t") as uow:
        set_stock_settings(uow, warehouse="MAIN", sku="A-1", reorder_point=4)
    # when
    for _ in range(2):
        with store.unit_of_work(actor="t") as uow:
            adjust_stock(uow, warehouse="MAIN", sku="A-1", delta=-3, reason=AdjustmentReason.COUNT)
    # then: 10 -> 7 (above) -> 4 (at the point: low)
    assert _events(store).count("stock.low") == 1


def test_running_out_records_stock_out(store):
    stock_up(store, {("MAIN", "A-1"): 2})
    with store.unit_of_work(actor="t") as uow:
        adjust_stock(uow, warehouse="MAIN", sku="A-1", delta=-2, reason=AdjustmentReason.LOSS)
    assert "stock.out" in _events(store)


@pytest.mark.parametrize("quantity", [0, -1, 10**10])
def test_a_receipt_of_a_non_positive_or_absurd_quantity_is_refused(store, quantity):
    with pytest.raises(ValidationFailed), store.unit_of_work(actor="t") as uow:
        receive_stock(uow, warehouse="MAIN", sku="A-1", quantity=quantity)


def test_unknown_warehouses_and_skus_are_named_in_the_error(store):
    with pytest.raises(WarehouseNotFound), store.unit_of_work(actor="t") as uow:
        receive_stock(uow, warehouse="NOPE", sku="A-1", quantity=1)
    with pytest.raises(UnknownSku), store.unit_of_work(actor="t") as uow:
        receive_stock(uow, warehouse="MAIN", sku="NOPE", quantity=1)


def test_warehouse_codes_are_unique(store):
    with pytest.raises(WarehouseExists), store.unit_of_work(actor="t") as uow:
        make_warehouse(uow, code="main")
