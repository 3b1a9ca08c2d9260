"""Read side of purchasing: suppliers and their products, purchase orders with their
receipts, and the quantities on order per (warehouse, product).

Lists are keyset-paginated: suppliers by code (``after`` = the last code seen),
purchase orders newest first (``before`` = (created_at, id) of the last row seen).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.catalog.models import Product
from ordersmith.db import table_of
from ordersmith.inventory.models import Warehouse
from ordersmith.purchasing.errors import (
    PurchaseOrderNotFound,
    SupplierNotFound,
    SupplierProductNotFound,
)
from ordersmith.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    Supplier,
    SupplierProduct,
)
from ordersmith.purchasing.status import OPEN_STATUSES, PurchaseOrderStatus, allowed_actions
from ordersmith.purchasing.views import (
    OnOrderView,
    PurchaseOrderLineView,
    PurchaseOrderSummary,
    PurchaseOrderView,
    ReceiptLineView,
    ReceiptView,
    SupplierProductView,
    SupplierView,
)
from ordersmith.validation import matchable

_S, _SP = table_of(Supplier), table_of(SupplierProduct)
_PO, _POL = table_of(PurchaseOrder), table_of(PurchaseOrderLine)
_R, _RL = table_of(PurchaseReceipt), table_of(PurchaseReceiptLine)
_W, _P = table_of(Warehouse), table_of(Product)


def _ref_filter(ref: str | uuid.UUID, id_col: Any, key_col: Any, key: str) -> Any:
    """Match an id, or a human key (codes and numbers are stored upper-case)."""
    if isinstance(ref, uuid.UUID):
        return id_col == ref
    if not matchable(ref):
        return sa.false()
    try:
        return sa.or_(id_col == uuid.UUID(ref), key_col == key)
    except ValueError:
        return key_col == key


# -- suppliers ---------------------------------------------------------------------------


def supplier_view(row: Any) -> SupplierView:
    return SupplierView(
        row.id,
        row.code,
        row.name,
        row.contact_name,
        row.email,
        row.phone,
        row.currency,
        row.payment_terms_days,
        dict(row.address or {}),
        row.notes,
        bool(row.active),
        row.created_at,
        row.updated_at,
    )


def find_supplier(session: Session, ref: str | uuid.UUID) -> SupplierView | None:
    key = ref.strip().upper() if isinstance(ref, str) else ""
    row = session.execute(sa.select(_S).where(_ref_filter(ref, _S.c.id, _S.c.code, key))).first()
    return supplier_view(row) if row else None


def get_supplier(session: Session, ref: str | uuid.UUID) -> SupplierView:
    """The supplier with this id or code (any case); raises SupplierNotFound."""
    found = find_supplier(session, ref)
    if found is None:
        raise SupplierNotFound(f"no supplier with id or code {str(ref)!r}")
    return found


def list_suppliers(
    session: Session,
    *,
    active: bool | None = None,
    q: str | None = None,
    after: str | None = None,
    limit: int = 50,
) -> tuple[list[SupplierView], bool]:
    """Suppliers by code; ``q`` matches code or name (any case). And whether more follow."""
    if not matchable(q, after):
        return [], False
    query = sa.select(_S).order_by(_S.c.code).limit(limit + 1)
    if active is not None:
        query = query.where(_S.c.active.is_(active))
    if q:
        text = q.strip().lower()
        query = query.where(
            sa.or_(
                sa.func.lower(_S.c.code).contains(text, autoescape=True),
                sa.func.lower(_S.c.name).contains(text, autoescape=True),
            )
        )
    if after is not None:
        query = query.where(_S.c.code > after)
    rows = [supplier_view(r) for r in session.execute(query)]
    return rows[:limit], len(rows) > limit


def _supplier_products_query() -> sa.Select[Any]:
    return (
        sa.select(
            _SP.c.id,
            _SP.c.supplier_id,
            _S.c.code.label("supplier"),
            _SP.c.product_id,
            _P.c.sku,
            _P.c.name,
            _SP.c.supplier_sku,
            _SP.c.unit_cost,
            _S.c.currency,
            _SP.c.lead_time_days,
            _SP.c.min_order_quantity,
            _SP.c.pack_multiple,
            _SP.c.preferred,
            _SP.c.updated_at,
        )
        .join(_S, _S.c.id == _SP.c.supplier_id)
        .join(_P, _P.c.id == _SP.c.product_id)
    )


def supplier_products(
    session: Session,
    *,
    supplier_id: uuid.UUID | None = None,
    product_ids: Collection[uuid.UUID] | None = None,
) -> list[SupplierProductView]:
    """What suppliers supply, by SKU then supplier code: one supplier's, or the
    suppliers of some products."""
    query = _supplier_products_query().order_by(_P.c.sku, _S.c.code)
    if supplier_id is not None:
        query = query.where(_SP.c.supplier_id == supplier_id)
    if product_ids is not None:
        query = query.where(_SP.c.product_id.in_(sorted(set(product_ids))))
    return [SupplierProductView(*row) for row in session.execute(query)]


def get_supplier_product(
    session: Session, supplier_id: uuid.UUID, sku_or_id: str
) -> SupplierProductView:
    """The supplier's product by SKU or product id; SupplierProductNotFound otherwise."""
    if not matchable(sku_or_id):
        raise SupplierProductNotFound(f"the supplier does not supply {sku_or_id!r}")
    try:
        match: Any = sa.or_(_P.c.id == uuid.UUID(sku_or_id), _P.c.sku == sku_or_id)
    except ValueError:
        match = _P.c.sku == sku_or_id
    row = session.execute(
        _supplier_products_query().where(_SP.c.supplier_id == supplier_id, match)
    ).first()
    if row is None:
        raise SupplierProductNotFound(f"the supplier does not supply {sku_or_id!r}")
    return SupplierProductView(*row)


# -- purchase orders ---------------------------------------------------------------------


def _summary_query() -> sa.Select[Any]:
    return (
        sa.select(
            _PO.c.id,
            _PO.c.number,
            _PO.c.status,
            _PO.c.supplier_id,
            _S.c.code.label("supplier"),
            _S.c.name.label("supplier_name"),
            _PO.c.warehouse_id,
            _W.c.code.label("warehouse"),
            _PO.c.currency,
            _PO.c.total,
            _PO.c.created_at,
            _PO.c.sent_at,
        )
        .join(_S, _S.c.id == _PO.c.supplier_id)
        .join(_W, _W.c.id == _PO.c.warehouse_id)
    )


def purchase_order_id(session: Session, ref: str | uuid.UUID) -> uuid.UUID:
    """The id of the purchase order with this id or number; PurchaseOrderNotFound."""
    key = ref.strip().upper() if isinstance(ref, str) else ""
    found: uuid.UUID | None = session.scalar(
        sa.select(_PO.c.id).where(_ref_filter(ref, _PO.c.id, _PO.c.number, key))
    )
    if found is None:
        raise PurchaseOrderNotFound(f"no purchase order with id or number {str(ref)!r}")
    return found


@dataclass(frozen=True, slots=True)
class PurchaseOrderFilter:
    status: PurchaseOrderStatus | None = None
    supplier_id: uuid.UUID | None = None
    warehouse_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    """Orders with a line of this product (``ix_purchase_order_lines_product``)."""
    created_from: datetime | None = None
    created_before: datetime | None = None
    late_on: date | None = None
    """Sent or partly received orders with a line still open, expected before this day."""


def list_purchase_orders(
    session: Session,
    flt: PurchaseOrderFilter = PurchaseOrderFilter(),  # frozen: never mutated
    *,
    before: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> tuple[list[PurchaseOrderSummary], bool]:
    """Purchase orders newest first; and whether more follow."""
    query = _summary_query().order_by(_PO.c.created_at.desc(), _PO.c.id.desc()).limit(limit + 1)
    if flt.status is not None:
        query = query.where(_PO.c.status == flt.status.value)
    if flt.supplier_id is not None:
        query = query.where(_PO.c.supplier_id == flt.supplier_id)
    if flt.warehouse_id is not None:
        query = query.where(_PO.c.warehouse_id == flt.warehouse_id)
    query = _narrowed(query, flt)
    if before is not None:
        at, row_id = before
        query = query.where(
            sa.or_(_PO.c.created_at < at, sa.and_(_PO.c.created_at == at, _PO.c.id < row_id))
        )
    rows = [PurchaseOrderSummary(*row) for row in session.execute(query)]
    return rows[:limit], len(rows) > limit


def _narrowed(query: sa.Select[Any], flt: PurchaseOrderFilter) -> sa.Select[Any]:
    """The filters by product, creation time and lateness (added for the back office)."""
    if flt.product_id is not None:
        with_product = sa.select(_POL.c.purchase_order_id).where(
            _POL.c.product_id == flt.product_id
        )
        query = query.where(_PO.c.id.in_(with_product))
    if flt.created_from is not None:
        query = query.where(_PO.c.created_at >= flt.created_from)
    if flt.created_before is not None:
        query = query.where(_PO.c.created_at < flt.created_before)
    if flt.late_on is not None:
        expected = [PurchaseOrderStatus.SENT.value, PurchaseOrderStatus.PARTIALLY_RECEIVED.value]
        late_line = sa.exists().where(
            _POL.c.purchase_order_id == _PO.c.id,
            _POL.c.received_quantity < _POL.c.quantity,
            _POL.c.expected_date < flt.late_on,
        )
        query = query.where(_PO.c.status.in_(expected), late_line)
    return query


def purchase_order_lines(session: Session, po_id: uuid.UUID) -> list[PurchaseOrderLineView]:
    rows = session.execute(
        sa.select(
            _POL.c.id,
            _POL.c.line_no,
            _POL.c.product_id,
            _POL.c.sku,
            _POL.c.name,
            _POL.c.supplier_sku,
            _POL.c.quantity,
            _POL.c.received_quantity,
            _POL.c.unit_cost,
            _POL.c.amount,
            _POL.c.quoted_unit_cost,
            _POL.c.quoted_lead_time_days,
            _POL.c.expected_date,
        )
        .where(_POL.c.purchase_order_id == po_id)
        .order_by(_POL.c.line_no)
    )
    return [PurchaseOrderLineView(**row._asdict()) for row in rows]


def _receipts(session: Session, po_id: uuid.UUID) -> tuple[ReceiptView, ...]:
    lines: dict[uuid.UUID, list[ReceiptLineView]] = {}
    for receipt_id, *fields in session.execute(
        sa.select(
            _RL.c.receipt_id, _POL.c.line_no, _POL.c.sku, _RL.c.quantity, _RL.c.invoiced_unit_cost
        )
        .join(_R, _R.c.id == _RL.c.receipt_id)
        .join(_POL, _POL.c.id == _RL.c.purchase_order_line_id)
        .where(_R.c.purchase_order_id == po_id)
        .order_by(_POL.c.line_no)
    ):
        lines.setdefault(receipt_id, []).append(ReceiptLineView(*fields))
    rows = session.execute(
        sa.select(_R.c.id, _R.c.delivery_note, _R.c.note, _R.c.received_by, _R.c.received_at)
        .where(_R.c.purchase_order_id == po_id)
        .order_by(_R.c.received_at, _R.c.id)
    )
    return tuple(ReceiptView(*row, tuple(lines.get(row[0], ()))) for row in rows)


def get_purchase_order(session: Session, ref: str | uuid.UUID) -> PurchaseOrderView:
    """One purchase order by id or number, with its lines, receipts and next actions."""
    po_id = purchase_order_id(session, ref)
    head = session.execute(_summary_query().where(_PO.c.id == po_id)).one()
    row = session.execute(sa.select(_PO).where(_PO.c.id == po_id)).one()
    status = PurchaseOrderStatus(row.status)
    return PurchaseOrderView(
        id=row.id,
        number=row.number,
        status=status.value,
        supplier_id=row.supplier_id,
        supplier=head.supplier,
        supplier_name=head.supplier_name,
        warehouse_id=row.warehouse_id,
        warehouse=head.warehouse,
        currency=row.currency,
        payment_terms_days=row.payment_terms_days,
        total=row.total,
        notes=row.notes,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        sent_by=row.sent_by,
        sent_at=row.sent_at,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        close_reason=row.close_reason,
        cancelled_by=row.cancelled_by,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
        lines=tuple(purchase_order_lines(session, po_id)),
        receipts=_receipts(session, po_id),
        allowed_actions=tuple(a.value for a in allowed_actions(status)),
    )


# -- on order ----------------------------------------------------------------------------


def on_order(
    session: Session,
    *,
    warehouse_ids: Collection[uuid.UUID] | None = None,
    product_ids: Collection[uuid.UUID] | None = None,
    after: tuple[str, str] | None = None,
    limit: int | None = None,
    drafts: bool = False,
) -> list[OnOrderView]:
    """Units still to come per (warehouse, product) on approved, sent and partly received
    purchase orders (``open = quantity - received``, an over-received line counts 0),
    with the earliest expected date of the open lines. Ordered by SKU then warehouse
    code; ``after`` = (sku, warehouse code) of the last row seen. One grouped query.

    ``drafts``: the units on *draft* purchase orders instead. They are not on order
    (nothing is committed), but replenishment counts them so that it does not propose
    again what a buyer is already drafting."""
    open_qty = _POL.c.quantity - _POL.c.received_quantity
    statuses = [PurchaseOrderStatus.DRAFT] if drafts else OPEN_STATUSES
    grouped = (
        sa.select(
            _PO.c.warehouse_id,
            _POL.c.product_id,
            sa.func.sum(open_qty).label("quantity"),
            sa.func.min(_POL.c.expected_date).label("next_expected_date"),
        )
        .join(_PO, _PO.c.id == _POL.c.purchase_order_id)
        .where(_PO.c.status.in_(sorted(s.value for s in statuses)), open_qty > 0)
        .group_by(_PO.c.warehouse_id, _POL.c.product_id)
    )
    if warehouse_ids is not None:
        grouped = grouped.where(_PO.c.warehouse_id.in_(sorted(set(warehouse_ids))))
    if product_ids is not None:
        grouped = grouped.where(_POL.c.product_id.in_(sorted(set(product_ids))))
    sub = grouped.subquery()
    query = (
        sa.select(
            sub.c.warehouse_id,
            _W.c.code,
            sub.c.product_id,
            _P.c.sku,
            sub.c.quantity,
            sub.c.next_expected_date,
        )
        .join(_W, _W.c.id == sub.c.warehouse_id)
        .join(_P, _P.c.id == sub.c.product_id)
        .order_by(_P.c.sku, _W.c.code)
    )
    if after is not None:
        query = query.where(sa.tuple_(_P.c.sku, _W.c.code) > sa.tuple_(*after))
    if limit is not None:
        query = query.limit(limit)
    return [
        OnOrderView(w, code, p, sku, int(q), day)
        for w, code, p, sku, q, day in session.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class ExpectedReceipt:
    """Units still to come on open purchase orders, by the date their lines expect them."""

    warehouse_id: uuid.UUID
    product_id: uuid.UUID
    expected_date: date
    quantity: int


def expected_receipts(
    session: Session,
    *,
    product_ids: Collection[uuid.UUID],
    warehouse_ids: Collection[uuid.UUID] | None = None,
) -> list[ExpectedReceipt]:
    """The open units of approved, sent and partly received purchase orders per
    (warehouse, product, expected date), earliest first: what ``on_order`` sums, spread
    over the dates (the stock projection of ordersmith.forecasting). One grouped query."""
    open_qty = _POL.c.quantity - _POL.c.received_quantity
    query = (
        sa.select(
            _PO.c.warehouse_id, _POL.c.product_id, _POL.c.expected_date, sa.func.sum(open_qty)
        )
        .join(_PO, _PO.c.id == _POL.c.purchase_order_id)
        .where(
            _PO.c.status.in_(sorted(s.value for s in OPEN_STATUSES)),
            open_qty > 0,
            _POL.c.product_id.in_(sorted(set(product_ids))),
        )
        .group_by(_PO.c.warehouse_id, _POL.c.product_id, _POL.c.expected_date)
        .order_by(_POL.c.expected_date, _PO.c.warehouse_id, _POL.c.product_id)
    )
    if warehouse_ids is not None:
        query = query.where(_PO.c.warehouse_id.in_(sorted(set(warehouse_ids))))
    return [ExpectedReceipt(w, p, day, int(q)) for w, p, day, q in session.execute(query)]
