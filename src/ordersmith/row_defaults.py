"""The Python-side defaults of the columns a bulk insert's rows leave out."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def left_out_defaults(table: sa.Table, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """Each column missing from ``keys`` that has a scalar default, with that default;
    None when a key is no column of ``table`` or a missing column's default is
    callable (only ``sa.insert`` runs it)."""
    if any(key not in table.c for key in keys):
        return None
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.key in keys or default is None:
            continue
        if not isinstance(default, sa.ColumnDefault) or not default.is_scalar:
            return None
        defaults[column.key] = default.arg
    return defaults
