"""The order lifecycle: states, the transition table and its guard.

    draft ──place──▶ placed ──confirm──▶ confirmed ──(fulfilment)──▶ completed
                       │  ▲                 │  ▲
                  hold ▼  │ release    hold ▼  │ release
                      on_hold (reason: credit, suspected_duplicate, manual, payment)
    draft / placed / on_hold / confirmed ──cancel──▶ cancelled

Releasing a hold returns the order to the state it was held from. Fulfilment
progress (partially shipped, shipped, delivered) is derived from line quantities,
not stored here (fulfilment issue).
"""

from __future__ import annotations

from enum import StrEnum

from ordersmith.errors import InvalidTransition


class OrderStatus(StrEnum):
    DRAFT = "draft"
    PLACED = "placed"
    CONFIRMED = "confirmed"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class HoldReason(StrEnum):
    CREDIT = "credit"
    SUSPECTED_DUPLICATE = "suspected_duplicate"
    MANUAL = "manual"
    PAYMENT = "payment"
    AWAITING_PAYMENT = "awaiting_payment"  # a cash sale not paid yet (released when paid)


class OrderAction(StrEnum):
    PLACE = "place"
    CONFIRM = "confirm"
    HOLD = "hold"
    RELEASE = "release"
    CANCEL = "cancel"
    COMPLETE = "complete"


S = OrderStatus
TRANSITIONS: dict[tuple[OrderStatus, OrderAction], OrderStatus | None] = {
    (S.DRAFT, OrderAction.PLACE): S.PLACED,
    (S.DRAFT, OrderAction.CANCEL): S.CANCELLED,
    (S.PLACED, OrderAction.CONFIRM): S.CONFIRMED,
    (S.PLACED, OrderAction.HOLD): S.ON_HOLD,
    (S.PLACED, OrderAction.CANCEL): S.CANCELLED,
    (S.CONFIRMED, OrderAction.HOLD): S.ON_HOLD,
    (S.CONFIRMED, OrderAction.CANCEL): S.CANCELLED,
    (S.CONFIRMED, OrderAction.COMPLETE): S.COMPLETED,
    (S.ON_HOLD, OrderAction.RELEASE): None,  # back to the state it was held from
    (S.ON_HOLD, OrderAction.CANCEL): S.CANCELLED,
}

OPEN_STATUSES = frozenset({S.DRAFT, S.PLACED, S.CONFIRMED, S.ON_HOLD})
RESERVING_STATUSES = frozenset({S.PLACED, S.CONFIRMED, S.ON_HOLD})


def check_transition(
    current: OrderStatus, action: OrderAction, *, held_from: OrderStatus | None = None
) -> OrderStatus:
    """Return the state ``action`` leads to from ``current``, or raise InvalidTransition."""
    if (current, action) not in TRANSITIONS:
        raise InvalidTransition(
            f"cannot {action} an order that is {current}",
            extra={"current_status": current.value, "action": action.value},
        )
    target = TRANSITIONS[(current, action)]
    if target is None:
        if held_from is None or held_from not in (S.PLACED, S.CONFIRMED):
            raise InvalidTransition("the order has no state to be released to")
        return held_from
    return target


SYSTEM_ACTIONS = frozenset({OrderAction.COMPLETE})  # driven by fulfilment, not by a person


def allowed_actions(current: OrderStatus) -> list[OrderAction]:
    """What a person may do next with an order in ``current`` state."""
    return [
        action
        for (state, action) in TRANSITIONS
        if state == current and action not in SYSTEM_ACTIONS
    ]
