"""Long-running processes put what they built at start-up out of the cycle collector's
reach, so that its full collections stay short (ADR 0044).

CPython's cyclic garbage collector walks every container object it tracks on a full
(generation 2) collection, and holds the GIL meanwhile. A server's process tracks a few
hundred thousand objects built once at start-up (modules, routes, pydantic schemas,
table metadata, compiled statements); on the benchmark's machine one full collection
over such a heap paused every thread for ~120 ms, the latency of each order in flight.
``gc.freeze()`` moves the objects tracked so far into a permanent generation that
collections skip: a full collection then walks only what was made since.

Objects frozen are still freed when their last reference goes (reference counting); only
a reference cycle among them would never be collected, which is why this runs once the
process is built and not in the middle of its work (and not in tests, which build many
applications in one process).
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect the garbage of start-up, then freeze every object still tracked; the
    number of objects now frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
