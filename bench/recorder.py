"""What client threads record: per-operation latencies and outcomes, the timed steps of
the long operations, what was acknowledged (for the consistency checks) and errors."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from bench.metrics import OpStats, SqlCounter

PLACE, STATUS, STOCK = "place_order", "order_status", "stock_level"
PAYMENT, FULFIL = "record_payment", "fulfil"
CONFIRM = "confirm_order"
"""Not a TPC-C operation: it follows the placement of an account customer's order in
the mix (see bench.workload)."""
LIST, HISTORY = "order_list", "customer_history"


@dataclass(frozen=True, slots=True)
class Started:
    wall: float
    cpu: float


def start() -> Started:
    return Started(time.perf_counter(), time.thread_time())


@dataclass
class Recorder:
    """What one client thread saw in one phase."""

    ops: dict[str, OpStats] = field(default_factory=dict)
    acked: dict[uuid.UUID, int] = field(default_factory=dict)  # order id -> lines
    bad_refs: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    payments: dict[uuid.UUID, Decimal] = field(default_factory=dict)  # payment id -> amount
    paid_orders: list[uuid.UUID] = field(default_factory=list)  # cash orders paid in full
    shipments: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # dispatched -> order
    orders_shipped: int = 0

    def record(self, op: str, seconds: float, outcome: str, cpu: float = 0.0) -> None:
        self.ops.setdefault(op, OpStats()).add(seconds, outcome, cpu)

    def finish(self, op: str, started: Started, outcome: str) -> None:
        """Record ``op`` from ``started`` (``start()``) to now: wall and thread CPU time."""
        self.record(
            op,
            time.perf_counter() - started.wall,
            outcome,
            time.thread_time() - started.cpu,
        )

    def error(self, op: str, detail: str) -> str:
        self.errors[op] += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(f"{op}: {detail}")
        return "error"

    def merge(self, other: Recorder) -> None:
        for op, stats in other.ops.items():
            self.ops.setdefault(op, OpStats()).merge(stats)
        self.acked.update(other.acked)
        self.bad_refs.extend(other.bad_refs)
        self.errors.update(other.errors)
        self.error_samples.extend(other.error_samples[: max(0, 10 - len(self.error_samples))])
        self.payments.update(other.payments)
        self.paid_orders.extend(other.paid_orders)
        self.shipments.update(other.shipments)
        self.orders_shipped += other.orders_shipped


class Steps:
    """Times the steps of an operation (``fulfil.wave``, ``record_payment.write``...)
    into the recorder, and labels their SQL for the statement counter. A step that
    raises records nothing: its operation records the error."""

    def __init__(self, rec: Recorder, sql: SqlCounter | None = None) -> None:
        self.rec, self.sql = rec, sql

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = start()
        with self.sql.labelled(name) if self.sql is not None else nullcontext():
            yield
        self.rec.finish(name, started, "ok")


def is_step(op: str) -> bool:
    return "." in op
