import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.errors import InvalidTransition
from ordersmith.inventory.transfer_status import (
    TERMINAL,
    TRANSITIONS,
    TransferAction,
    TransferStatus,
    allowed_actions,
    check_transition,
)

S, A = TransferStatus, TransferAction


def test_a_draft_is_dispatched_into_transit():
    assert check_transition(S.DRAFT, A.DISPATCH) is S.IN_TRANSIT


@pytest.mark.parametrize(
    ("current", "left", "target"),
    [
        (S.IN_TRANSIT, 3, S.PARTIALLY_RECEIVED),
        (S.IN_TRANSIT, 0, S.RECEIVED),
        (S.PARTIALLY_RECEIVED, 1, S.PARTIALLY_RECEIVED),
        (S.PARTIALLY_RECEIVED, 0, S.RECEIVED),
    ],
)
def test_a_receipt_leads_where_the_units_still_outstanding_say(current, left, target):
    assert check_transition(current, A.RECEIVE, outstanding_after=left) is target


def test_a_receipt_without_the_units_outstanding_is_a_programming_error():
    with pytest.raises(ValueError, match="outstanding"):
        check_transition(S.IN_TRANSIT, A.RECEIVE)


def test_a_partly_received_transfer_cannot_be_cancelled_and_the_error_has_a_stable_code():
    # when
    with pytest.raises(InvalidTransition) as caught:
        check_transition(S.PARTIALLY_RECEIVED, A.CANCEL)
    # then
    assert caught.value.code == "invalid_transition"
    assert caught.value.extra == {"current_status": "partially_received", "action": "cancel"}


def test_what_a_person_may_do_next_follows_the_table():
    assert allowed_actions(S.DRAFT) == [A.DISPATCH, A.CANCEL]
    assert allowed_actions(S.IN_TRANSIT) == [A.RECEIVE, A.CANCEL]
    assert allowed_actions(S.PARTIALLY_RECEIVED) == [A.RECEIVE]
    assert allowed_actions(S.RECEIVED) == allowed_actions(S.CANCELLED) == []


@given(st.sampled_from(list(TransferStatus)), st.sampled_from(list(TransferAction)))
def test_every_pair_is_either_in_the_table_or_refused(current, action):
    if (current, action) in TRANSITIONS:
        assert check_transition(current, action, outstanding_after=0) in TransferStatus
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, action, outstanding_after=0)
    if current in TERMINAL:
        assert (current, action) not in TRANSITIONS
