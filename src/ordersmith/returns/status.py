"""The return (RMA) lifecycle: states, the transition table and its guard.

    requested ──authorise──▶ authorised ──ship──▶ in_transit ──receive──▶ received
        │                        │  └───────────────receive──────────────────▲
        ├──reject──▶ rejected    │                                           │
        └──cancel──▶ cancelled ◀─┴──cancel── (requested, authorised, in_transit)
    received ──inspect──▶ inspected ──resolve──▶ resolved

``ship`` (the customer sent the parcel, with a carrier and tracking number when known)
is optional: goods may arrive without it. A return in transit may be shipped again to
correct its tracking. ``cancel`` is allowed until the goods are received (by the
customer or by staff). ``resolved`` is final: the refund, credit note or replacement
order exists, and nothing more happens to the return (ADR 0019).
"""

from __future__ import annotations

from enum import StrEnum

from ordersmith.errors import InvalidTransition


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    AUTHORISED = "authorised"
    REJECTED = "rejected"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class ReturnAction(StrEnum):
    AUTHORISE = "authorise"
    REJECT = "reject"
    SHIP = "ship"
    RECEIVE = "receive"
    INSPECT = "inspect"
    RESOLVE = "resolve"
    CANCEL = "cancel"


S = ReturnStatus
A = ReturnAction
TRANSITIONS: dict[tuple[ReturnStatus, ReturnAction], ReturnStatus] = {
    (S.REQUESTED, A.AUTHORISE): S.AUTHORISED,
    (S.REQUESTED, A.REJECT): S.REJECTED,
    (S.REQUESTED, A.CANCEL): S.CANCELLED,
    (S.AUTHORISED, A.SHIP): S.IN_TRANSIT,
    (S.AUTHORISED, A.RECEIVE): S.RECEIVED,
    (S.AUTHORISED, A.CANCEL): S.CANCELLED,
    (S.IN_TRANSIT, A.SHIP): S.IN_TRANSIT,  # a corrected carrier or tracking number
    (S.IN_TRANSIT, A.RECEIVE): S.RECEIVED,
    (S.IN_TRANSIT, A.CANCEL): S.CANCELLED,
    (S.RECEIVED, A.INSPECT): S.INSPECTED,
    (S.INSPECTED, A.RESOLVE): S.RESOLVED,
}

#: Before the goods are back: a line claims the units requested.
AWAITING_GOODS = frozenset({S.REQUESTED, S.AUTHORISED, S.IN_TRANSIT})
#: The goods are back: a line claims the units received.
GOODS_BACK = frozenset({S.RECEIVED, S.INSPECTED, S.RESOLVED})
#: Claims nothing: the units may be asked for again.
VOID = frozenset({S.REJECTED, S.CANCELLED})
#: Actions a customer may take on their own return; the others are staff decisions.
CUSTOMER_ACTIONS = frozenset({A.SHIP, A.CANCEL})


def check_transition(current: ReturnStatus, action: ReturnAction) -> ReturnStatus:
    """The state ``action`` leads to from ``current``, or InvalidTransition."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise InvalidTransition(
            f"cannot {action} a return that is {current}",
            extra={"current_status": current.value, "action": action.value},
        )
    return target


def allowed_actions(current: ReturnStatus, *, customer: bool = False) -> list[ReturnAction]:
    """What may be done next with a return in ``current`` state (by a customer: only
    their own actions)."""
    return [
        action
        for (state, action) in TRANSITIONS
        if state == current and (not customer or action in CUSTOMER_ACTIONS)
    ]
