"""When to try again: capped exponential backoff with a little jitter."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min, … at most 1 h,
    plus up to a tenth more at random so retries of one outage do not arrive together."""
    doublings = min(max(attempts - 1, 0), 20)
    wait = min(FIRST_RETRY * (1 << doublings), LONGEST_WAIT)
    jitter_ms = random.randint(0, wait // timedelta(milliseconds=10))
    return wait + timedelta(milliseconds=jitter_ms)


def retry_at(now: datetime, attempts: int, max_attempts: int) -> datetime | None:
    """When to try again after ``attempts`` failed tries; None: give up (dead)."""
    if attempts >= max_attempts:
        return None
    return now + backoff(attempts)
