"""Inventory invariants for ``ordersmith check`` (each query returns only what is wrong)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.queries import skus_for
from ordersmith.checks import Violation
from ordersmith.db import table_of
from ordersmith.inventory.models import (
    MovementKind,
    StockMovement,
    StockTransfer,
    StockTransferLine,
)
from ordersmith.inventory.transfer_status import OPEN_STATUSES
from ordersmith.inventory.transfers import SOURCE_TYPE


def transfers_match_ledger(session: Session) -> list[Violation]:
    """Stock in transit is on no warehouse's hand, so the ledger must account for it:
    per product, units shipped and not received on open transfers == units the ledger
    sent out (``transfer_out``) minus units it put back on a hand (``transfer_in``) for
    transfers. Compared per (transfer, product), from both sides: a movement that names
    no open transfer, or an open transfer the ledger never shipped, is drift too."""
    transfers, lines, moves = (
        table_of(StockTransfer),
        table_of(StockTransferLine),
        table_of(StockMovement),
    )
    on_the_way = sa.func.sum(lines.c.shipped_quantity - lines.c.received_quantity)
    documents = session.execute(
        sa.select(transfers.c.number, lines.c.product_id, on_the_way)
        .join(lines, lines.c.transfer_id == transfers.c.id)
        .where(transfers.c.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(transfers.c.number, lines.c.product_id)
        .having(on_the_way != 0)
    ).all()
    sent = -sa.func.sum(moves.c.on_hand_delta)
    booked = session.execute(
        sa.select(moves.c.source_id, moves.c.product_id, sent)
        .where(
            moves.c.source_type == SOURCE_TYPE,
            moves.c.kind.in_([MovementKind.TRANSFER_OUT.value, MovementKind.TRANSFER_IN.value]),
        )
        .group_by(moves.c.source_id, moves.c.product_id)
        .having(sent != 0)
    ).all()
    in_transit = {(r[0], r[1]): int(r[2]) for r in documents}
    ledger = {(r[0], r[1]): int(r[2]) for r in booked}
    keys = set(in_transit) | set(ledger)
    skus = skus_for(session, {product_id for _number, product_id in keys})
    return [
        Violation(
            "transfers_match_ledger",
            f"transfer {number} product {skus.get(product_id, product_id)}: in transit "
            f"{in_transit.get((number, product_id), 0)}, ledger "
            f"{ledger.get((number, product_id), 0)} (sent minus put back on a hand)",
        )
        for number, product_id in sorted(keys, key=str)
        if in_transit.get((number, product_id), 0) != ledger.get((number, product_id), 0)
    ]
