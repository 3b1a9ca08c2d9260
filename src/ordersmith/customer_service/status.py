"""The case lifecycle: states, the transition table and its guard.

    open ──wait──▶ waiting_on_customer ──reopen──▶ open
      │                   │
      └──resolve──▶ resolved ◀──resolve──┘
                     │   └──reopen──▶ open
                     └──close──▶ closed (final)

``wait``: staff asked the customer something; the SLA clock stops until the case is
open again (a customer's reply reopens it). ``resolve`` needs a resolution text;
``reopen`` of a resolved case starts its clock again. ``closed`` is final: nothing more
happens to a closed case, not even a note (ADR 0021).
"""

from __future__ import annotations

from enum import StrEnum

from ordersmith.errors import InvalidTransition


class CaseStatus(StrEnum):
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CaseAction(StrEnum):
    WAIT = "wait"
    REOPEN = "reopen"
    RESOLVE = "resolve"
    CLOSE = "close"


S = CaseStatus
A = CaseAction
TRANSITIONS: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    (S.OPEN, A.WAIT): S.WAITING_ON_CUSTOMER,
    (S.OPEN, A.RESOLVE): S.RESOLVED,
    (S.WAITING_ON_CUSTOMER, A.REOPEN): S.OPEN,
    (S.WAITING_ON_CUSTOMER, A.RESOLVE): S.RESOLVED,
    (S.RESOLVED, A.REOPEN): S.OPEN,
    (S.RESOLVED, A.CLOSE): S.CLOSED,
}

#: The SLA clock runs only in these states; in the others it is stopped.
CLOCK_RUNS = frozenset({S.OPEN})
#: Done: resolved or closed (``resolved_at`` is set).
DONE = frozenset({S.RESOLVED, S.CLOSED})


def check_transition(current: CaseStatus, action: CaseAction) -> CaseStatus:
    """The state ``action`` leads to from ``current``, or InvalidTransition."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise InvalidTransition(
            f"cannot {action} a case that is {current}",
            extra={"current_status": current.value, "action": action.value},
        )
    return target


def allowed_actions(current: CaseStatus) -> list[CaseAction]:
    """What staff may do next with a case in ``current`` state."""
    return [action for (state, action) in TRANSITIONS if state == current]
