"""The order search by SKU pages on the lines' copy of their order's created_at (ADR 0039):
the same orders, in the same order, with the same keyset cursor as a search of the orders
that have a line of the SKU — whatever the other filters, across pages, with a SKU on
two lines of one order, and after a split, a merge, a change and a draft placed."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.checks import run_checks
from ordersmith.config import BackorderPolicy
from ordersmith.db import table_of
from ordersmith.orders.drafts import place_draft
from ordersmith.orders.models import Channel, Order, OrderLine
from ordersmith.orders.queries import OrderFilter, OrderSearch, list_orders
from ordersmith.orders.requests import LineRequest
from ordersmith.orders.services import cancel_order
from ordersmith.orders.splitting import merge_orders, split_order
from ordersmith.orders.status import OrderStatus
from tests.factories.inventory import stock_up
from tests.factories.orders import change, order_request, place

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _at(minutes):
    return clock.simulated(T0 + timedelta(minutes=minutes))


def _expected(db, flt, *, limit, before=None):
    """The orders with a line of the SKU, filtered, newest first: found from the orders
    (every order the other filters match, then its lines), not from the SKU's lines."""
    others = dataclasses.replace(flt, sku=None)
    with db.reader() as session:
        candidates = list_orders(session, others, limit=10_000)
        lines = table_of(OrderLine)
        having = set(
            session.scalars(sa.select(lines.c.order_id).where(lines.c.sku == flt.sku)).all()
        )
    found = [o for o in candidates if o.id in having]
    if before is not None:
        found = [o for o in found if (o.created_at, o.id) < before]
    return found[:limit]


def _all_pages(db, flt, limit):
    """Every page of the search, following the keyset cursor of each page's last row."""
    pages, before = [], None
    for _ in range(100):  # a cursor that does not move on would page for ever
        with db.reader() as session:
            page = list_orders(session, flt, limit=limit, before=before)
        pages.append((before, page))
        if len(page) < limit:
            return pages
        before = (page[-1].created_at, page[-1].id)
    raise AssertionError(f"still paging after 100 pages of {limit}: the cursor is stuck")


def _clean(db):
    with db.reader() as session:
        found = run_checks(session)
    assert not any(found.values()), {k: v for k, v in found.items() if v}


@pytest.fixture
def history(shop):
    """Orders of two customers over ten minutes, with A-1 on two lines of some orders
    (placed so, or added by a change), two orders at the same instant, a cancelled
    order, a split, a merge and a draft placed later."""
    db, cash, trade = shop.db, shop.cash.id, shop.trade.id
    stock_up(db, {("MAIN", "A-1"): 500, ("MAIN", "B-2"): 500})
    made = {}
    with _at(0):
        made["first"] = place(db, order_request(cash, ("A-1", 1)))
        made["draft"] = place(db, order_request(trade, ("A-1", 2), ("B-2", 1), draft=True))
    with _at(1):  # two orders at the same instant: the id orders them
        made["web"] = place(db, order_request(cash, ("A-1", 1), ("B-2", 2), channel=Channel.WEB))
        made["twin"] = place(db, order_request(trade, ("A-1", 3)))
    with _at(2):
        made["bolts"] = place(db, order_request(cash, ("B-2", 5)))
    with _at(3):
        made["twice"] = place(db, order_request(trade, ("A-1", 1), ("B-2", 1), ("A-1", 2)))
    with _at(4):
        made["changed"] = place(db, order_request(cash, ("A-1", 2), ("B-2", 1)))
    with _at(5):
        made["cancelled"] = place(db, order_request(cash, ("A-1", 1)))
        with db.unit_of_work(actor="user:carol") as uow:
            cancel_order(uow, order_id=made["cancelled"].id, reason="changed mind")
    with _at(6):
        made["split"] = place(db, order_request(cash, ("B-2", 1), ("A-1", 4)))
        made["survivor"] = place(db, order_request(cash, ("B-2", 3)))
    with _at(7):
        made["absorbed"] = place(db, order_request(cash, ("A-1", 3), ("B-2", 1)))
    with _at(8):
        change(db, made["changed"], add_lines=[LineRequest(sku="A-1", quantity=1)])
        with db.unit_of_work(actor="user:carol") as uow:
            _, made["split_off"] = split_order(
                uow, order=made["split"].number, moves={2: 3}, reason="ship part later"
            )
    with _at(9), db.unit_of_work(actor="user:carol") as uow:
        merge_orders(uow, into=made["survivor"].id, other=made["absorbed"].id, reason="one parcel")
    with _at(10), db.unit_of_work(actor="test") as uow:
        place_draft(uow, order_id=made["draft"].id)
    return made


FILTERS = [
    OrderFilter(sku="A-1"),
    OrderFilter(sku="B-2"),
    OrderFilter(sku="SVC"),  # on no order
    OrderFilter(sku="NOPE"),  # not in the catalogue
    OrderFilter(sku="A-1", status=OrderStatus.PLACED),
    OrderFilter(sku="A-1", status=OrderStatus.CANCELLED),
    OrderFilter(sku="B-2", status=OrderStatus.CANCELLED),
    OrderFilter(sku="A-1", channel="web"),
    OrderFilter(sku="A-1", created_from=T0 + timedelta(minutes=1)),
    OrderFilter(sku="A-1", created_to=T0 + timedelta(minutes=6)),
    OrderFilter(
        sku="B-2", created_from=T0 + timedelta(minutes=1), created_to=T0 + timedelta(minutes=7)
    ),
    OrderFilter(sku="A-1", hold_reason="suspected_duplicate"),
]


@pytest.mark.parametrize(
    "flt",
    FILTERS,
    ids=lambda f: ",".join(
        f"{k}={v}" for k, v in dataclasses.asdict(f).items() if v not in (None, False)
    ),
)
def test_every_page_is_the_orders_having_the_sku_newest_first(shop, history, flt):
    for limit in (1, 2, 3, 50):
        # when
        pages = _all_pages(shop.db, flt, limit)
        # then every page, cursor included, is the one found from the orders
        for before, page in pages:
            assert page == _expected(shop.db, flt, limit=limit, before=before)
        listed = [o.id for _, page in pages for o in page]
        assert len(listed) == len(set(listed))  # no order twice


def test_customer_and_status_filters_combine_with_the_sku(shop, history):
    for customer, status in itertools.product(
        [shop.cash.id, shop.trade.id], [None, OrderStatus.PLACED, OrderStatus.CANCELLED]
    ):
        flt = OrderFilter(sku="A-1", customer_id=customer, status=status)
        for limit in (1, 2, 50):
            for before, page in _all_pages(shop.db, flt, limit):
                assert page == _expected(shop.db, flt, limit=limit, before=before)


def test_a_searched_text_combines_with_the_sku(shop, history):
    # given a search that matched two orders (one without A-1) and the trade customer
    search = OrderSearch(
        order_ids=(history["first"].id, history["bolts"].id), customer_ids=(shop.trade.id,)
    )
    flt = OrderFilter(sku="A-1", search=search)
    # when
    with shop.db.reader() as session:
        found = list_orders(session, flt, limit=50)
    # then
    assert found == _expected(shop.db, flt, limit=50)
    assert history["first"].id in {o.id for o in found}
    assert history["bolts"].id not in {o.id for o in found}


def test_an_order_with_the_sku_on_two_lines_is_listed_once_and_the_page_is_still_full(
    shop, history
):
    # when
    with shop.db.reader() as session:
        page = list_orders(session, OrderFilter(sku="A-1"), limit=7)
    # then "twice" (A-1 on two lines) and "changed" (A-1 added again) count once each
    newest = ("split_off", "absorbed", "split", "survivor", "cancelled", "changed", "twice")
    assert len(page) == 7
    assert {o.id for o in page} == {history[k].id for k in newest}


def test_a_split_off_order_is_listed_at_its_own_time_and_a_merged_line_at_the_survivors(
    shop, history
):
    # when
    with shop.db.reader() as session:
        found = list_orders(session, OrderFilter(sku="A-1"), limit=50)
    # then
    by_id = {o.id: o for o in found}
    split_off, survivor = by_id[history["split_off"].id], by_id[history["survivor"].id]
    assert split_off.created_at == T0 + timedelta(minutes=8)
    assert survivor.created_at == T0 + timedelta(minutes=6)
    assert history["split"].id in by_id  # it kept one A-1 unit
    assert history["absorbed"].id in by_id  # cancelled, its lines stay as they were
    assert [o.created_at for o in found] == sorted((o.created_at for o in found), reverse=True)


def test_every_line_written_carries_its_orders_created_at(shop, history):
    # given every kind of line writer ran (the fixture); then
    orders, lines = table_of(Order), table_of(OrderLine)
    with shop.db.reader() as session:
        differ = session.execute(
            sa.select(orders.c.number, lines.c.line_no)
            .join(orders, orders.c.id == lines.c.order_id)
            .where(lines.c.order_created_at != orders.c.created_at)
        ).all()
        moved = session.execute(
            sa.select(lines.c.order_created_at).where(
                lines.c.order_id.in_([history["split_off"].id, history["survivor"].id])
            )
        ).scalars()
        assert set(moved) == {T0 + timedelta(minutes=8), T0 + timedelta(minutes=6)}
    assert differ == []
    _clean(shop.db)


def test_backordered_and_the_sku_look_at_every_line_of_the_order(shop):
    # given an order whose A-1 is reserved and whose B-2 waits for stock
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    with _at(0):
        waiting = place(
            shop.db,
            order_request(
                shop.cash.id, ("A-1", 1), ("B-2", 2), backorder_policy=BackorderPolicy.BACKORDER
            ),
        )
    with _at(1):
        place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    flt = OrderFilter(sku="A-1", backordered=True)
    # when
    with shop.db.reader() as session:
        found = list_orders(session, flt, limit=50)
    # then
    assert [o.id for o in found] == [waiting.id]
    assert found == _expected(shop.db, flt, limit=50)
