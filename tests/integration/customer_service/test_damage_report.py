"""A damage report case records a damage incident on its order: the order is no longer
damage free in the perfect-order KPI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordersmith.checks import run_checks
from ordersmith.errors import Conflict
from ordersmith.fulfillment.kpi_report import kpi_report
from ordersmith.fulfillment.queries import order_incidents
from ordersmith.uow import Database
from tests.factories.cases import make_case
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.factories.returns import delivered_order
from tests.integration.conftest import Shop


@pytest.fixture
def shop(shop: Shop) -> Shop:
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    return shop


def _damage_free(db: Database) -> tuple[int, int]:
    with db.reader() as session:
        today = datetime.now(UTC).date()
        report = kpi_report(session, date_from=today, date_to=today, as_of=today)
    (row,) = [c for c in report.perfect_order.components if c.name == "damage_free"]
    return row.passed, row.total


def test_a_damage_report_case_makes_its_order_fail_damage_free(shop: Shop) -> None:
    # given Bob's delivered order, damage free
    order = delivered_order(shop.db, shop.trade.id, ("A-1", 3))
    before = _damage_free(shop.db)
    # when Bob reports one anvil arrived cracked
    case = make_case(
        shop.db,
        shop.trade.id,
        case_type="damage_report",
        subject="Anvil cracked",
        order_id=order.id,
        damage_line_no=1,
        damage_quantity=1,
        priority="high",
    )
    # then the order carries a damage incident and the KPI counts it
    with shop.db.reader() as session:
        incidents = order_incidents(session, order.id)
        violations = run_checks(session)
    assert [(i.kind, i.quantity, i.note) for i in incidents] == [
        ("damage", 1, f"{case.number}: Anvil cracked")
    ]
    assert case.damage_incident_id == incidents[0].id
    assert before == (1, 1)
    assert _damage_free(shop.db) == (0, 1)
    assert violations["cases_sla_consistent"] == []


def test_damage_on_an_order_not_yet_dispatched_is_refused_and_opens_no_case(shop: Shop) -> None:
    # given an order still in the warehouse
    order = place(shop.db, order_request(shop.trade.id, ("A-1", 1)))
    # when
    with pytest.raises(Conflict) as refused:
        make_case(shop.db, shop.trade.id, case_type="damage_report", order_id=order.id)
    # then
    assert refused.value.code == "order_not_dispatched"
    with shop.db.reader() as session:
        assert order_incidents(session, order.id) == []
