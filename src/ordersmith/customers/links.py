"""Records linked across customers: what a merge must never leave behind.

A row that names a customer and points at another row that names a customer (a return
and its order, an invoice and its order, a refund and its payment), or a row that points
at two such rows (a payment allocation: a payment and an invoice), must name the same
customer on both sides. The pairs are found from the metadata's foreign keys, like the
merge's references, so new tables are covered. ``unmerge_customer`` refuses to leave
such a split behind (records created after the merge may link the two customers' rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.db import metadata

_IGNORED = frozenset({"customers", "customer_merges"})
_CHUNK = 500  # bound on IN (...) parameters per statement


def _customer_column(table: sa.Table) -> sa.Column[Any] | None:
    for fk in table.foreign_keys:
        if fk.column.table.name == "customers" and fk.parent.table.name not in _IGNORED:
            return fk.parent
    return None


def link_pairs() -> list[
    tuple[sa.Table, sa.Column[Any] | None, sa.Column[Any], sa.Column[Any] | None]
]:
    """(table, its customer column or None, a foreign key column to an owned table, a
    second such foreign key column or None) for every link to check."""
    import ordersmith.models  # noqa: F401

    owned = {
        t.name: col for t in metadata.sorted_tables if (col := _customer_column(t)) is not None
    }
    pairs: list[Any] = []
    for table in metadata.sorted_tables:
        if table.name in _IGNORED:
            continue
        links = sorted(
            (
                fk.parent
                for fk in table.foreign_keys
                if fk.column.table.name in owned
                and fk.column.table.name not in _IGNORED
                and fk.column.name == "id"
            ),
            key=lambda c: c.name,
        )
        own = owned.get(table.name)
        if own is not None:
            pairs += [(table, own, link, None) for link in links]
        else:
            pairs += [(table, None, a, b) for i, a in enumerate(links) for b in links[i + 1 :]]
    return pairs


def _target_customer(column: sa.Column[Any]) -> tuple[Any, sa.Column[Any], sa.Column[Any]]:
    (fk,) = column.foreign_keys
    target = fk.column.table.alias()
    owner = _customer_column(fk.column.table)
    assert owner is not None
    return target, target.c[fk.column.name], target.c[owner.name]


def cross_customer_links(
    session: Session,
    customers: Sequence[uuid.UUID],
    moved: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """Links touching these customers whose two ends name different customers.

    ``moved`` (the merge's ``{"table.column": [primary keys]}``): only links with an end
    among those rows are looked at — a link between two rows that did not move cannot
    have been split by moving them — each by primary key (chunked), not by scanning the
    link tables. Without it, every link of the customers is checked."""
    found: list[str] = []
    wanted = list(customers)
    touched = None if moved is None else _ids_by_table(moved)
    for table, own, first, second in link_pairs():
        t1, id1, cust1 = _target_customer(first)
        query = sa.select(sa.literal(1)).select_from(table).join(t1, id1 == first)
        ends: list[tuple[str, sa.Column[Any]]] = [(_target_name(first), id1)]
        if own is None and second is not None:
            t2, id2, cust2 = _target_customer(second)
            query = query.join(t2, id2 == second)
            left, right = cust1, cust2
            ends.append((_target_name(second), id2))
        else:
            assert own is not None
            left, right = own, cust1
            ends.append((table.name, _pk(table)))
        query = query.where(left != right, sa.or_(left.in_(wanted), right.in_(wanted)))
        if _split(session, query, ends, touched):
            names = f"{first.name}" + (f"/{second.name}" if second is not None else "")
            found.append(f"{table.name} ({names})")
    return found


def _target_name(column: sa.Column[Any]) -> str:
    (fk,) = column.foreign_keys
    return str(fk.column.table.name)


def _pk(table: sa.Table) -> sa.Column[Any]:
    (pk,) = table.primary_key.columns
    return pk


def _ids_by_table(moved: Mapping[str, Sequence[str]]) -> dict[str, list[Any]]:
    by_table: dict[str, list[Any]] = {}
    for key, ids in moved.items():
        name = key.split(".")[0]
        pk = _pk(metadata.tables[name])
        values = [uuid.UUID(i) for i in ids] if isinstance(pk.type, sa.Uuid) else list(ids)
        by_table.setdefault(name, []).extend(values)
    return by_table


def _split(
    session: Session,
    query: sa.Select[Any],
    ends: list[tuple[str, sa.Column[Any]]],
    touched: dict[str, list[Any]] | None,
) -> bool:
    if touched is None:
        return session.execute(query.limit(1)).first() is not None
    for name, key in ends:
        ids = sorted(set(touched.get(name, ())), key=str)
        for start in range(0, len(ids), _CHUNK):
            chunk = query.where(key.in_(ids[start : start + _CHUNK])).limit(1)
            if session.execute(chunk).first() is not None:
                return True
    return False
