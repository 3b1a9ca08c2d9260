"""The life of one message in the communications log.

    queued ──claim──▶ sending ──sent──▶ sent
      ▲                 │ │
      └──── retry ──────┘ └──give up──▶ dead ──replay──▶ queued
    sending ──claim──▶ sending   (the lease ran out: the worker that held it stopped)

The worker changes status with conditional, set-based UPDATEs (``WHERE status IN
sources(target)``), so two workers can never both move one row; this table is what
those conditions are derived from, and ``check_transition`` guards single moves.
"""

from __future__ import annotations

from enum import StrEnum

from ordersmith.errors import InvalidTransition


class MessageStatus(StrEnum):
    QUEUED = "queued"
    """Waiting to be sent (first try, or a retry once ``next_attempt_at`` has passed)."""
    SENDING = "sending"
    """Claimed by a worker until ``lease_until``; due again if that worker stopped."""
    SENT = "sent"
    DEAD = "dead"
    """Failed ``outbox_max_attempts`` times (or permanently); waits for a replay."""


class MessageAction(StrEnum):
    CLAIM = "claim"
    SENT = "sent"
    RETRY = "retry"
    GIVE_UP = "give_up"
    REPLAY = "replay"


S, A = MessageStatus, MessageAction
TRANSITIONS: dict[tuple[MessageStatus, MessageAction], MessageStatus] = {
    (S.QUEUED, A.CLAIM): S.SENDING,
    (S.SENDING, A.CLAIM): S.SENDING,
    (S.SENDING, A.SENT): S.SENT,
    (S.SENDING, A.RETRY): S.QUEUED,
    (S.SENDING, A.GIVE_UP): S.DEAD,
    (S.DEAD, A.REPLAY): S.QUEUED,
}


def sources(action: MessageAction) -> list[MessageStatus]:
    """The states ``action`` may start from (for the UPDATE's WHERE), in a fixed order."""
    return [s for s in MessageStatus if (s, action) in TRANSITIONS]


def check_transition(current: MessageStatus, action: MessageAction) -> MessageStatus:
    """The state ``action`` leads to from ``current``, or raise InvalidTransition."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise InvalidTransition(
            f"cannot {action} a message that is {current}",
            extra={"current_status": current.value, "action": action.value},
        )
    return target
