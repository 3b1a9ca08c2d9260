"""What the harness measures: latencies, CPU from /proc, SQL statements, memory.

* Latency: wall time of each operation (``time.perf_counter``), per operation name, and
  the calling thread's CPU time during it (``time.thread_time``): in service mode the
  application's Python and, on SQLite, the database engine (in-process) — not
  PostgreSQL's server time, not time spent waiting for the GIL or a lock; over HTTP only
  the client's own work.
* CPU: user + system time from ``/proc/<pid>/stat`` (clock ticks), summed over a set of
  processes and differenced over a phase: the bench process itself (service mode: the
  application *and* its clients), the server's process tree (HTTP mode), and the
  PostgreSQL backends serving the bench database (``pg_stat_activity``).
* SQL: SQLAlchemy ``before_cursor_execute`` events on the engine. One execute (an
  ``executemany`` too) is one round trip. Transaction control is counted apart:
  psycopg sends ``BEGIN`` on its own before a transaction's first statement, COMMIT and
  ROLLBACK are round trips, and the pool's pre-ping (``SELECT 1`` on every checkout of
  a used connection, PostgreSQL only here) is one more. Each thread may label what it
  runs (``SqlCounter.labelled``), so that concurrent operations are counted apart, and
  a probe may ask for the statements by kind (verb and table, ``statement_label``).
* Memory: ``ru_maxrss`` of the bench process; ``VmHWM`` of the server's processes.
"""

from __future__ import annotations

import os
import re
import resource
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

TICKS = os.sysconf("SC_CLK_TCK")
PERCENTILES = (50, 95, 99)


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * pct // 100))  # ceil
    return sorted_values[int(rank) - 1]


@dataclass
class OpStats:
    """Latencies (seconds) and outcomes of one operation within one phase."""

    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    cpu_seconds: float = 0.0
    """CPU time of the calling thread over all calls (``time.thread_time``)."""

    def add(self, seconds: float, outcome: str, cpu: float = 0.0) -> None:
        self.latencies.append(seconds)
        self.outcomes[outcome] += 1
        self.cpu_seconds += cpu

    def merge(self, other: OpStats) -> None:
        self.latencies.extend(other.latencies)
        self.outcomes.update(other.outcomes)
        self.cpu_seconds += other.cpu_seconds

    def summary(self, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "count": len(ordered),
            "ops_per_s": round(len(ordered) / seconds, 1) if seconds else 0.0,
            **{f"p{p}_ms": round(percentile(ordered, p) * 1000, 2) for p in PERCENTILES},
            "thread_cpu_ms_per_op": (
                round(self.cpu_seconds * 1000 / len(ordered), 2) if ordered else None
            ),
            "outcomes": dict(self.outcomes),
        }


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()  # fields from 3 (state) on


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads); 0 if it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_of(root: int) -> list[int]:
    """``root`` and every process below it (from /proc, by parent pid)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def processes_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def peak_rss_kb(pids: Iterable[int]) -> int:
    """Sum of VmHWM (peak resident set) of ``pids``."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def self_peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class CpuMeter:
    """CPU seconds of a changing set of processes between ``start`` and ``stop``.

    A process that appears during the phase counts from its birth; one that ends
    during it loses what it used since ``start`` (pools keep their connections, so
    this is rare)."""

    def __init__(self, pids: Any) -> None:
        self._pids = pids  # a callable returning the current pids
        self._before: dict[int, float] = {}
        self.seconds = 0.0

    def start(self) -> None:
        self._before = {pid: process_cpu_seconds(pid) for pid in self._pids()}

    def stop(self) -> float:
        after = {pid: process_cpu_seconds(pid) for pid in self._pids()}
        used = sum(cpu - self._before.get(pid, 0.0) for pid, cpu in after.items())
        self.seconds = max(0.0, used)
        return self.seconds


class SqlCounter:
    """Counts statements and round trips on one engine while ``enabled``: in total, and
    per label (``labelled``), a thread's current operation or step, so that a mix of
    concurrent operations still gives statements per operation."""

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.counts: Counter[str] = Counter()
        self.by_label: Counter[tuple[str, str]] = Counter()
        self.kinds: Counter[tuple[str, str]] | None = None
        """When set: statements per (label, ``statement_label``), to show where they go."""
        self.enabled = False
        self._postgres = engine.dialect.name == "postgresql"
        self._pre_ping = bool(getattr(engine.pool, "_pre_ping", False))
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine, "begin", self._on_begin)
        event.listen(engine, "commit", self._on_tx("commit"))
        event.listen(engine, "rollback", self._on_tx("rollback"))
        event.listen(engine.pool, "checkout", self._on_checkout)

    def _bump(self, key: str) -> None:
        if self.enabled:
            label: str | None = getattr(self._local, "label", None)
            with self._lock:
                self.counts[key] += 1
                if label is not None:
                    self.by_label[(label, key)] += 1

    @contextmanager
    def labelled(self, label: str) -> Iterator[None]:
        """Count what this thread executes inside the block under ``label``."""
        outer = getattr(self._local, "label", None)
        self._local.label = label
        try:
            yield
        finally:
            self._local.label = outer

    def _on_execute(self, *args: Any) -> None:
        statement: str = args[2]
        if statement.lstrip()[:5].upper() == "BEGIN":
            self._bump("begin")  # SQLite: BEGIN IMMEDIATE / DEFERRED
            return
        self._bump("statements")
        if self.enabled and self.kinds is not None:
            label = getattr(self._local, "label", None) or ""
            with self._lock:
                self.kinds[(label, statement_label(statement))] += 1

    def _on_begin(self, _conn: Any) -> None:
        if self._postgres:
            self._bump("begin")  # psycopg sends BEGIN before the first statement

    def _on_tx(self, kind: str) -> Any:
        def handler(_conn: Any) -> None:
            self._bump(kind)

        return handler

    def _on_checkout(self, _dbapi: Any, record: Any, _proxy: Any) -> None:
        if self._pre_ping:
            self._bump("pre_ping")

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)

    def label_snapshot(self) -> Counter[tuple[str, str]]:
        with self._lock:
            return Counter(self.by_label)

    @staticmethod
    def of_label(counts: Counter[tuple[str, str]], prefix: str) -> Counter[str]:
        """The counts of ``prefix`` and of its steps (``prefix.step``), merged."""
        out: Counter[str] = Counter()
        for (label, key), n in counts.items():
            if label == prefix or label.startswith(prefix + "."):
                out[key] += n
        return out

    @staticmethod
    def per(counts: Counter[str], divisor: int) -> dict[str, float]:
        """Statements and round trips per ``divisor`` (e.g. per order)."""
        if divisor <= 0:
            return {}
        trips = sum(counts[k] for k in ("statements", "begin", "commit", "rollback", "pre_ping"))
        return {
            "statements": round(counts["statements"] / divisor, 2),
            "round_trips": round(trips / divisor, 2),
            "transactions": round((counts["commit"] + counts["rollback"]) / divisor, 2),
            "pre_pings": round(counts["pre_ping"] / divisor, 2),
        }


def statement_label(statement: str) -> str:
    """A short name for a SQL statement: its verb and first table."""
    upper = statement.upper()
    if "PG_ADVISORY_XACT_LOCK" in upper:
        return "SELECT pg_advisory_xact_lock"
    verb = upper.split(maxsplit=1)[0] if upper.strip() else "?"
    found = _TABLE.search(statement)
    suffix = " FOR UPDATE" if "FOR UPDATE" in upper else ""
    return f"{verb} {found.group(1) if found else '-'}{suffix}"


_TABLE = re.compile(r"\b(?:INTO|UPDATE|FROM)\s+\"?(\w+)", re.IGNORECASE)


class StatementTimer:
    """Per statement kind: the wall time spent inside the driver (network + database)
    and, with ``backend_cpu`` and the database on this machine, the CPU its backend
    spent meanwhile (``/proc/<backend pid>/schedstat``, nanoseconds, from the
    connection's ``backend_pid``; PostgreSQL only). Reading it costs the client two
    file reads per statement, so measure the client's CPU without it. A transaction's
    ``BEGIN`` counts with its first statement; ``COMMIT`` belongs to no statement."""

    def __init__(self, engine: Engine, *, backend_cpu: bool = False) -> None:
        self.totals: Counter[str] = Counter()
        self.backend_cpu: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self._engine = engine
        self._with_backend = backend_cpu
        self._local = threading.local()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._before)
        event.remove(self._engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, *args: Any) -> None:
        self._local.pid = _backend_pid(conn) if self._with_backend else None
        self._local.cpu = backend_cpu_seconds(self._local.pid)
        self._local.started = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        wall = time.perf_counter() - self._local.started
        label = statement_label(statement)
        self.totals[label] += wall
        self.counts[label] += 1
        before, after = self._local.cpu, backend_cpu_seconds(self._local.pid)
        if before is not None and after is not None:
            self.backend_cpu[label] += after - before

    def reset(self) -> None:
        self.totals.clear()
        self.backend_cpu.clear()
        self.counts.clear()


def _backend_pid(conn: Any) -> int | None:
    """The PostgreSQL backend's pid of a SQLAlchemy connection (no round trip)."""
    info = getattr(conn.connection.dbapi_connection, "info", None)
    pid = getattr(info, "backend_pid", None)
    return pid if isinstance(pid, int) else None


def backend_cpu_seconds(pid: int | None) -> float | None:
    """CPU seconds a local process has run (``schedstat``: nanoseconds, not clock
    ticks); None for no pid or a process not on this machine."""
    if pid is None:
        return None
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None
