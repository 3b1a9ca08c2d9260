"""Returns invariants for ``ordersmith check`` (each query returns only what is wrong).

- ``returns_within_shipped``: per order line, the units its returns claim (open ones
  what they ask for, received ones what arrived; rejected and cancelled ones nothing)
  never exceed the units shipped.
- ``return_dispositions_match_ledger``: per return, warehouse and product, the units
  restocked, refurbished or scrapped equal the ``return`` movements the ledger booked
  for the return (source ``rma`` / its number), and the units scrapped equal its
  write-offs (``adjustment`` movements, negative) — compared from both sides, so a
  disposition without its movement, or a movement naming no disposition, is drift.
- ``return_dispositions_cover_receipts``: on an inspected or resolved return, every
  line's dispositions add up to the units it received.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.queries import skus_for
from ordersmith.checks import Violation
from ordersmith.db import table_of
from ordersmith.inventory.models import MovementKind, StockMovement
from ordersmith.orders.models import Order, OrderLine
from ordersmith.returns.eligibility import claimed_quantity
from ordersmith.returns.models import (
    AT_WAREHOUSE,
    SOURCE_TYPE,
    Disposition,
    Return,
    ReturnDisposition,
    ReturnLine,
)
from ordersmith.returns.status import VOID, ReturnStatus

_R, _RL, _RD = table_of(Return), table_of(ReturnLine), table_of(ReturnDisposition)
Key = tuple[str, uuid.UUID, uuid.UUID]  # (return number, warehouse, product)


def returns_within_shipped(session: Session) -> list[Violation]:
    orders, lines = table_of(Order), table_of(OrderLine)
    claimed = (
        sa.select(_RL.c.order_line_id, sa.func.sum(claimed_quantity()).label("units"))
        .join(_R, _R.c.id == _RL.c.return_id)
        .where(_R.c.status.not_in([s.value for s in VOID]))
        .group_by(_RL.c.order_line_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(orders.c.number, lines.c.line_no, lines.c.shipped_quantity, claimed.c.units)
        .join(lines, lines.c.id == claimed.c.order_line_id)
        .join(orders, orders.c.id == lines.c.order_id)
        .where(claimed.c.units > lines.c.shipped_quantity)
    ).all()
    return [
        Violation(
            "returns_within_shipped",
            f"order {r[0]} line {r[1]}: {r[3]} units on returns but {r[2]} shipped",
        )
        for r in rows
    ]


def _sums(rows: Iterable[Any]) -> dict[Key, int]:
    return {(r[0], r[1], r[2]): int(r[3]) for r in rows if int(r[3] or 0) != 0}


def return_dispositions_match_ledger(session: Session) -> list[Violation]:
    moves = table_of(StockMovement)

    def decided(kinds: Iterable[Disposition]) -> dict[Key, int]:
        units = sa.func.sum(_RD.c.quantity)
        return _sums(
            session.execute(
                sa.select(_R.c.number, _RD.c.warehouse_id, _RL.c.product_id, units)
                .join(_RL, _RL.c.id == _RD.c.return_line_id)
                .join(_R, _R.c.id == _RD.c.return_id)
                .where(_RD.c.disposition.in_([k.value for k in kinds]))
                .group_by(_R.c.number, _RD.c.warehouse_id, _RL.c.product_id)
            )
        )

    def booked(kind: MovementKind, sign: int) -> dict[Key, int]:
        units = sign * sa.func.sum(moves.c.on_hand_delta)
        return _sums(
            session.execute(
                sa.select(moves.c.source_id, moves.c.warehouse_id, moves.c.product_id, units)
                .where(moves.c.source_type == SOURCE_TYPE, moves.c.kind == kind.value)
                .group_by(moves.c.source_id, moves.c.warehouse_id, moves.c.product_id)
            )
        )

    pairs = (
        ("received back", decided(AT_WAREHOUSE), booked(MovementKind.RETURN, 1)),
        ("written off", decided([Disposition.SCRAP]), booked(MovementKind.ADJUSTMENT, -1)),
    )
    products = {key[2] for _what, a, b in pairs for key in (*a, *b)}
    skus = skus_for(session, products)
    found = []
    for what, documents, ledger in pairs:
        for number, warehouse_id, product_id in sorted(set(documents) | set(ledger), key=str):
            key = (number, warehouse_id, product_id)
            if documents.get(key, 0) != ledger.get(key, 0):
                found.append(
                    Violation(
                        "return_dispositions_match_ledger",
                        f"return {number} warehouse {warehouse_id} product "
                        f"{skus.get(product_id, product_id)}: {what} {documents.get(key, 0)} "
                        f"by its dispositions, {ledger.get(key, 0)} by the ledger",
                    )
                )
    return found


def return_dispositions_cover_receipts(session: Session) -> list[Violation]:
    decided = (
        sa.select(_RD.c.return_line_id, sa.func.sum(_RD.c.quantity).label("units"))
        .group_by(_RD.c.return_line_id)
        .subquery()
    )
    units = sa.func.coalesce(decided.c.units, 0)
    rows = session.execute(
        sa.select(_R.c.number, _RL.c.line_no, _RL.c.received_quantity, units)
        .join(_RL, _RL.c.return_id == _R.c.id)
        .outerjoin(decided, decided.c.return_line_id == _RL.c.id)
        .where(
            _R.c.status.in_([ReturnStatus.INSPECTED.value, ReturnStatus.RESOLVED.value]),
            units != _RL.c.received_quantity,
        )
    ).all()
    return [
        Violation(
            "return_dispositions_cover_receipts",
            f"return {r[0]} line {r[1]}: {r[2]} received, {r[3]} decided at inspection",
        )
        for r in rows
    ]
