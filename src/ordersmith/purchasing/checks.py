"""Purchasing's invariants for ``ordersmith check``: one aggregate query each, returning
only what is wrong.

- a purchase order's total is the sum of its lines' amounts;
- a line's ``received_quantity`` is the sum of its receipt lines (the projection equals
  the records);
- the status agrees with the quantities: nothing received before ``sent`` or when
  ``cancelled``; ``partially_received`` has something received and something open;
  ``received`` has nothing open.

The over-receipt bound is not re-checked here: the tolerance is a setting that may
change, and each receipt was held to the one in force when it was made (ADR 0016).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.checks import Violation
from ordersmith.db import table_of
from ordersmith.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceiptLine
from ordersmith.purchasing.status import PurchaseOrderStatus as S

_PO, _POL, _RL = table_of(PurchaseOrder), table_of(PurchaseOrderLine), table_of(PurchaseReceiptLine)


def purchase_order_totals_add_up(session: Session) -> list[Violation]:
    sums = (
        sa.select(_POL.c.purchase_order_id, sa.func.sum(_POL.c.amount).label("amount"))
        .group_by(_POL.c.purchase_order_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(_PO.c.number, _PO.c.total, sa.func.coalesce(sums.c.amount, 0))
        .outerjoin(sums, sums.c.purchase_order_id == _PO.c.id)
        .where(_PO.c.total != sa.func.coalesce(sums.c.amount, 0))
    ).all()
    return [
        Violation(
            "purchase_order_totals_add_up", f"{r[0]}: total {r[1]} but its lines sum to {r[2]}"
        )
        for r in rows
    ]


def received_equals_receipts(session: Session) -> list[Violation]:
    sums = (
        sa.select(_RL.c.purchase_order_line_id, sa.func.sum(_RL.c.quantity).label("q"))
        .group_by(_RL.c.purchase_order_line_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            _PO.c.number, _POL.c.line_no, _POL.c.received_quantity, sa.func.coalesce(sums.c.q, 0)
        )
        .join(_PO, _PO.c.id == _POL.c.purchase_order_id)
        .outerjoin(sums, sums.c.purchase_order_line_id == _POL.c.id)
        .where(_POL.c.received_quantity != sa.func.coalesce(sums.c.q, 0))
    ).all()
    return [
        Violation(
            "purchase_received_equals_receipts",
            f"{r[0]} line {r[1]}: received {r[2]} but its receipts total {r[3]}",
        )
        for r in rows
    ]


def status_matches_quantities(session: Session) -> list[Violation]:
    per_order = (
        sa.select(
            _POL.c.purchase_order_id,
            sa.func.sum(_POL.c.received_quantity).label("received"),
            sa.func.sum(sa.case((_POL.c.quantity > _POL.c.received_quantity, 1), else_=0)).label(
                "open_lines"
            ),
        )
        .group_by(_POL.c.purchase_order_id)
        .subquery()
    )
    received, open_lines = per_order.c.received, per_order.c.open_lines
    before = [s.value for s in (S.DRAFT, S.APPROVED, S.SENT, S.CANCELLED)]
    wrong: Any = sa.or_(
        sa.and_(_PO.c.status.in_(before), received > 0),
        sa.and_(_PO.c.status == S.PARTIALLY_RECEIVED.value, sa.or_(received == 0, open_lines == 0)),
        sa.and_(_PO.c.status == S.RECEIVED.value, open_lines > 0),
    )
    rows = session.execute(
        sa.select(_PO.c.number, _PO.c.status, received, open_lines)
        .join(per_order, per_order.c.purchase_order_id == _PO.c.id)
        .where(wrong)
    ).all()
    return [
        Violation(
            "purchase_status_matches_quantities",
            f"{r[0]} is {r[1]} with {r[2]} units received and {r[3]} lines open",
        )
        for r in rows
    ]
