"""The replenishment request lifecycle: states, the transition table and its guard.

    open ──approve──▶ approved ──order──▶ ordered
      │ ▲ edit          │ ▲ edit
      │ └──┘            │ └──┘
      └──reject──▶ rejected ◀──reject──┘

A request is raised ``open`` (by a StockLow / StockOut event, a review run, or by hand);
while it is open a new trigger for the same (warehouse, product) updates it instead of
raising another: at most one request per pair is ``open`` or ``approved`` (a partial
unique index). ``order`` turns approved requests into draft purchase orders or transfers.
A review that finds an open request no longer needed rejects it with the reason.
"""

from __future__ import annotations

from enum import StrEnum

from ordersmith.errors import InvalidTransition


class RequestStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    ORDERED = "ordered"
    REJECTED = "rejected"


class RequestAction(StrEnum):
    APPROVE = "approve"
    EDIT = "edit"
    REJECT = "reject"
    ORDER = "order"


S = RequestStatus
A = RequestAction
TRANSITIONS: dict[tuple[RequestStatus, RequestAction], RequestStatus] = {
    (S.OPEN, A.APPROVE): S.APPROVED,
    (S.OPEN, A.EDIT): S.OPEN,
    (S.OPEN, A.REJECT): S.REJECTED,
    (S.APPROVED, A.EDIT): S.APPROVED,
    (S.APPROVED, A.REJECT): S.REJECTED,
    (S.APPROVED, A.ORDER): S.ORDERED,
}

ACTIVE_STATUSES = frozenset({S.OPEN, S.APPROVED})
"""At most one request per (warehouse, product) is in one of these."""


def check_transition(current: RequestStatus, action: RequestAction) -> RequestStatus:
    """The state ``action`` leads to from ``current``, or raise InvalidTransition."""
    if (current, action) not in TRANSITIONS:
        raise InvalidTransition(
            f"cannot {action.value} a replenishment request that is {current.value}",
            extra={"current_status": current.value, "action": action.value},
        )
    return TRANSITIONS[(current, action)]


def sources(action: RequestAction) -> list[RequestStatus]:
    """The states ``action`` may start from (for a conditional UPDATE), in a fixed order."""
    return [s for s in RequestStatus if (s, action) in TRANSITIONS]


def allowed_actions(current: RequestStatus) -> list[RequestAction]:
    return [action for (state, action) in TRANSITIONS if state == current]
