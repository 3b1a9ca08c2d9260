"""Identifiers that need no coordinator: UUIDv7 (RFC 9562), time-ordered and random.

A 10-line order takes ~25 ids, so ``new_id`` is on the hot path. Two things made it
cost ~1.7 µs: a ``getrandom`` system call per id, and ``uuid.UUID(int=…)``, whose
constructor checks its arguments in Python. Here the random bits come from a buffer of
``os.urandom`` output (the same CSPRNG, one system call per ~500 ids; a forked child
drops the pool and the lock it inherited), and the UUID is made the way
``uuid.UUID.__init__`` itself stores its value, without the checks a value built here
does not need: 0.9 µs instead of 1.7 on the project's machine.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

from ordersmith.forks import in_forked_children

_lock = threading.Lock()
_last_ms = 0
_counter = 0

_POOL_BYTES = 4096
_pool = b""
_taken = _POOL_BYTES

_MS_MASK = (1 << 48) - 1
_RAND_MASK = (1 << 62) - 1
_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_UNKNOWN = uuid.SafeUUID.unknown
_new_uuid = object.__new__
_store = object.__setattr__


def new_id() -> uuid.UUID:
    """Return a new UUIDv7.

    48 bits of Unix milliseconds, then a 12-bit counter (monotonic within one
    millisecond in this process, RFC 9562 method 1), then 62 random bits.
    """
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _counter = int.from_bytes(_random(2), "big") & 0x3FF  # leave room to count up
        else:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
        value = (
            ((_last_ms & _MS_MASK) << 80)
            | (_counter << 64)
            | _VERSION_AND_VARIANT
            | (int.from_bytes(_random(8), "big") & _RAND_MASK)
        )
    return uuid_of(value)


def uuid_of(value: int) -> uuid.UUID:
    """The UUID of a 128-bit ``value`` built here (so known to be in range), stored as
    ``uuid.UUID.__init__`` stores it: equal, hashed, printed and pickled the same."""
    made = _new_uuid(uuid.UUID)
    _store(made, "int", value)
    _store(made, "is_safe", _UNKNOWN)
    return made


def _random(size: int) -> bytes:
    """``size`` bytes of the process's pool of ``os.urandom`` output (the caller holds
    ``_lock``), refilled when used up."""
    global _taken
    start = _taken
    if start + size > _POOL_BYTES:
        _refill()
        start = 0
    _taken = start + size
    return _pool[start : start + size]


def _refill() -> None:
    global _pool, _taken
    in_forked_children(_start_afresh_in_child)  # from the first id on
    _pool, _taken = os.urandom(_POOL_BYTES), 0


def _start_afresh_in_child() -> None:
    """In a forked child: drop the parent's pool (its bits are the parent's to hand
    out), and take a new lock (a thread of the parent may have held the old one at the
    fork, and only the forking thread lives on in the child)."""
    global _lock, _taken
    _lock = threading.Lock()
    _taken = _POOL_BYTES
