import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.errors import InvalidTransition
from ordersmith.orders.status import (
    TRANSITIONS,
    OrderAction,
    OrderStatus,
    allowed_actions,
    check_transition,
)


def test_a_placed_order_can_be_confirmed():
    # given / when
    target = check_transition(OrderStatus.PLACED, OrderAction.CONFIRM)
    # then
    assert target is OrderStatus.CONFIRMED


def test_a_cancelled_order_cannot_be_confirmed_and_the_error_has_a_stable_code():
    # when
    with pytest.raises(InvalidTransition) as caught:
        check_transition(OrderStatus.CANCELLED, OrderAction.CONFIRM)
    # then
    assert caught.value.code == "invalid_transition"
    assert caught.value.extra == {"current_status": "cancelled", "action": "confirm"}


def test_releasing_a_hold_returns_to_the_state_it_was_held_from():
    # when
    back = check_transition(
        OrderStatus.ON_HOLD, OrderAction.RELEASE, held_from=OrderStatus.CONFIRMED
    )
    # then
    assert back is OrderStatus.CONFIRMED


def test_a_hold_without_a_remembered_state_cannot_be_released():
    with pytest.raises(InvalidTransition):
        check_transition(OrderStatus.ON_HOLD, OrderAction.RELEASE, held_from=None)


def test_completion_is_not_offered_to_people_because_fulfilment_drives_it():
    # when
    actions = allowed_actions(OrderStatus.CONFIRMED)
    # then
    assert OrderAction.COMPLETE not in actions
    assert {OrderAction.HOLD, OrderAction.CANCEL} <= set(actions)


def test_terminal_states_allow_nothing():
    assert allowed_actions(OrderStatus.CANCELLED) == []
    assert allowed_actions(OrderStatus.COMPLETED) == []


def test_status_values_are_lower_snake_case():
    assert all(s.value == s.value.lower() and " " not in s.value for s in OrderStatus)


@given(st.sampled_from(OrderStatus), st.sampled_from(OrderAction))
def test_every_state_and_action_either_transitions_or_raises_invalid_transition(status, action):
    # when / then
    if (status, action) in TRANSITIONS and action is not OrderAction.RELEASE:
        assert check_transition(status, action) in OrderStatus
    elif (status, action) not in TRANSITIONS:
        with pytest.raises(InvalidTransition):
            check_transition(status, action)
