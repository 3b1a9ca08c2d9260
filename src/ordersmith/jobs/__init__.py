"""The worker: delivers outbox events to their handlers and sends queued messages.

    ordersmith worker           # poll until Ctrl-C (or inside `ordersmith serve`)
    ordersmith worker --once    # deliver everything due now, then exit

See ``ordersmith.jobs.worker`` (events, the loop) and ``ordersmith.jobs.mailing``
(the mail queue); delivery is at-least-once, retried with capped exponential backoff,
and parked as dead after ``outbox_max_attempts`` tries for an operator to replay.
"""
