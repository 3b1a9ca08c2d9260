"""Return rates by SKU, reason, customer and supplier, on a fixture computed by hand.

March 2026 (the window), ACME the preferred supplier of anvils (A-1), bolts (B-2) with
none:

    Mon  2  Bob's order: 4 A-1, 10 B-2, delivered that day
    Tue  3  Ann's order: 2 A-1, delivered that day
    Fri  6  Bob returns 1 A-1 (damaged) and 5 B-2 (no longer needed): 4 B-2 arrive
            Ann asks to return 2 A-1 (wrong item): not received yet
            Bob asks to return 1 B-2 (late) and cancels: counts nothing
    Thu  2 April: Ann's second order (1 A-1) delivered and returned: outside the window

Delivered: A-1 6, B-2 10 (16). Returned: A-1 1 + 2 = 3, B-2 4 (7), on 2 returns.

    by sku       A-1 3/6 = 0.5000       B-2 4/10 = 0.4000
    by reason    no_longer_needed 4/16 = 0.2500, wrong_item 2/16 = 0.1250,
                 damaged 1/16 = 0.0625 (they add up to the overall 7/16 = 0.4375)
    by customer  Bob 5/14 = 0.3571      Ann 2/2 = 1.0000
    by supplier  (no preferred supplier) 4/10 = 0.4000, ACME 3/6 = 0.5000
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ordersmith.returns.analytics import AnalyticsBy, return_analytics
from ordersmith.returns.services import cancel_return
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock
from tests.factories.purchasing import make_supplier, supply
from tests.factories.returns import ask, authorise, delivered_order, receive
from tests.integration.conftest import Shop

D = Decimal
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def march(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> Shop:
    when = SetClock(monkeypatch, datetime(2026, 3, 2, 9, tzinfo=UTC))
    make_courier(shop.db)
    acme = make_supplier(shop.db, code="ACME")
    supply(shop.db, acme, "A-1", "6.00", 7, preferred=True)
    stock_up(shop.db, {("MAIN", "A-1"): 20, ("MAIN", "B-2"): 20})
    bobs = delivered_order(shop.db, shop.trade.id, ("A-1", 4), ("B-2", 10))
    when.set(datetime(2026, 3, 3, 9, tzinfo=UTC))
    anns = delivered_order(shop.db, shop.cash.id, ("A-1", 2))
    when.set(datetime(2026, 3, 6, 9, tzinfo=UTC))
    first = ask(shop.db, bobs, (1, 1, "damaged"), (2, 5, "no_longer_needed"))
    receive(shop.db, authorise(shop.db, first), (1, 1), (2, 4))
    ask(shop.db, anns, (1, 2, "wrong_item"))
    late = ask(shop.db, bobs, (2, 1, "late"))
    with shop.db.unit_of_work(actor="user:bob") as uow:
        cancel_return(uow, return_id=late.id)
    when.set(datetime(2026, 4, 2, 9, tzinfo=UTC))
    april = delivered_order(shop.db, shop.cash.id, ("A-1", 1))
    ask(shop.db, april, (1, 1, "no_longer_needed"))
    return shop


def _report(shop: Shop, by: AnalyticsBy):
    with shop.db.reader() as session:
        return return_analytics(session, by=by, date_from=MARCH[0], date_to=MARCH[1])


def _rows(report) -> list[tuple[str, int, int, int, Decimal | None]]:
    return [
        (r.key, r.returns, r.units_returned, r.units_delivered, r.return_rate) for r in report.rows
    ]


def test_return_rate_by_sku_is_units_returned_over_units_delivered(march: Shop) -> None:
    # when
    report = _report(march, AnalyticsBy.SKU)
    # then
    assert (report.returns, report.units_returned, report.units_delivered) == (2, 7, 16)
    assert report.return_rate == D("0.4375")
    assert _rows(report) == [("B-2", 1, 4, 10, D("0.4000")), ("A-1", 2, 3, 6, D("0.5000"))]
    assert [r.label for r in report.rows] == ["Bolt", "Anvil"]


def test_reason_rates_add_up_to_the_overall_rate(march: Shop) -> None:
    # when
    report = _report(march, AnalyticsBy.REASON)
    # then
    assert _rows(report) == [
        ("no_longer_needed", 1, 4, 16, D("0.2500")),
        ("wrong_item", 1, 2, 16, D("0.1250")),
        ("damaged", 1, 1, 16, D("0.0625")),
    ]


def test_return_rate_by_customer(march: Shop) -> None:
    # when
    report = _report(march, AnalyticsBy.CUSTOMER)
    # then
    bob, ann = march.trade, march.cash
    assert _rows(report) == [
        (bob.number, 1, 5, 14, D("0.3571")),
        (ann.number, 1, 2, 2, D("1.0000")),
    ]
    assert [r.label for r in report.rows] == ["Bob Trade", "Ann Cash"]


def test_return_rate_by_preferred_supplier(march: Shop) -> None:
    # when
    report = _report(march, AnalyticsBy.SUPPLIER)
    # then
    assert _rows(report) == [
        ("(no preferred supplier)", 1, 4, 10, D("0.4000")),
        ("ACME", 2, 3, 6, D("0.5000")),
    ]


def test_a_window_without_deliveries_has_no_rate(march: Shop) -> None:
    # when
    with march.db.reader() as session:
        report = return_analytics(
            session, by=AnalyticsBy.SKU, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)
        )
    # then
    assert (report.units_returned, report.units_delivered, report.return_rate) == (0, 0, None)
    assert report.rows == []
