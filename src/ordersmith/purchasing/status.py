"""The purchase order lifecycle: states, the transition table and its guard.

    draft ──approve──▶ approved ──send──▶ sent ──receive──▶ partially_received ─┐
      ▲ │                                                   │       ▲          │ receive
      └─┘ edit_lines                                        │       └──────────┘
                                                            ├──receive──▶ received ─┐
                                                            │   (all in)    │   ▲   │ receive
                                                            │               │   └───┘ (tolerance)
                                       close (with a reason)▼        close  ▼
                                                          closed ◀──────────┘
    draft / approved / sent ──cancel──▶ cancelled   (only while nothing is received)

``receive`` leads to ``partially_received`` or ``received``: which one is derived from the
lines' quantities by ``receipt_status`` (a pure function), never chosen by hand. A PO that
has received anything can no longer be cancelled, only closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from ordersmith.errors import InvalidTransition


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class PurchaseOrderAction(StrEnum):
    EDIT_LINES = "edit_lines"
    APPROVE = "approve"
    SEND = "send"
    RECEIVE = "receive"
    CLOSE = "close"
    CANCEL = "cancel"


S = PurchaseOrderStatus
A = PurchaseOrderAction
TRANSITIONS: dict[tuple[PurchaseOrderStatus, PurchaseOrderAction], PurchaseOrderStatus | None] = {
    (S.DRAFT, A.EDIT_LINES): S.DRAFT,
    (S.DRAFT, A.APPROVE): S.APPROVED,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.APPROVED, A.SEND): S.SENT,
    (S.APPROVED, A.CANCEL): S.CANCELLED,
    (S.SENT, A.RECEIVE): None,  # partially_received or received, from the quantities
    (S.SENT, A.CANCEL): S.CANCELLED,
    (S.PARTIALLY_RECEIVED, A.RECEIVE): None,
    (S.PARTIALLY_RECEIVED, A.CLOSE): S.CLOSED,  # a short close: needs a reason
    (S.RECEIVED, A.RECEIVE): None,  # only within the over-receipt tolerance
    (S.RECEIVED, A.CLOSE): S.CLOSED,
}

OPEN_STATUSES = frozenset({S.APPROVED, S.SENT, S.PARTIALLY_RECEIVED})
"""Goods are on order: approved, not yet all received, not closed (``queries.on_order``)."""
FINISHED_STATUSES = frozenset({S.RECEIVED, S.CLOSED})
"""Deliveries are over: what the fill rate of the scorecard is computed on."""


def check_transition(
    current: PurchaseOrderStatus, action: PurchaseOrderAction
) -> PurchaseOrderStatus | None:
    """The state ``action`` leads to from ``current`` (None: derived from the quantities,
    see ``receipt_status``), or raise InvalidTransition."""
    if (current, action) not in TRANSITIONS:
        raise InvalidTransition(
            f"cannot {action.value.replace('_', ' ')} a purchase order that is {current.value}",
            extra={"current_status": current.value, "action": action.value},
        )
    return TRANSITIONS[(current, action)]


def sources(action: PurchaseOrderAction) -> list[PurchaseOrderStatus]:
    """The states ``action`` may start from (for a conditional UPDATE), in a fixed order."""
    return [s for s in PurchaseOrderStatus if (s, action) in TRANSITIONS]


def receipt_status(lines: Iterable[tuple[int, int]]) -> PurchaseOrderStatus:
    """``received`` when every line's received quantity reached its ordered quantity,
    else ``partially_received`` (``lines`` are (ordered, received) pairs)."""
    return (
        S.RECEIVED
        if all(received >= ordered for ordered, received in lines)
        else S.PARTIALLY_RECEIVED
    )


def allowed_actions(current: PurchaseOrderStatus) -> list[PurchaseOrderAction]:
    """What may be done next with a purchase order in ``current`` state."""
    return [action for (state, action) in TRANSITIONS if state == current]
