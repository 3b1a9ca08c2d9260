"""The ledger's posting on PostgreSQL: one statement updates the rows and appends the
movements.

``UPDATE stock_levels … FROM unnest(…)`` applies every delta where the result keeps
``0 <= reserved <= on_hand``, and the movements are inserted in the same statement
only if every row was updated (a rejected posting writes no movement; the caller puts
the updated rows back and raises). The arrays make the text the same for any number
of rows (ordersmith.pg_arrays), so it is parsed once and prepared by the server. The
rows are already locked in key order by the caller (ADR 0002).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersmith import clock, pg_arrays
from ordersmith.db import table_of
from ordersmith.inventory.models import StockMovement

Key = tuple[uuid.UUID, uuid.UUID]

MOVEMENT_KEYS = (
    "id",
    "warehouse_id",
    "product_id",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "reason",
    "source_type",
    "source_id",
    "actor",
    "created_at",
)

_DELTAS = (
    pg_arrays.array_column("d_w", sa.Uuid()),
    pg_arrays.array_column("d_p", sa.Uuid()),
    pg_arrays.array_column("d_h", sa.BigInteger()),
    pg_arrays.array_column("d_r", sa.BigInteger()),
)

_UPDATE = f"""UPDATE stock_levels AS s
SET on_hand = s.on_hand + d.h, reserved = s.reserved + d.r, updated_at = %(now)s
FROM {pg_arrays.unnest(_DELTAS)} AS d(w, p, h, r)
WHERE s.warehouse_id = d.w AND s.product_id = d.p
  AND s.reserved + d.r >= 0 AND s.on_hand + d.h >= s.reserved + d.r
RETURNING s.warehouse_id, s.product_id, s.on_hand, s.reserved, s.reorder_point"""


def apply(
    conn: Connection, deltas: dict[Key, tuple[int, int]], movements: Sequence[dict[str, Any]]
) -> Sequence[Sequence[Any]]:
    """Apply ``deltas`` ((warehouse, product) → (on_hand, reserved)) and, if every row
    took its delta, append ``movements`` (rows of ``MOVEMENT_KEYS``). Returns the new
    (warehouse, product, on_hand, reserved, reorder_point) of the rows updated."""
    parameters = _parameters(deltas)
    if not movements:
        return pg_arrays.run(conn, _UPDATE, parameters)
    parameters |= _movement_parameters(deltas, movements)
    return pg_arrays.run(conn, f"WITH {_update_and_append()} SELECT * FROM u", parameters)


def rider(
    deltas: dict[Key, tuple[int, int]], movements: Sequence[dict[str, Any]]
) -> pg_arrays.Rider:
    """The same posting, as CTEs for the caller's next write statement to carry
    (``db.insert_together``): one statement fewer. It checks that every row took its
    delta; the rows must be locked already, so it cannot fail but for a bug."""
    parameters = _parameters(deltas) | _movement_parameters(deltas, movements)
    return pg_arrays.Rider(
        _update_and_append(), parameters, "(SELECT count(*) FROM u)", len(deltas)
    )


def _parameters(deltas: dict[Key, tuple[int, int]]) -> dict[str, Any]:
    keys, values = list(deltas), list(deltas.values())
    return {
        "now": clock.now(),
        "d_w": _DELTAS[0].literal([w for w, _p in keys]),
        "d_p": _DELTAS[1].literal([p for _w, p in keys]),
        "d_h": _DELTAS[2].literal([h for h, _r in values]),
        "d_r": _DELTAS[3].literal([r for _h, r in values]),
    }


def _movement_parameters(
    deltas: dict[Key, tuple[int, int]], movements: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    return {**_movement_insert().parameters(movements), "updated": len(deltas)}


@functools.cache
def _movement_insert() -> pg_arrays.UnnestInsert:
    insert = pg_arrays.unnest_insert(table_of(StockMovement), MOVEMENT_KEYS, "movements")
    assert insert is not None, "every movement column is given"
    return insert


@functools.cache
def _update_and_append() -> str:
    """The update (``u``) and the movements appended if every row took its delta."""
    return (
        f"u AS ({_UPDATE}), "
        f"m AS ({_movement_insert().sql} WHERE (SELECT count(*) FROM u) = %(updated)s)"
    )
