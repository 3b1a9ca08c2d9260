"""Loyalty tiers: recalculated from order history, with their price list and return window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ordersmith import clock
from ordersmith.catalog.price_lists import PriceItemInput
from ordersmith.customers.merge import unmerge_customer
from ordersmith.customers.queries import get_customer
from ordersmith.customers.services import create_customer
from ordersmith.customers.tiers import delete_tier, list_tiers, tier_standing
from ordersmith.errors import ValidationFailed
from ordersmith.orders.services import cancel_order
from ordersmith.returns.policy import return_window_days
from tests.factories.catalog import make_price_list
from tests.factories.customers import make_tier, merge, recalc
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop

D = Decimal


@pytest.fixture
def shop(shop: Shop) -> Shop:
    stock_up(shop.db, {("MAIN", "A-1"): 100})
    with shop.db.unit_of_work(actor="test") as uow:
        make_tier(uow, "silver", rank=1, min_orders=2)
        make_tier(uow, "gold", rank=2, min_spend="100.00", min_orders=3, return_window_days=60)
    return shop


def _tier(shop: Shop, customer) -> str | None:
    with shop.db.reader() as session:
        return get_customer(session, customer.id).tier


def test_a_customer_gets_the_highest_tier_whose_every_threshold_they_meet(shop: Shop) -> None:
    # given Ann with 3 orders of 2 anvils (3 x 30.00 = 90.00 incl. tax): enough orders for
    # gold, not enough spend
    for _ in range(3):
        place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    # when
    run = recalc(shop.db)
    # then silver (2 orders), not gold (needs 100.00 and 3 orders)
    assert _tier(shop, shop.cash) == "silver"
    assert (run.upgraded, run.downgraded) == (1, 0)
    # and a fourth order takes her over 100.00: gold
    place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    recalc(shop.db)
    assert _tier(shop, shop.cash) == "gold"


def test_recalculating_twice_changes_nothing_the_second_time(shop: Shop) -> None:
    # given
    for _ in range(2):
        place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    recalc(shop.db)
    # when
    again = recalc(shop.db)
    # then
    assert again.changed == 0


def test_orders_outside_the_period_no_longer_count_and_the_customer_is_demoted(shop: Shop) -> None:
    # given Ann silver today
    for _ in range(2):
        place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    recalc(shop.db)
    now = clock.now()
    # when on the last day of the period she is still silver (as_of is at most a day
    # ahead: the clock moves instead)
    with clock.simulated(now + timedelta(days=364)):
        recalc(shop.db)
    assert _tier(shop, shop.cash) == "silver"
    # and a year and a day later the orders have left the period
    with clock.simulated(now + timedelta(days=366)):
        run = recalc(shop.db)
    # then
    assert _tier(shop, shop.cash) is None
    assert run.downgraded == 1


def test_cancelled_orders_do_not_count(shop: Shop) -> None:
    # given 2 orders, one cancelled
    place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    second = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    with shop.db.unit_of_work(actor="test") as uow:
        cancel_order(uow, order_id=second.id, reason="changed mind")
    # when
    recalc(shop.db)
    # then
    assert _tier(shop, shop.cash) is None
    with shop.db.reader() as session:
        silver = next(s for s in tier_standing(session, shop.cash.id) if s.tier.code == "silver")
    assert (silver.orders, silver.qualifies) == (1, False)


def test_a_tier_change_is_in_the_audit_trail_and_the_outbox(shop: Shop) -> None:
    # given
    for _ in range(2):
        place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    # when
    recalc(shop.db)
    # then
    import sqlalchemy as sa

    from ordersmith.customers.history import customer_history
    from ordersmith.outbox.models import OutboxEvent

    with shop.db.reader() as session:
        history = customer_history(session, shop.cash.id)
        events = session.scalars(
            sa.select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == shop.cash.id)
        ).all()
    assert [(h.action, h.details["from"], h.details["to"]) for h in history] == [
        ("tier_changed", None, "silver")
    ]
    assert "customer.tier_changed" in events


def test_the_tier_price_list_prices_the_customers_orders(shop: Shop) -> None:
    # given a loyalty price list (for no group of Ann's) mapped to silver, and Ann silver
    with shop.db.unit_of_work(actor="test") as uow:
        make_price_list(
            uow,
            code="LOYAL",
            customer_group="loyalty",
            priority=5,
            items=[PriceItemInput(sku="A-1", price="11.00")],
        )
        make_tier(uow, "silver", rank=1, min_orders=2, price_list_code="LOYAL")
    for _ in range(2):
        place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    recalc(shop.db)
    # when
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    # then
    assert order.lines[0].unit_price == D("11.00")
    # and Bob, without the tier, pays the list price
    bob = place(shop.db, order_request(shop.trade.id, ("A-1", 1)))
    assert bob.lines[0].unit_price == D("12.50")


def test_the_tier_lengthens_the_return_window_but_never_shortens_it(shop: Shop) -> None:
    # given Ann gold (60 days) and Bob without a tier
    for _ in range(4):
        place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    recalc(shop.db)
    with shop.db.unit_of_work(actor="test") as uow:
        make_tier(uow, "silver", rank=1, min_orders=2, return_window_days=7)
    # when / then
    with shop.db.reader() as session:
        assert return_window_days(session, shop.db.settings, shop.cash.id) == 60
        assert return_window_days(session, shop.db.settings, shop.trade.id) == 30


def test_a_tier_needs_a_threshold_and_a_free_rank(shop: Shop) -> None:
    # when / then
    with pytest.raises(ValidationFailed) as no_threshold, shop.db.unit_of_work(actor="t") as uow:
        make_tier(uow, "bronze", rank=0)
    assert no_threshold.value.fields[0].field == "min_spend"
    with pytest.raises(ValidationFailed) as taken, shop.db.unit_of_work(actor="t") as uow:
        make_tier(uow, "bronze", rank=1, min_orders=1)
    assert taken.value.code == "tier_rank_taken"


def test_a_merged_duplicate_gives_up_its_tier_and_gets_it_back_when_unmerged(shop: Shop) -> None:
    # given Ann's duplicate record is silver (two orders) when merged into Ann
    with shop.db.unit_of_work(actor="test") as uow:
        dup = create_customer(uow, name="Ann", email="ann2@example.com", account_type="cash")
    for _ in range(2):
        place(shop.db, order_request(dup.id, ("A-1", 1)))
    recalc(shop.db)
    assert _tier(shop, dup) == "silver"
    # when
    merged = merge(shop.db, shop.cash.id, dup.id)
    # then the duplicate holds no tier; the survivor earns one from the orders it got
    assert _tier(shop, dup) is None
    recalc(shop.db)
    assert (_tier(shop, shop.cash), _tier(shop, dup)) == ("silver", None)
    # and undoing the merge gives the duplicate its tier back, from when it earned it
    with shop.db.unit_of_work(actor="user:sam") as uow:
        unmerge_customer(uow, merge_id=merged.id, reason="not the same Ann")
    with shop.db.reader() as session:
        back = get_customer(session, dup.id)
    assert (back.tier, back.tier_since is not None) == ("silver", True)


def test_a_tier_only_a_merged_customer_held_can_be_deleted(shop: Shop) -> None:
    # given a silver duplicate merged into Bob, who does not qualify for silver
    with shop.db.unit_of_work(actor="test") as uow:
        dup = create_customer(uow, name="Ann", email="ann2@example.com", account_type="cash")
    for _ in range(2):
        place(shop.db, order_request(dup.id, ("A-1", 1)))
    recalc(shop.db)
    merge(shop.db, shop.cash.id, dup.id)
    with shop.db.unit_of_work(actor="test") as uow:
        make_tier(uow, "silver", rank=1, min_orders=100)
    recalc(shop.db)
    # when
    with shop.db.unit_of_work(actor="user:sam") as uow:
        delete_tier(uow, code="silver")
    # then
    with shop.db.reader() as session:
        assert [t.code for t in list_tiers(session)] == ["gold"]


def test_tier_counts_must_fit_an_integer_column(shop: Shop) -> None:
    # when / then
    for rank, min_orders, field in ((2**31, 1, "rank"), (3, 2**31, "min_orders")):
        with pytest.raises(ValidationFailed) as refused, shop.db.unit_of_work(actor="t") as uow:
            make_tier(uow, "bronze", rank=rank, min_orders=min_orders)
        assert [f.field for f in refused.value.fields] == [field]


def test_a_recalculation_as_of_before_1900_or_after_tomorrow_is_refused(shop: Shop) -> None:
    # when / then
    for as_of in (datetime(1, 1, 1, tzinfo=UTC), clock.now() + timedelta(days=2)):
        with pytest.raises(ValidationFailed) as refused:
            recalc(shop.db, as_of=as_of)
        assert [f.field for f in refused.value.fields] == ["as_of"]
