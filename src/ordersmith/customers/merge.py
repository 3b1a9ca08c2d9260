"""Merging a duplicate customer into a survivor, and undoing it (ADR 0022).

Every row that references ``customers.id`` is found from the metadata's foreign keys (so
a table added later is covered without a change here), moved to the survivor by one
``UPDATE … RETURNING`` per referencing column, and its primary key kept on the
``customer_merges`` row; ``unmerge_customer`` moves exactly those rows back. The
duplicate stays, marked ``merged_into_id``: it is left out of lists, search, duplicate
detection and tiers (its tier is cleared, kept on the merge row and given back by the
unmerge), and opening anything new for it answers ``customer_merged``.

Locks follow ADR 0013: the duplicate's (or, undoing, the moved) shipments, then its
orders, each in id order (dispatch holds a shipment, then its orders), then both
customers in id order; the moved invoices, payments and the rest are only written under
those customer locks, which serialise each customer's billing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.customers.errors import (
    CustomerMergeNotFound,
    CustomerNotFound,
    MergeNotAllowed,
    UnmergeConflict,
)
from ordersmith.customers.events import CustomerMerged, CustomerUnmerged
from ordersmith.customers.history import history_row, record_history
from ordersmith.customers.links import cross_customer_links
from ordersmith.customers.models import Customer, CustomerMerge, LoyaltyTier
from ordersmith.db import metadata, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.uow import UnitOfWork
from ordersmith.validation import text

_CHUNK = 500
_NOT_MOVED = {("customers", "merged_into_id"), ("customer_merges", "survivor_id")}
_NOT_MOVED |= {("customer_merges", "duplicate_id")}
_FLAGS = {"customer_addresses": ("is_default", ("kind",)), "customer_contacts": ("is_primary", ())}
"""Per table: the flag only one row per customer (and these columns) may hold."""


@dataclass(frozen=True, slots=True)
class MergeView:
    id: uuid.UUID
    survivor_id: uuid.UUID
    duplicate_id: uuid.UUID
    reason: str
    moved: dict[str, int]
    """Rows moved per ``table.column``."""
    merged_by: str
    merged_at: datetime
    undone_by: str
    undone_at: datetime | None
    undo_reason: str


def customer_references() -> list[sa.Column[Any]]:
    """Every column holding a ``customers.id``, from the metadata's foreign keys."""
    import ordersmith.models  # noqa: F401  (every area's tables on the metadata)

    found = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            to_customers = fk.column.table.name == "customers" and fk.column.name == "id"
            if to_customers and (table.name, fk.parent.name) not in _NOT_MOVED:
                found.append(fk.parent)
    return sorted(found, key=lambda col: (col.table.name, col.name))


def _pk(table: sa.Table) -> sa.Column[Any]:
    (pk,) = table.primary_key.columns
    return pk


def _lock_customers(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
    c = table_of(Customer)
    rows = session.execute(
        sa.select(c).where(c.c.id.in_(sorted(set(ids)))).order_by(c.c.id).with_for_update()
    ).all()
    return {r.id: r for r in rows}


def _lock_rows(session: Session, table: str, where: sa.ColumnElement[bool]) -> None:
    t = metadata.tables[table]
    session.execute(sa.select(t.c.id).where(where).order_by(t.c.id).with_for_update()).all()


def _lock_moved(session: Session, table: str, ids: list[uuid.UUID]) -> None:
    t = metadata.tables[table]
    for start in range(0, len(ids), _CHUNK):
        _lock_rows(session, table, t.c.id.in_(ids[start : start + _CHUNK]))


def _reason(value: str) -> str:
    checks_text = text(500)
    try:
        return checks_text(value)
    except ValueError as exc:
        raise ValidationFailed(
            "a reason is required", fields=[FieldError("reason", str(exc))]
        ) from exc


def merge_customers(
    uow: UnitOfWork, *, survivor_id: uuid.UUID, duplicate_id: uuid.UUID, reason: str
) -> MergeView:
    """Move everything of ``duplicate_id`` to ``survivor_id`` and mark the duplicate
    merged. Raises ValidationFailed, CustomerNotFound, MergeNotAllowed (codes
    ``merge_same_customer``, ``customer_already_merged``, ``survivor_merged``,
    ``merge_currency_mismatch``); Forbidden without ``customers:merge``."""
    uow.authorize(Permission.CUSTOMERS_MERGE)
    why = _reason(reason)
    if survivor_id == duplicate_id:
        raise MergeNotAllowed("a customer cannot be merged into itself", code="merge_same_customer")
    session = uow.session
    for locked in ("shipments", "orders"):  # ADR 0013: shipments, orders, then customers
        _lock_rows(session, locked, metadata.tables[locked].c.customer_id == duplicate_id)
    rows = _lock_customers(session, (survivor_id, duplicate_id))
    for wanted in (survivor_id, duplicate_id):
        if wanted not in rows:
            raise CustomerNotFound(f"no customer {wanted}")
    survivor, duplicate = rows[survivor_id], rows[duplicate_id]
    if duplicate.merged_into_id is not None:
        raise MergeNotAllowed(
            f"customer {duplicate.number} is already merged into another customer",
            code="customer_already_merged",
        )
    if survivor.merged_into_id is not None:
        raise MergeNotAllowed(
            f"customer {survivor.number} was merged into another: merge into that one",
            code="survivor_merged",
        )
    if survivor.currency != duplicate.currency:
        raise MergeNotAllowed(
            f"{duplicate.number} bills in {duplicate.currency}, {survivor.number} in "
            f"{survivor.currency}: customers in different currencies cannot be merged",
            code="merge_currency_mismatch",
        )
    demoted = _demote_clashing_flags(session, survivor_id, duplicate_id)
    moved: dict[str, list[str]] = {}
    for column in customer_references():
        table = column.table
        result = session.execute(
            sa.update(table)
            .where(column == duplicate_id)
            .values({column.name: survivor_id})
            .returning(_pk(table))
        )
        ids = [str(pk) for (pk,) in result]
        if ids:
            moved[f"{table.name}.{column.name}"] = sorted(ids)
    now = clock.now()
    c = table_of(Customer)
    session.execute(
        sa.update(c)
        .where(c.c.id == duplicate_id)
        .values(merged_into_id=survivor_id, tier=None, tier_since=None, updated_at=now)
    )
    merge_id = new_id()
    session.execute(
        sa.insert(table_of(CustomerMerge)).values(
            id=merge_id,
            survivor_id=survivor_id,
            duplicate_id=duplicate_id,
            reason=why,
            moved=moved,
            demoted=demoted,
            duplicate_tier=duplicate.tier,
            duplicate_tier_since=duplicate.tier_since,
            merged_by=uow.actor,
            merged_at=now,
            undone_by="",
            undone_at=None,
            undo_reason="",
        )
    )
    counts = {k: len(v) for k, v in moved.items()}
    details = {"merge_id": str(merge_id), "reason": why, "moved": counts}
    record_history(
        uow,
        [
            history_row(uow, survivor_id, "merged", details | {"duplicate": duplicate.number}),
            history_row(uow, duplicate_id, "merged_into", details | {"survivor": survivor.number}),
        ],
    )
    uow.record(
        CustomerMerged(
            aggregate_id=survivor_id,
            number=survivor.number,
            merge_id=merge_id,
            duplicate_id=duplicate_id,
            duplicate_number=duplicate.number,
            moved=counts,
            reason=why,
        )
    )
    return get_merge(session, merge_id)


def _demote_clashing_flags(
    session: Session, survivor_id: uuid.UUID, duplicate_id: uuid.UUID
) -> dict[str, list[str]]:
    """The duplicate's default addresses (per kind) and primary contact lose their flag
    when the survivor has one already; which ones, for the unmerge."""
    demoted: dict[str, list[str]] = {}
    for name, (flag, scope) in _FLAGS.items():
        t = metadata.tables[name]
        mine = sa.select(t.c.id, *(t.c[s] for s in scope)).where(
            t.c.customer_id == duplicate_id, t.c[flag].is_(True)
        )
        theirs = {
            tuple(r[1:])
            for r in session.execute(
                sa.select(t.c.id, *(t.c[s] for s in scope)).where(
                    t.c.customer_id == survivor_id, t.c[flag].is_(True)
                )
            )
        }
        ids = [r[0] for r in session.execute(mine) if tuple(r[1:]) in theirs]
        if ids:
            session.execute(sa.update(t).where(t.c.id.in_(ids)).values({flag: False}))
            demoted[name] = sorted(str(i) for i in ids)
    return demoted


def unmerge_customer(uow: UnitOfWork, *, merge_id: uuid.UUID, reason: str) -> MergeView:
    """Move exactly the rows the merge moved back to the duplicate, and make it active
    again. Raises CustomerMergeNotFound, MergeNotAllowed (``merge_already_undone``,
    ``survivor_merged``), UnmergeConflict (records now linked across the two); Forbidden
    without ``customers:merge``."""
    uow.authorize(Permission.CUSTOMERS_MERGE)
    why = _reason(reason)
    session = uow.session
    m = table_of(CustomerMerge)
    merge = session.execute(sa.select(m).where(m.c.id == merge_id).with_for_update()).first()
    if merge is None:
        raise CustomerMergeNotFound(f"no customer merge {merge_id}")
    if merge.undone_at is not None:
        raise MergeNotAllowed("this merge was undone already", code="merge_already_undone")
    moved: dict[str, list[str]] = dict(merge.moved)
    for locked in ("shipments", "orders"):  # ADR 0013: shipments, orders, then customers
        _lock_moved(
            session, locked, sorted(uuid.UUID(i) for i in moved.get(f"{locked}.customer_id", []))
        )
    rows = _lock_customers(session, (merge.survivor_id, merge.duplicate_id))
    survivor, duplicate = rows[merge.survivor_id], rows[merge.duplicate_id]
    if survivor.merged_into_id is not None:
        raise MergeNotAllowed(
            f"customer {survivor.number} was merged into another since: undo that merge first",
            code="survivor_merged",
        )
    for key, ids in moved.items():
        table_name, column_name = key.split(".")
        table = metadata.tables[table_name]
        column, pk = table.c[column_name], _pk(table)
        for start in range(0, len(ids), _CHUNK):
            chunk: list[Any] = ids[start : start + _CHUNK]
            if isinstance(pk.type, sa.Uuid):
                chunk = [uuid.UUID(i) for i in chunk]
            session.execute(
                sa.update(table)
                .where(pk.in_(chunk), column == merge.survivor_id)
                .values({column.name: merge.duplicate_id})
            )
    for name, ids in dict(merge.demoted).items():
        t = metadata.tables[name]
        flag = _FLAGS[name][0]
        session.execute(
            sa.update(t)
            .where(t.c.id.in_([uuid.UUID(i) for i in ids]), t.c.customer_id == merge.duplicate_id)
            .values({flag: True})
        )
    conflicts = cross_customer_links(session, (merge.survivor_id, merge.duplicate_id), moved=moved)
    if conflicts:
        raise UnmergeConflict(
            f"undoing the merge would split linked records between {survivor.number} and "
            f"{duplicate.number}: {'; '.join(conflicts[:5])}",
            extra={"links": conflicts[:50]},
        )
    now = clock.now()
    c = table_of(Customer)
    tier = _tier_still_offered(session, merge.duplicate_tier)
    session.execute(
        sa.update(c)
        .where(c.c.id == merge.duplicate_id)
        .values(
            merged_into_id=None,
            tier=tier,
            tier_since=merge.duplicate_tier_since if tier else None,
            updated_at=now,
        )
    )
    session.execute(
        sa.update(m)
        .where(m.c.id == merge_id)
        .values(undone_by=uow.actor, undone_at=now, undo_reason=why)
    )
    details = {"merge_id": str(merge_id), "reason": why}
    record_history(
        uow,
        [
            history_row(
                uow, merge.survivor_id, "unmerged", details | {"duplicate": duplicate.number}
            ),
            history_row(
                uow, merge.duplicate_id, "unmerged_from", details | {"survivor": survivor.number}
            ),
        ],
    )
    uow.record(
        CustomerUnmerged(
            aggregate_id=merge.survivor_id,
            number=survivor.number,
            merge_id=merge_id,
            duplicate_id=merge.duplicate_id,
            duplicate_number=duplicate.number,
            reason=why,
        )
    )
    return get_merge(session, merge_id)


def _tier_still_offered(session: Session, code: str | None) -> str | None:
    """The duplicate's tier from before the merge, unless it was deleted since (then the
    next recalculation decides)."""
    if code is None:
        return None
    t = table_of(LoyaltyTier)
    return session.scalar(sa.select(t.c.code).where(t.c.code == code))


def _view(row: Any) -> MergeView:
    return MergeView(
        row.id,
        row.survivor_id,
        row.duplicate_id,
        row.reason,
        {k: len(v) for k, v in dict(row.moved).items()},
        row.merged_by,
        row.merged_at,
        row.undone_by,
        row.undone_at,
        row.undo_reason,
    )


def get_merge(session: Session, merge_id: uuid.UUID) -> MergeView:
    m = table_of(CustomerMerge)
    row = session.execute(sa.select(m).where(m.c.id == merge_id)).first()
    if row is None:
        raise CustomerMergeNotFound(f"no customer merge {merge_id}")
    return _view(row)


def list_merges(
    session: Session,
    *,
    customer_id: uuid.UUID | None = None,
    before: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> tuple[list[MergeView], bool]:
    """Merges newest first (keyset on merged_at, id: ``ix_customer_merges_merged``)."""
    m = table_of(CustomerMerge)
    query = sa.select(m).order_by(m.c.merged_at.desc(), m.c.id.desc()).limit(limit + 1)
    if customer_id is not None:
        query = query.where(sa.or_(m.c.survivor_id == customer_id, m.c.duplicate_id == customer_id))
    if before is not None:
        query = query.where(sa.tuple_(m.c.merged_at, m.c.id) < sa.tuple_(*before))
    rows = [_view(r) for r in session.execute(query)]
    return rows[:limit], len(rows) > limit
