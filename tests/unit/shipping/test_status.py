from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.shipping.status import (
    TERMINAL,
    TRANSITIONS,
    ShipmentAction,
    ShipmentStatus,
    TrackingPoint,
    TrackingStatus,
    allowed_actions,
    check_transition,
    deciding_point,
    resolve_status,
    tracking_complete,
)

S = ShipmentStatus
T = TrackingStatus
A = ShipmentAction
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def point(event_id: str, status: TrackingStatus, hours: int) -> TrackingPoint:
    return TrackingPoint(event_id, status, at(hours))


# --- staff actions -----------------------------------------------------------------------

ALLOWED = [
    (S.CREATED, A.PRINT_LABEL, S.LABEL_PRINTED),
    (S.CREATED, A.DISPATCH, S.DISPATCHED),
    (S.CREATED, A.CANCEL, S.CANCELLED),
    (S.LABEL_PRINTED, A.DISPATCH, S.DISPATCHED),
    (S.LABEL_PRINTED, A.CANCEL, S.CANCELLED),
]
REFUSED = [
    (status, action)
    for status in ShipmentStatus
    for action in ShipmentAction
    if (status, action) not in {(s, a) for s, a, _ in ALLOWED}
]


@pytest.mark.parametrize(("current", "action", "expected"), ALLOWED)
def test_staff_can_label_dispatch_or_cancel_a_shipment_that_has_not_left(current, action, expected):
    # when
    target = check_transition(current, action)
    # then
    assert target is expected


@pytest.mark.parametrize(("current", "action"), REFUSED)
def test_every_other_staff_action_is_refused_with_a_stable_code(current, action):
    # when
    with pytest.raises(InvalidTransition) as caught:
        check_transition(current, action)
    # then
    assert caught.value.code == "invalid_transition"
    assert caught.value.extra == {"current_status": current.value, "action": action.value}


def test_the_transition_table_holds_exactly_the_five_staff_moves():
    assert {(s, a): t for s, a, t in ALLOWED} == TRANSITIONS
    assert len(REFUSED) == len(ShipmentStatus) * len(ShipmentAction) - 5


def test_a_label_cannot_be_printed_twice():
    with pytest.raises(InvalidTransition):
        check_transition(S.LABEL_PRINTED, A.PRINT_LABEL)


def test_a_dispatched_shipment_cannot_be_cancelled_by_staff():
    with pytest.raises(InvalidTransition):
        check_transition(S.DISPATCHED, A.CANCEL)


def test_allowed_actions_list_what_staff_may_still_do():
    assert allowed_actions(S.CREATED) == [A.PRINT_LABEL, A.DISPATCH, A.CANCEL]
    assert allowed_actions(S.LABEL_PRINTED) == [A.DISPATCH, A.CANCEL]
    for status in set(ShipmentStatus) - {S.CREATED, S.LABEL_PRINTED}:
        assert allowed_actions(status) == []


def test_status_values_are_lower_snake_case_and_tracking_values_are_shipment_values():
    assert all(s.value == s.value.lower() and " " not in s.value for s in ShipmentStatus)
    assert {t.value for t in TrackingStatus} <= {s.value for s in ShipmentStatus}


# --- tracking points ---------------------------------------------------------------------


def test_a_tracking_point_without_a_time_zone_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        TrackingPoint("e1", T.IN_TRANSIT, datetime(2026, 3, 2, 8, 0))
    assert caught.value.fields[0].field == "occurred_at"


def test_a_tracking_point_without_an_event_id_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        TrackingPoint("", T.IN_TRANSIT, T0)
    assert caught.value.fields[0].field == "event_id"


# --- resolving carrier events ------------------------------------------------------------


@pytest.mark.parametrize("current", [S.CREATED, S.LABEL_PRINTED, S.DISPATCHED, S.CANCELLED])
def test_a_shipment_without_carrier_points_keeps_its_status(current):
    assert resolve_status(current, []) is current


def test_events_arriving_in_reverse_order_end_delivered():
    # given
    points = [
        point("e4", T.DELIVERED, 30),
        point("e3", T.OUT_FOR_DELIVERY, 26),
        point("e2", T.IN_TRANSIT, 10),
        point("e1", T.DISPATCHED, 1),
    ]
    # when
    status = resolve_status(S.LABEL_PRINTED, points)
    # then
    assert status is S.DELIVERED


def test_the_carrier_picking_up_before_staff_click_dispatch_makes_the_shipment_dispatched():
    assert resolve_status(S.LABEL_PRINTED, [point("e1", T.DISPATCHED, 1)]) is S.DISPATCHED


def test_an_in_transit_scan_stamped_after_delivery_does_not_undo_the_delivery():
    # given: a hub scanner with a fast clock echoes the parcel after it was delivered
    points = [point("e1", T.IN_TRANSIT, 2), point("e2", T.DELIVERED, 20)]
    late_echo = point("e3", T.IN_TRANSIT, 21)
    # when
    status = resolve_status(S.DISPATCHED, [*points, late_echo])
    # then
    assert status is S.DELIVERED


def test_an_exception_stamped_after_delivery_does_not_undo_the_delivery():
    points = [point("e1", T.DELIVERED, 20), point("e2", T.EXCEPTION, 22)]
    assert resolve_status(S.DISPATCHED, points) is S.DELIVERED


def test_an_exception_shows_until_a_later_scan_moves_the_shipment_on():
    # given
    stuck = [point("e1", T.IN_TRANSIT, 2), point("e2", T.EXCEPTION, 5)]
    # when / then
    assert resolve_status(S.DISPATCHED, stuck) is S.EXCEPTION
    assert resolve_status(S.DISPATCHED, [*stuck, point("e3", T.IN_TRANSIT, 9)]) is S.IN_TRANSIT


def test_a_return_stamped_after_delivery_is_a_real_return():
    # given: delivered to a parcel locker, not collected, sent back
    points = [point("e1", T.DELIVERED, 20), point("e2", T.RETURNED_TO_SENDER, 200)]
    # when / then
    assert resolve_status(S.DISPATCHED, points) is S.RETURNED_TO_SENDER


def test_a_return_stamped_before_delivery_was_called_off_and_the_delivery_stands():
    points = [point("e1", T.RETURNED_TO_SENDER, 20), point("e2", T.DELIVERED, 30)]
    assert resolve_status(S.DISPATCHED, points) is S.DELIVERED


def test_on_equal_timestamps_the_later_stage_wins():
    assert (
        resolve_status(S.DISPATCHED, [point("a", T.IN_TRANSIT, 5), point("b", T.EXCEPTION, 5)])
        is S.EXCEPTION
    )
    assert (
        resolve_status(
            S.DISPATCHED, [point("a", T.RETURNED_TO_SENDER, 5), point("b", T.DELIVERED, 5)]
        )
        is S.RETURNED_TO_SENDER
    )
    assert (
        resolve_status(
            S.DISPATCHED, [point("a", T.OUT_FOR_DELIVERY, 5), point("b", T.IN_TRANSIT, 5)]
        )
        is S.OUT_FOR_DELIVERY
    )


def test_points_in_other_time_zones_are_compared_as_instants():
    # given: 10:00 in New York (UTC-5) is after 12:00 in Berlin (UTC+1)
    new_york = timezone(timedelta(hours=-5))
    berlin = timezone(timedelta(hours=1))
    points = [
        TrackingPoint("e1", T.OUT_FOR_DELIVERY, datetime(2026, 3, 2, 12, 0, tzinfo=berlin)),
        TrackingPoint("e2", T.EXCEPTION, datetime(2026, 3, 2, 10, 0, tzinfo=new_york)),
    ]
    # when / then
    assert resolve_status(S.DISPATCHED, points) is S.EXCEPTION


def test_carrier_points_never_revive_a_cancelled_shipment():
    points = [point("e1", T.DISPATCHED, 1), point("e2", T.DELIVERED, 20)]
    assert resolve_status(S.CANCELLED, points) is S.CANCELLED


def test_a_delivered_shipment_is_not_moved_back_when_only_new_points_are_passed():
    assert resolve_status(S.DELIVERED, [point("e9", T.IN_TRANSIT, 40)]) is S.DELIVERED
    assert resolve_status(S.RETURNED_TO_SENDER, [point("e9", T.EXCEPTION, 40)]) is (
        S.RETURNED_TO_SENDER
    )


def test_the_deciding_point_is_the_latest_terminal_point_when_there_is_one():
    # given
    delivered = point("e2", T.DELIVERED, 20)
    points = [point("e1", T.IN_TRANSIT, 2), delivered, point("e3", T.IN_TRANSIT, 21)]
    # when / then
    assert deciding_point(points) == delivered
    assert deciding_point([]) is None


def test_tracking_is_complete_once_delivered_or_returned():
    assert {s for s in ShipmentStatus if tracking_complete(s)} == {
        S.DELIVERED,
        S.RETURNED_TO_SENDER,
    }
    assert S.CANCELLED in TERMINAL


# --- properties --------------------------------------------------------------------------

points_strategy = st.lists(
    st.builds(
        TrackingPoint,
        event_id=st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        status=st.sampled_from(TrackingStatus),
        # few distinct instants, so that ties are common
        occurred_at=st.integers(min_value=0, max_value=6).map(lambda h: at(h)),
    ),
    max_size=8,
)
currents = st.sampled_from(ShipmentStatus)


@given(currents, points_strategy, st.data())
def test_every_arrival_order_of_the_same_points_gives_the_same_state(current, points, data):
    # given
    shuffled = data.draw(st.permutations(points))
    # when / then
    assert resolve_status(current, shuffled) is resolve_status(current, points)
    assert deciding_point(shuffled) == deciding_point(points)


@given(currents, points_strategy, st.data())
def test_a_point_delivered_twice_changes_nothing(current, points, data):
    # given
    repeated = data.draw(st.lists(st.sampled_from(points), max_size=4)) if points else []
    resent = data.draw(st.permutations([*points, *repeated]))
    # when / then
    assert resolve_status(current, resent) is resolve_status(current, points)


@given(currents, points_strategy)
def test_once_a_terminal_point_exists_the_status_is_terminal(current, points):
    # when
    status = resolve_status(current, points)
    # then
    if current is S.CANCELLED:
        assert status is S.CANCELLED
    elif any(p.status in (T.DELIVERED, T.RETURNED_TO_SENDER) for p in points):
        assert status in (S.DELIVERED, S.RETURNED_TO_SENDER)


@given(points_strategy, st.sampled_from([T.DISPATCHED, T.IN_TRANSIT, T.OUT_FOR_DELIVERY]))
def test_a_later_non_terminal_point_never_moves_a_delivered_shipment_back(points, late_status):
    # given
    delivered = [*points, point("z", T.DELIVERED, 7)]
    before = resolve_status(S.DISPATCHED, delivered)
    # when
    after = resolve_status(before, [*delivered, point("y", late_status, 100)])
    # then
    assert before in (S.DELIVERED, S.RETURNED_TO_SENDER)
    assert after is before
