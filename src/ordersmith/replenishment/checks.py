"""Replenishment's invariants for ``ordersmith check``: one query each, returning only what
is wrong.

``replenishment_requests_match_documents``: a request names a document exactly when it
is ``ordered`` — a purchase on a purchase order to its supplier and delivered to its
warehouse, a transfer on a transfer from its source to its warehouse — with the quantity
that went there; a rejected request says why. (At most one open or approved request per
(warehouse, product) needs no check: the partial unique index guarantees it.)
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.checks import Violation
from ordersmith.db import table_of
from ordersmith.inventory.models import StockTransfer
from ordersmith.purchasing.models import PurchaseOrder
from ordersmith.replenishment.models import ReplenishmentRequest, RequestKind
from ordersmith.replenishment.status import RequestStatus

_RQ, _PO, _TR = table_of(ReplenishmentRequest), table_of(PurchaseOrder), table_of(StockTransfer)
NAME = "replenishment_requests_match_documents"


def requests_match_documents(session: Session) -> list[Violation]:
    ordered = _RQ.c.status == RequestStatus.ORDERED.value
    purchase = _RQ.c.kind == RequestKind.PURCHASE.value
    has_document = sa.or_(_RQ.c.purchase_order_id.is_not(None), _RQ.c.transfer_id.is_not(None))
    wrong = sa.or_(
        sa.and_(~ordered, sa.or_(has_document, _RQ.c.ordered_quantity.is_not(None))),
        sa.and_(
            ordered,
            sa.or_(
                _RQ.c.ordered_quantity.is_(None),
                _RQ.c.document_number == "",
                sa.and_(
                    purchase,
                    sa.or_(
                        _PO.c.id.is_(None),
                        _RQ.c.supplier_id.is_(None),
                        _RQ.c.transfer_id.is_not(None),
                        _PO.c.warehouse_id != _RQ.c.warehouse_id,
                        _PO.c.supplier_id != _RQ.c.supplier_id,
                        _PO.c.number != _RQ.c.document_number,
                    ),
                ),
                sa.and_(
                    ~purchase,
                    sa.or_(
                        _TR.c.id.is_(None),
                        _RQ.c.purchase_order_id.is_not(None),
                        _TR.c.to_warehouse_id != _RQ.c.warehouse_id,
                        _TR.c.from_warehouse_id != _RQ.c.source_warehouse_id,
                        _TR.c.number != _RQ.c.document_number,
                    ),
                ),
            ),
        ),
        sa.and_(_RQ.c.status == RequestStatus.REJECTED.value, _RQ.c.reject_reason == ""),
    )
    rows = session.execute(
        sa.select(_RQ.c.id, _RQ.c.status, _RQ.c.kind, _RQ.c.document_number)
        .outerjoin(_PO, _PO.c.id == _RQ.c.purchase_order_id)
        .outerjoin(_TR, _TR.c.id == _RQ.c.transfer_id)
        .where(wrong)
        .order_by(_RQ.c.id)
    ).all()
    return [
        Violation(
            NAME,
            f"request {r.id} ({r.status} {r.kind}) does not match its document "
            f"{r.document_number or '(none)'}",
        )
        for r in rows
    ]
