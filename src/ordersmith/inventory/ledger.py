"""Posting to the stock ledger: the only code that changes stock levels.

Every stock effect is a list of ``Entry`` rows. ``post`` applies them set-based in a
constant number of statements whatever their count:

1. on PostgreSQL, lock the affected stock rows in key order (warehouse, product):
   no deadlocks between concurrent orders (ADR 0002); SQLite's BEGIN IMMEDIATE
   already serialises writers;
2. one conditional ``UPDATE ... RETURNING`` that applies every delta only where the
   result keeps ``0 <= reserved <= on_hand`` (never read-decide-write; CHECK
   constraints are the backstop);
3. one bulk INSERT of the movement rows (the append-only ledger).

If any row would break the rule, nothing is changed and ``LedgerRejected`` names the
rows; callers turn it into their own error (insufficient stock, negative stock).

Stock rows are locked before any gapless document counter is taken, never while one is
held (ADR 0034): ``post`` and ``lock_rows`` refuse it (``ordersmith.lock_order``), as do
the other places that lock stock rows (reservation, allocation, re-reservation).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock, pg_arrays
from ordersmith.catalog.queries import skus_for
from ordersmith.db import UtcDateTime, core, insert_ignoring_conflicts, insert_rows, table_of
from ordersmith.events import DomainEvent
from ordersmith.ids import new_id
from ordersmith.inventory import ledger_pg
from ordersmith.inventory.events import StockLow, StockOut
from ordersmith.inventory.models import MovementKind, StockLevel, StockMovement
from ordersmith.inventory.queries import warehouse_codes
from ordersmith.lock_order import refuse_stock_lock

Key = tuple[uuid.UUID, uuid.UUID]  # (warehouse_id, product_id)
V = TypeVar("V")


def in_key_order(by_key: dict[Key, V]) -> list[tuple[Key, V]]:
    """The items in (warehouse, product) order, the order stock rows are locked in. The
    UUIDs are compared as their integers: the same order, without a Python-level
    comparison per pair."""
    return sorted(by_key.items(), key=lambda item: (item[0][0].int, item[0][1].int))


@dataclass(frozen=True, slots=True)
class Entry:
    warehouse_id: uuid.UUID
    product_id: uuid.UUID
    kind: MovementKind
    on_hand_delta: int = 0
    reserved_delta: int = 0
    reason: str = ""
    source_type: str = ""
    source_id: str = ""

    @property
    def key(self) -> Key:
        return (self.warehouse_id, self.product_id)


@dataclass(frozen=True, slots=True)
class Level:
    on_hand: int
    reserved: int
    reorder_point: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class LedgerRejected(Exception):
    def __init__(self, keys: list[Key]) -> None:
        super().__init__(f"{len(keys)} stock rows would go out of bounds")
        self.keys = keys


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def key_filter(table: sa.Table, keys: Iterable[Key]) -> sa.ColumnElement[bool]:
    """``(warehouse = w AND product IN (...)) OR ...``: index-friendly on both databases."""
    by_warehouse: dict[uuid.UUID, list[uuid.UUID]] = {}
    for w, p in keys:
        by_warehouse.setdefault(w, []).append(p)
    return sa.or_(
        *(
            sa.and_(table.c.warehouse_id == w, table.c.product_id.in_(sorted(ps)))
            for w, ps in sorted(by_warehouse.items())
        )
    )


def lock_rows(session: Session, keys: Iterable[Key]) -> None:
    """Lock stock rows in (warehouse, product) order (PostgreSQL only; no-op on SQLite).
    LockOrderViolation (a bug) while a gapless counter is held, on either database."""
    refuse_stock_lock(session)
    keys = list(keys)
    if not keys or not is_postgresql(session):
        return
    levels = table_of(StockLevel)
    session.execute(
        sa.select(levels.c.warehouse_id)
        .where(key_filter(levels, keys))
        .order_by(levels.c.warehouse_id, levels.c.product_id)
        .with_for_update()
    )


def ensure_levels(session: Session, keys: Iterable[Key]) -> None:
    """Create missing stock rows (zero) so that receipts always have a row to update."""
    levels = table_of(StockLevel)
    now = clock.now()
    for w, p in sorted(set(keys)):
        insert_ignoring_conflicts(
            session,
            levels,
            {
                "warehouse_id": w,
                "product_id": p,
                "on_hand": 0,
                "reserved": 0,
                "reorder_point": 0,
                "bin_location": "",
                "updated_at": now,
            },
        )


def post(
    session: Session,
    entries: Sequence[Entry],
    *,
    actor: str,
    already_locked: bool = False,
) -> dict[Key, Level]:
    """Apply ``entries`` atomically; return the new level of every affected row.

    All or nothing: if any row would go out of bounds, the rows already updated by the
    conditional statement are put back (they are locked, or the writer is alone on
    SQLite) and ``LedgerRejected`` is raised."""
    if not entries:
        return {}
    refuse_stock_lock(session)
    deltas = _deltas(entries)
    if not already_locked:
        lock_rows(session, deltas)

    movements = _movement_rows(entries, actor)
    if is_postgresql(session):  # the movements ride on the update (ordersmith.inventory.ledger_pg)
        result = _levels(ledger_pg.apply(core(session), deltas, movements))
    else:
        result = _apply(session, deltas)
    if len(result) != len(deltas):
        applied = {k: (-d[0], -d[1]) for k, d in deltas.items() if k in result}
        if applied:  # put the in-bounds rows back: a rejected posting changes nothing
            if is_postgresql(session):
                ledger_pg.apply(core(session), applied, [])
            else:
                _apply(session, applied)
        raise LedgerRejected(sorted(k for k in deltas if k not in result))
    if not is_postgresql(session):
        insert_rows(core(session), table_of(StockMovement), movements)
    return result


def post_carried(
    session: Session, entries: Sequence[Entry], locked: dict[Key, Level], *, actor: str
) -> tuple[dict[Key, Level], pg_arrays.Rider]:
    """PostgreSQL, with every affected row locked by the caller and read as ``locked``:
    the new levels, and the posting as a rider for the caller's next write statement
    (``db.insert_together``), which applies it: one statement fewer (ADR 0037). The
    caller has checked the posting keeps every row in bounds (its plan); the rider
    checks it again, and a refusal is a bug that rolls the transaction back."""
    refuse_stock_lock(session)
    deltas = _deltas(entries)
    levels = {
        key: Level(locked[key].on_hand + h, locked[key].reserved + r, locked[key].reorder_point)
        for key, (h, r) in deltas.items()
    }
    return levels, ledger_pg.rider(deltas, _movement_rows(entries, actor))


def _deltas(entries: Sequence[Entry]) -> dict[Key, tuple[int, int]]:
    deltas: dict[Key, tuple[int, int]] = {}
    for e in entries:
        on_hand, reserved = deltas.get(e.key, (0, 0))
        deltas[e.key] = (on_hand + e.on_hand_delta, reserved + e.reserved_delta)
    return deltas


def _movement_rows(entries: Sequence[Entry], actor: str) -> list[dict[str, Any]]:
    now = clock.now()
    return [
        {
            "id": new_id(),
            "warehouse_id": e.warehouse_id,
            "product_id": e.product_id,
            "kind": e.kind.value,
            "on_hand_delta": e.on_hand_delta,
            "reserved_delta": e.reserved_delta,
            "reason": e.reason,
            "source_type": e.source_type,
            "source_id": e.source_id,
            "actor": actor,
            "created_at": now,
        }
        for e in entries
    ]


def _apply(session: Session, deltas: dict[Key, tuple[int, int]]) -> dict[Key, Level]:
    """One conditional UPDATE ... RETURNING for every row; rows that would leave
    ``0 <= reserved <= on_hand`` are not touched (and not returned)."""
    params: dict[str, Any] = {"now": clock.now()}
    for i, ((warehouse_id, product_id), (on_hand, reserved)) in enumerate(deltas.items()):
        params.update(
            {f"w{i}": warehouse_id, f"p{i}": product_id, f"h{i}": on_hand, f"r{i}": reserved}
        )
    return _levels(core(session).execute(_conditional_update(len(deltas)), params))


def _levels(rows: Iterable[Sequence[Any]]) -> dict[Key, Level]:
    """(warehouse, product, on_hand, reserved, reorder_point) rows by key."""
    return {(r[0], r[1]): Level(r[2], r[3], r[4]) for r in rows}


@functools.cache
def _conditional_update(n: int) -> sa.TextualSelect:
    """The statement for ``n`` rows, built once per size (building SQL expressions per
    order cost more Python time than the database work)."""
    match = [f"(warehouse_id = :w{i} AND product_id = :p{i})" for i in range(n)]
    on_hand = " ".join(f"WHEN {m} THEN :h{i}" for i, m in enumerate(match))
    reserved = " ".join(f"WHEN {m} THEN :r{i}" for i, m in enumerate(match))
    bounds = " OR ".join(
        f"({m} AND reserved + :r{i} >= 0 AND on_hand + :h{i} >= reserved + :r{i})"
        for i, m in enumerate(match)
    )
    sql = (
        f"UPDATE stock_levels SET on_hand = on_hand + CASE {on_hand} ELSE 0 END, "
        f"reserved = reserved + CASE {reserved} ELSE 0 END, updated_at = :now "
        f"WHERE {bounds} "
        "RETURNING warehouse_id, product_id, on_hand, reserved, reorder_point"
    )
    binds: list[sa.BindParameter[Any]] = [sa.bindparam("now", type_=UtcDateTime())]
    for i in range(n):
        binds += [
            sa.bindparam(f"w{i}", type_=sa.Uuid()),
            sa.bindparam(f"p{i}", type_=sa.Uuid()),
            sa.bindparam(f"h{i}", type_=sa.BigInteger()),
            sa.bindparam(f"r{i}", type_=sa.BigInteger()),
        ]
    return (
        sa.text(sql)
        .bindparams(*binds)
        .columns(
            sa.column("warehouse_id", sa.Uuid()),
            sa.column("product_id", sa.Uuid()),
            sa.column("on_hand", sa.BigInteger()),
            sa.column("reserved", sa.BigInteger()),
            sa.column("reorder_point", sa.BigInteger()),
        )
    )


def threshold_events(
    session: Session,
    entries: Sequence[Entry],
    levels: dict[Key, Level],
    *,
    labels: dict[uuid.UUID, str] | None = None,
) -> list[DomainEvent]:
    """StockLow / StockOut for rows whose available stock fell across a threshold."""
    change: dict[Key, int] = {}
    for e in entries:
        change[e.key] = change.get(e.key, 0) + e.on_hand_delta - e.reserved_delta
    crossed: list[tuple[Key, Level, int]] = []
    for key, delta in change.items():
        level = levels[key]
        before = level.available - delta
        fell_to_reorder_point = (
            level.reorder_point > 0 and before > level.reorder_point >= level.available
        )
        ran_out = before > 0 == level.available
        if delta < 0 and (fell_to_reorder_point or ran_out):
            crossed.append((key, level, before))
    if not crossed:
        return []
    names = labels_for(session, [k for k, _l, _b in crossed], labels)
    events: list[DomainEvent] = []
    for (w, p), level, before in crossed:
        if level.reorder_point > 0 and before > level.reorder_point >= level.available:
            events.append(
                StockLow(
                    aggregate_id=p,
                    warehouse_id=w,
                    warehouse=names[w],
                    sku=names[p],
                    available=level.available,
                    reorder_point=level.reorder_point,
                )
            )
        if level.available == 0:
            events.append(
                StockOut(
                    aggregate_id=p,
                    warehouse_id=w,
                    warehouse=names[w],
                    sku=names[p],
                    available=0,
                    requested=0,
                    shortfall=0,
                    source="depleted",
                )
            )
    return events


def labels_for(
    session: Session, keys: Iterable[Key], known: dict[uuid.UUID, str] | None = None
) -> dict[uuid.UUID, str]:
    """Warehouse codes and SKUs for ids (for readable event payloads)."""
    names = dict(known or {})
    keys = list(keys)
    missing_w = {w for w, _p in keys if w not in names}
    missing_p = {p for _w, p in keys if p not in names}
    if missing_w:
        names.update(warehouse_codes(session, missing_w))
    if missing_p:
        names.update(skus_for(session, missing_p))
    return names
