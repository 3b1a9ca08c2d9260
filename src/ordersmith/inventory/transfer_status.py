"""The stock transfer lifecycle: states, the transition table and its guard.

    draft ──dispatch──▶ in_transit ──receive──▶ partially_received ──receive──▶ received
      │                     │   └─────────────────receive (all of it)──────────▲
      └──cancel──▶ cancelled ◀──cancel──┘

Dispatch takes the goods off the source warehouse's stock (``transfer_out``); each
receipt puts units on the destination's (``transfer_in``). Whether a receipt leaves the
transfer ``partially_received`` or ``received`` is decided by its lines (what is still
outstanding), not chosen by the caller. Cancelling in transit puts the goods back into
the source warehouse, so nothing is lost; once part has arrived, the transfer can only
be received (ADR 0015).
"""

from __future__ import annotations

from enum import StrEnum

from ordersmith.errors import InvalidTransition


class TransferStatus(StrEnum):
    DRAFT = "draft"
    IN_TRANSIT = "in_transit"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class TransferAction(StrEnum):
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    CANCEL = "cancel"


S = TransferStatus
A = TransferAction
TRANSITIONS: dict[tuple[TransferStatus, TransferAction], TransferStatus | None] = {
    (S.DRAFT, A.DISPATCH): S.IN_TRANSIT,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.IN_TRANSIT, A.RECEIVE): None,  # partially_received or received, from the lines
    (S.IN_TRANSIT, A.CANCEL): S.CANCELLED,
    (S.PARTIALLY_RECEIVED, A.RECEIVE): None,
}

#: Goods are on the way: counted in transit, on neither warehouse's hand.
OPEN_STATUSES = frozenset({S.IN_TRANSIT, S.PARTIALLY_RECEIVED})
#: Nothing moves these any more.
TERMINAL = frozenset({S.RECEIVED, S.CANCELLED})


def ensure_allowed(current: TransferStatus, action: TransferAction) -> None:
    """Raise InvalidTransition unless ``action`` may be taken in ``current`` state."""
    if (current, action) not in TRANSITIONS:
        raise InvalidTransition(
            f"cannot {action} a transfer that is {current}",
            extra={"current_status": current.value, "action": action.value},
        )


def check_transition(
    current: TransferStatus, action: TransferAction, *, outstanding_after: int | None = None
) -> TransferStatus:
    """Return the state ``action`` leads to from ``current``, or raise InvalidTransition.

    A receipt needs ``outstanding_after``: the units still on the way once it is booked."""
    ensure_allowed(current, action)
    target = TRANSITIONS[(current, action)]
    if target is None:
        if outstanding_after is None or outstanding_after < 0:
            raise ValueError("a receipt needs the units still outstanding after it")
        return S.RECEIVED if outstanding_after == 0 else S.PARTIALLY_RECEIVED
    return target


def allowed_actions(current: TransferStatus) -> list[TransferAction]:
    """What a person may do next with a transfer in ``current`` state."""
    return [action for (state, action) in TRANSITIONS if state == current]
