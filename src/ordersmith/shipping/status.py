"""The shipment lifecycle: staff actions, carrier tracking and how the two meet.

Staff move a shipment until it leaves the building (``check_transition``)::

    created ──print_label──▶ label_printed
    created / label_printed ──dispatch──▶ dispatched
    created / label_printed ──cancel────▶ cancelled

After that only the carrier moves it, through tracking points that may arrive late,
twice, or in any order (``resolve_status`` over every point recorded so far)::

    dispatched ─▶ in_transit ─▶ out_for_delivery ─▶ delivered ─(later)─▶ returned_to_sender
        │             ▲  │             │                                        ▲
        └──────────▶ exception ◀───────┘                                        │
                         └──────────────────────────────────────────────────────┘

``exception`` (delay, address problem, failed attempt) is recoverable: a later scan
moves the shipment on. ``delivered`` and ``returned_to_sender`` are terminal for
tracking; ``cancelled`` is terminal for everything.

The out-of-order rule (ADR 0010), applied to the *set* of points, so the answer is the
same whatever order they arrived in and however often each was sent:

1. A ``cancelled`` shipment stays ``cancelled``; carrier points never revive it (the
   caller still records them, they are evidence that something left after all).
2. No points: the shipment keeps its status (``created``, ``label_printed``,
   ``dispatched`` by staff, ...).
3. If any point is terminal (``delivered``, ``returned_to_sender``), the latest terminal
   point decides and every non-terminal point is ignored, even one stamped later:
   carriers send ``in_transit`` or ``exception`` scans after ``delivered`` (clock skew
   between hand-held scanners and hubs, sorting-centre echoes), and a delivered parcel
   does not travel again. A ``returned_to_sender`` point stamped after ``delivered`` is a
   real business event (a parcel locker not emptied, a refused delivery recorded as a
   delivery to the pickup point) and wins; stamped before it, it does not. A
   ``delivered`` point stamped after ``returned_to_sender`` means the return was called
   off and the parcel delivered after all: carrier adapters must map "delivered back to
   the shipper" to ``returned_to_sender``, never to ``delivered``.
4. Otherwise the latest point decides.
5. Ties on ``occurred_at`` go to the later stage (``RANK``: dispatched < in_transit <
   out_for_delivery < exception < delivered < returned_to_sender; ``exception`` ranks
   above the moving states so that a problem reported in the same second is shown),
   then to the greater ``event_id`` so that the deciding point is deterministic too.
6. A shipment already ``delivered`` or ``returned_to_sender`` is never moved back by
   non-terminal points, even if the caller passes only the new points.

Deduplication by ``event_id`` belongs to the caller (a unique key in the database);
this function tolerates repeats because it only takes the greatest point of a set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ordersmith.errors import FieldError, InvalidTransition, ValidationFailed


class ShipmentStatus(StrEnum):
    CREATED = "created"
    LABEL_PRINTED = "label_printed"
    DISPATCHED = "dispatched"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"
    CANCELLED = "cancelled"


class ShipmentAction(StrEnum):
    PRINT_LABEL = "print_label"
    DISPATCH = "dispatch"
    CANCEL = "cancel"


S = ShipmentStatus
A = ShipmentAction
TRANSITIONS: dict[tuple[ShipmentStatus, ShipmentAction], ShipmentStatus] = {
    (S.CREATED, A.PRINT_LABEL): S.LABEL_PRINTED,
    (S.CREATED, A.DISPATCH): S.DISPATCHED,
    (S.CREATED, A.CANCEL): S.CANCELLED,
    (S.LABEL_PRINTED, A.DISPATCH): S.DISPATCHED,
    (S.LABEL_PRINTED, A.CANCEL): S.CANCELLED,
}

#: Still in the building: staff may act, the carrier has not taken over.
PRE_DISPATCH = frozenset({S.CREATED, S.LABEL_PRINTED})
#: Nothing moves these any more (``returned_to_sender`` only after ``delivered``).
TERMINAL = frozenset({S.DELIVERED, S.RETURNED_TO_SENDER, S.CANCELLED})


def check_transition(current: ShipmentStatus, action: ShipmentAction) -> ShipmentStatus:
    """Return the state ``action`` leads to from ``current``, or raise InvalidTransition."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise InvalidTransition(
            f"cannot {action} a shipment that is {current}",
            extra={"current_status": current.value, "action": action.value},
        )
    return target


def allowed_actions(current: ShipmentStatus) -> list[ShipmentAction]:
    """What a person may do next with a shipment in ``current`` state."""
    return [action for (state, action) in TRANSITIONS if state == current]


class TrackingStatus(StrEnum):
    """A carrier's normalised scan. ``dispatched`` means picked up by the carrier."""

    DISPATCHED = "dispatched"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"


T = TrackingStatus
#: Tie-break on equal timestamps: the later stage wins.
RANK: dict[TrackingStatus, int] = {
    T.DISPATCHED: 1,
    T.IN_TRANSIT: 2,
    T.OUT_FOR_DELIVERY: 3,
    T.EXCEPTION: 4,
    T.DELIVERED: 5,
    T.RETURNED_TO_SENDER: 6,
}
TERMINAL_TRACKING = frozenset({T.DELIVERED, T.RETURNED_TO_SENDER})


@dataclass(frozen=True, slots=True)
class TrackingPoint:
    """One carrier event. ``occurred_at`` must be timezone-aware (the carrier's clock)."""

    event_id: str
    status: TrackingStatus
    occurred_at: datetime

    def __post_init__(self) -> None:
        if not self.event_id:
            raise ValidationFailed(
                "a tracking point needs an event id",
                fields=[FieldError("event_id", "must not be empty")],
            )
        if self.occurred_at.tzinfo is None or self.occurred_at.utcoffset() is None:
            raise ValidationFailed(
                "a tracking point's time needs a time zone",
                fields=[FieldError("occurred_at", "must be timezone-aware")],
            )


def _order_key(point: TrackingPoint) -> tuple[datetime, int, str]:
    return (point.occurred_at, RANK[point.status], point.event_id)


def deciding_point(points: Sequence[TrackingPoint]) -> TrackingPoint | None:
    """The point that sets the carrier status (rules 3 to 5 above), or None if none."""
    if not points:
        return None
    terminal = [p for p in points if p.status in TERMINAL_TRACKING]
    return max(terminal or points, key=_order_key)


def resolve_status(current: ShipmentStatus, points: Sequence[TrackingPoint]) -> ShipmentStatus:
    """The shipment's status after every tracking point recorded so far (see above)."""
    if current is S.CANCELLED:
        return current
    point = deciding_point(points)
    if point is None:
        return current
    if current in TERMINAL and point.status not in TERMINAL_TRACKING:
        return current
    return ShipmentStatus(point.status.value)


def tracking_complete(status: ShipmentStatus) -> bool:
    """True when the carrier's part is over (delivered, or back with us): stop polling."""
    return status in (S.DELIVERED, S.RETURNED_TO_SENDER)
