"""A case's life: open, wait on the customer, reopen, resolve, close; the transition
table's refusals; the SLA due time per priority, the clock stopped while waiting, and
the breach flag with its list filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ordersmith.customer_service.errors import CaseClosed, CaseLinkMismatch
from ordersmith.customer_service.queries import CaseFilter, get_case, list_cases
from ordersmith.customer_service.services import assign_case, change_priority
from ordersmith.customer_service.status import CaseStatus
from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.uow import Database
from tests.factories.cases import close, make_case, note, reopen, resolve, wait
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> SetClock:
    return SetClock(monkeypatch, T0)


def _breached(db: Database, status: CaseStatus | None = None) -> list[str]:
    with db.reader() as session:
        flt = CaseFilter(breached=True, status=status)
        return [c.number for c in list_cases(session, flt)]


def test_a_case_is_opened_waits_on_the_customer_is_reopened_resolved_and_closed(
    shop: Shop, now: SetClock
) -> None:
    # given an enquiry of Ann's
    case = make_case(shop.db, shop.cash.id, description="Customer called about delivery")
    # when it moves through its life
    waiting = wait(shop.db, case)
    reopened = reopen(shop.db, waiting)
    resolved = resolve(shop.db, reopened, "told her the tracking link")
    closed = close(shop.db, resolved)
    # then
    assert case.number.startswith("CS-2026-")
    assert (case.status, case.type, case.priority, case.opened_by) == (
        "open",
        "enquiry",
        "normal",
        "staff",
    )
    assert [n.visibility for n in case.notes] == ["internal"]
    assert [c.status for c in (waiting, reopened, resolved, closed)] == [
        "waiting_on_customer",
        "open",
        "resolved",
        "closed",
    ]
    assert (resolved.resolution, resolved.resolved_by, resolved.resolved_at) == (
        "told her the tracking link",
        "user:sam",
        T0,
    )
    assert closed.closed_at == T0
    assert closed.allowed_actions == []


def test_a_transition_the_table_does_not_allow_is_refused_and_changes_nothing(
    shop: Shop, now: SetClock
) -> None:
    # given an open case and a closed one
    case = make_case(shop.db, shop.cash.id)
    done = close(shop.db, resolve(shop.db, make_case(shop.db, shop.cash.id)))
    # when
    with pytest.raises(InvalidTransition) as not_resolved:
        close(shop.db, case)
    with pytest.raises(InvalidTransition) as final:
        reopen(shop.db, done)
    with pytest.raises(CaseClosed):
        note(shop.db, done, "one more thing")
    # then
    assert not_resolved.value.extra == {"current_status": "open", "action": "close"}
    assert final.value.extra == {"current_status": "closed", "action": "reopen"}
    with shop.db.reader() as session:
        assert get_case(session, case.number).status == "open"
        assert get_case(session, done.id).note_count == 0


@pytest.mark.parametrize(
    ("priority", "hours"), [("urgent", 4), ("high", 8), ("normal", 24), ("low", 72)]
)
def test_the_due_time_is_the_opening_plus_the_hours_of_the_priority(
    shop: Shop, now: SetClock, priority: str, hours: int
) -> None:
    # when
    case = make_case(shop.db, shop.cash.id, priority=priority)
    # then
    assert (case.sla_hours, case.sla_due_at) == (hours, T0 + timedelta(hours=hours))


def test_time_waiting_on_the_customer_moves_the_due_time_later(shop: Shop, now: SetClock) -> None:
    # given an urgent case (due at 13:00), waiting on the customer from 10:00
    case = make_case(shop.db, shop.cash.id, priority="urgent")
    now.set(T0 + timedelta(hours=1))
    note(shop.db, case, "Which parcel do you mean?", "customer", wait=True)
    # when the customer answers 30 hours later, after the due time
    now.set(T0 + timedelta(hours=31))
    waiting_breached = _breached(shop.db)
    answered = note(shop.db, case, "The blue one", "customer", by_customer=True)
    # then the case is open again, due 30 hours later, and not breached
    assert waiting_breached == []
    assert answered.status == "open"
    assert answered.sla_due_at == T0 + timedelta(hours=4 + 30)
    assert answered.paused_seconds == 30 * 3600
    assert not answered.breached


def test_a_case_past_its_due_time_is_breached_and_listed_by_the_breached_filter(
    shop: Shop, now: SetClock
) -> None:
    # given an urgent and a low case opened at 9:00, and an urgent one resolved in time
    urgent = make_case(shop.db, shop.cash.id, priority="urgent")
    low = make_case(shop.db, shop.trade.id, priority="low")
    in_time = make_case(shop.db, shop.cash.id, priority="urgent")
    now.set(T0 + timedelta(hours=3))
    resolve(shop.db, in_time)
    # when it is 14:00 (the urgent cases were due at 13:00)
    now.set(T0 + timedelta(hours=5))
    breached = _breached(shop.db)
    with shop.db.reader() as session:
        on_time = [c.number for c in list_cases(session, CaseFilter(breached=False))]
        shown = get_case(session, urgent.number)
    # then
    assert breached == [urgent.number]
    assert sorted(on_time) == sorted([low.number, in_time.number])
    assert shown.breached
    # when the breached case is resolved late, it stays breached; in the list too
    late = resolve(shop.db, urgent)
    assert late.breached
    assert _breached(shop.db, CaseStatus.RESOLVED) == [urgent.number]


def test_a_new_priority_recomputes_the_due_time_and_staff_can_assign(
    shop: Shop, now: SetClock
) -> None:
    # given a normal case (due in 24 hours)
    case = make_case(shop.db, shop.cash.id)
    # when it becomes urgent and is given to Kim
    with shop.db.unit_of_work(actor="user:sam") as uow:
        change_priority(uow, case_id=case.id, priority="urgent")
    with shop.db.unit_of_work(actor="user:sam") as uow:
        assigned = assign_case(uow, case_id=case.id, assignee="Kim")
    # then
    assert (assigned.priority, assigned.sla_due_at) == ("urgent", T0 + timedelta(hours=4))
    with shop.db.reader() as session:
        assert [c.number for c in list_cases(session, CaseFilter(assignee="Kim"))] == [case.number]


def test_bad_input_and_another_customers_order_are_refused_with_clear_errors(
    shop: Shop, now: SetClock
) -> None:
    # given an order of Bob's
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    bobs = place(shop.db, order_request(shop.trade.id, ("A-1", 1)))
    # when
    with pytest.raises(ValidationFailed) as bad:
        make_case(shop.db, shop.cash.id, case_type="gossip", subject=" ", priority="asap")
    with pytest.raises(CaseLinkMismatch) as mismatch:
        make_case(shop.db, shop.cash.id, order_id=bobs.id)
    with pytest.raises(ValidationFailed) as no_order:
        make_case(shop.db, shop.cash.id, case_type="damage_report")
    # then
    assert {f.field for f in bad.value.fields} == {"type", "subject", "priority"}
    assert mismatch.value.code == "case_link_mismatch"
    assert mismatch.value.fields[0].field == "order"
    assert [f.field for f in no_order.value.fields] == ["order"]
    with shop.db.reader() as session:
        assert list_cases(session) == []
