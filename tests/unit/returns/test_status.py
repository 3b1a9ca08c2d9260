"""The return lifecycle: its transition table and guard, pure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.errors import InvalidTransition
from ordersmith.returns.status import (
    AWAITING_GOODS,
    GOODS_BACK,
    TRANSITIONS,
    VOID,
    ReturnAction,
    ReturnStatus,
    allowed_actions,
    check_transition,
)

S, A = ReturnStatus, ReturnAction


def test_a_return_goes_from_requested_to_resolved_through_every_step():
    # given
    path = [A.AUTHORISE, A.SHIP, A.RECEIVE, A.INSPECT, A.RESOLVE]
    state = S.REQUESTED
    # when
    seen = []
    for action in path:
        state = check_transition(state, action)
        seen.append(state)
    # then
    assert seen == [S.AUTHORISED, S.IN_TRANSIT, S.RECEIVED, S.INSPECTED, S.RESOLVED]


def test_goods_may_arrive_without_being_announced_as_shipped():
    assert check_transition(S.AUTHORISED, A.RECEIVE) is S.RECEIVED


def test_a_received_return_cannot_be_cancelled_and_the_error_has_a_stable_code():
    # when
    with pytest.raises(InvalidTransition) as caught:
        check_transition(S.RECEIVED, A.CANCEL)
    # then
    assert caught.value.code == "invalid_transition"
    assert caught.value.extra == {"current_status": "received", "action": "cancel"}


def test_a_customer_is_offered_only_sending_back_and_cancelling():
    assert allowed_actions(S.REQUESTED) == [A.AUTHORISE, A.REJECT, A.CANCEL]
    assert allowed_actions(S.REQUESTED, customer=True) == [A.CANCEL]
    assert allowed_actions(S.AUTHORISED, customer=True) == [A.SHIP, A.CANCEL]
    assert allowed_actions(S.RECEIVED, customer=True) == []


def test_every_state_is_either_waiting_for_goods_back_or_void():
    # when
    groups = [AWAITING_GOODS, GOODS_BACK, VOID]
    # then
    assert sorted(s for group in groups for s in group) == sorted(ReturnStatus)


@given(st.sampled_from(list(ReturnStatus)), st.sampled_from(list(ReturnAction)))
def test_the_guard_allows_exactly_the_table(state, action):
    # when / then
    if (state, action) in TRANSITIONS:
        assert check_transition(state, action) is TRANSITIONS[(state, action)]
    else:
        with pytest.raises(InvalidTransition):
            check_transition(state, action)


def test_resolved_rejected_and_cancelled_returns_are_final():
    for state in (S.RESOLVED, S.REJECTED, S.CANCELLED):
        assert allowed_actions(state) == []
