"""The demo's after-sales, on both databases: returns in every state, cases in every
status (one open past its SLA), loyalty tiers, a merged duplicate customer and orders
changed before picking (the ``simulated`` demo)."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.checks import run_checks
from ordersmith.customer_service.models import Case
from ordersmith.customer_service.sla import breached_clause
from ordersmith.customers.duplicates import find_duplicates
from ordersmith.customers.models import Customer, CustomerMerge
from ordersmith.db import table_of
from ordersmith.notifications.models import Communication
from ordersmith.orders.models import Order
from ordersmith.returns.models import Return, ReturnDisposition, ReturnLine
from ordersmith.returns.status import ReturnStatus

pytestmark = pytest.mark.xdist_group("demo_fulfilment")


def test_the_story_ends_with_returns_in_every_state_and_every_resolution(simulated):
    # given
    db, summary = simulated
    r, d, lines = table_of(Return), table_of(ReturnDisposition), table_of(ReturnLine)
    # when
    with db.reader() as session:
        statuses = Counter(str(s) for s in session.scalars(sa.select(r.c.status)))
        resolutions = set(
            session.scalars(sa.select(r.c.resolution).where(r.c.resolution.is_not(None)))
        )
        dispositions = set(session.scalars(sa.select(d.c.disposition)))
        reasons = set(session.scalars(sa.select(lines.c.reason).distinct()))
    # then
    assert set(statuses) == {s.value for s in ReturnStatus}
    assert {str(x) for x in resolutions} == {"refund", "credit_note", "exchange"}
    assert {"restock", "scrap"} <= {str(x) for x in dispositions}
    assert len(reasons) >= 4
    assert sum(summary.aftersales.returns.values()) == sum(statuses.values())


def test_cases_end_in_every_status_with_an_open_one_past_its_sla(simulated):
    # given
    db, summary = simulated
    c = table_of(Case)
    # when
    with db.reader() as session:
        statuses = Counter(str(s) for s in session.scalars(sa.select(c.c.status)))
        types = set(session.scalars(sa.select(c.c.type)))
        breached_open = session.scalar(
            sa.select(sa.func.count())
            .select_from(c)
            .where(
                c.c.status == "open",
                breached_clause(c.c.status, c.c.sla_due_at, c.c.clock_stopped_at, clock.now()),
            )
        )
        case_mails = session.scalar(
            sa.select(sa.func.count())
            .select_from(table_of(Communication))
            .where(table_of(Communication).c.kind == "case_reply")
        )
    # then
    assert set(statuses) == {"open", "waiting_on_customer", "resolved", "closed"}
    assert {str(t) for t in types} == {
        "enquiry",
        "complaint",
        "delivery_problem",
        "damage_report",
        "billing",
    }
    assert breached_open >= 1
    assert summary.aftersales.cases_breached >= 1
    assert case_mails >= 1


def test_customers_hold_loyalty_tiers(simulated):
    # given
    db, summary = simulated
    customers = table_of(Customer)
    # when
    with db.reader() as session:
        tiers = Counter(
            str(t)
            for t in session.scalars(
                sa.select(customers.c.tier).where(customers.c.tier.is_not(None))
            )
        )
    # then
    assert sum(tiers.values()) > 0
    assert set(tiers) <= {"silver", "gold", "platinum"}
    assert {k: v for k, v in summary.aftersales.tiers.items() if k != "none"} == dict(tiers)


def test_a_duplicate_customer_was_merged_and_another_waits_for_someone(simulated):
    # given
    db, summary = simulated
    merges, orders = table_of(CustomerMerge), table_of(Order)
    # when
    with db.reader() as session:
        merge = session.execute(sa.select(merges)).one()
        left = session.scalar(
            sa.select(sa.func.count())
            .select_from(orders)
            .where(orders.c.customer_id == merge.duplicate_id)
        )
        moved = session.scalar(
            sa.select(sa.func.count())
            .select_from(orders)
            .where(orders.c.customer_id == merge.survivor_id, orders.c.channel == "phone")
        )
        groups, _more = find_duplicates(session)
    # then
    assert summary.aftersales.customer_merges == 1
    assert merge.reason
    assert left == 0
    assert moved >= 1
    assert groups
    assert merge.duplicate_id not in {m.id for g in groups for m in g.customers}


def test_orders_were_changed_and_split_before_picking(simulated):
    # given
    db, summary = simulated
    orders = table_of(Order)
    # when
    with db.reader() as session:
        changed = session.scalar(
            sa.select(sa.func.count()).select_from(orders).where(orders.c.version > 1)
        )
    # then
    assert changed >= 2  # one changed, one split
    assert summary.aftersales.order_changes >= 2


def test_the_after_sales_story_leaves_every_check_clean(simulated):
    # given
    db, _summary = simulated
    # when
    with db.reader() as session:
        problems = {name: found for name, found in run_checks(session).items() if found}
    # then
    assert problems == {}
