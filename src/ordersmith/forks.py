"""What a forked child must redo, registered on first use (nothing happens at import).

A module whose state a child must not inherit (a lock a parent's thread may hold, the
parent's random bits) asks for its reset the first time it builds that state.
"""

from __future__ import annotations

import os
from collections.abc import Callable

_registered: set[Callable[[], None]] = set()


def in_forked_children(callback: Callable[[], None]) -> None:
    """Have ``callback`` run in every child forked from now on; once per callback, so
    calling this on every first use is cheap. Callers hold their own lock."""
    if callback not in _registered:
        os.register_at_fork(after_in_child=callback)
        _registered.add(callback)
