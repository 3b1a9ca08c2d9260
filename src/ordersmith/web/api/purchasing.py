"""Purchasing: suppliers and what they supply, purchase orders from draft to closed,
receipts into the warehouse, supplier scorecards and the quantities on order.

Suppliers are addressed by id or code, purchase orders by id or number. Creating POSTs
(suppliers, supplier products, purchase orders) and receipts accept `Idempotency-Key`:
a receipt retried with the same key is recorded once. Approving needs
`purchasing:approve`; reading `purchasing:read`; everything else `purchasing:write`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.inventory.queries import get_warehouse, product_id_for_sku
from ordersmith.purchasing import queries, receiving, services, suppliers
from ordersmith.purchasing.documents import purchase_order_pdf_bytes
from ordersmith.purchasing.inputs import LineInput, ReceiptLineInput
from ordersmith.purchasing.scorecard import supplier_scorecard
from ordersmith.purchasing.status import PurchaseOrderStatus
from ordersmith.uow import UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
    encode_time_cursor,
)
from ordersmith.web.schemas.common import Page
from ordersmith.web.schemas.purchasing import (
    OnOrderOut,
    PurchaseOrderCreate,
    PurchaseOrderLineIn,
    PurchaseOrderLinesIn,
    PurchaseOrderOut,
    PurchaseOrderSummaryOut,
    ReasonIn,
    ReceiveIn,
    ScorecardOut,
    SendIn,
    SupplierCreate,
    SupplierDetailOut,
    SupplierOut,
    SupplierProductCreate,
    SupplierProductOut,
    SupplierProductUpdate,
    SupplierUpdate,
)

router = APIRouter(tags=["purchasing"])

Reader = Annotated[Principal, Depends(require(Permission.PURCHASING_READ))]
Writer = Annotated[Principal, Depends(require(Permission.PURCHASING_WRITE))]
Approver = Annotated[Principal, Depends(require(Permission.PURCHASING_APPROVE))]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}


def _po_json(view: Any) -> dict[str, Any]:
    return PurchaseOrderOut.of(view).model_dump(mode="json")


def _lines(lines: list[PurchaseOrderLineIn]) -> list[LineInput]:
    return [LineInput(ln.sku, ln.quantity, ln.unit_cost, ln.expected_date) for ln in lines]


# -- suppliers ---------------------------------------------------------------------------


@router.post("/suppliers", status_code=201, response_model=SupplierOut)
def create_supplier(
    body: SupplierCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Add a supplier (409 `supplier_exists` when the code is taken)."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        fields = body.model_dump(exclude={"address"})
        address = body.address.model_dump() if body.address else None
        view = suppliers.create_supplier(uow, **fields, address=address)
        return SupplierOut.model_validate(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/suppliers", response_model=Page[SupplierOut])
def list_suppliers(
    db: DbDep,
    _: Reader,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=200, description="in code or name")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[SupplierOut]:
    """Suppliers by code."""
    after = decode_cursor(cursor, 1)[0] if cursor else None
    with db.reader() as session:
        items, more = queries.list_suppliers(session, active=active, q=q, after=after, limit=limit)
    return Page(
        items=[SupplierOut.model_validate(v) for v in items],
        next_cursor=encode_cursor([items[-1].code]) if more else None,
    )


@router.get("/suppliers/{supplier}", response_model=SupplierDetailOut)
def get_supplier(supplier: str, db: DbDep, _: Reader) -> SupplierDetailOut:
    """One supplier by id or code, with the products it supplies and its scorecard."""
    with db.reader() as session:
        view = queries.get_supplier(session, supplier)
        products = queries.supplier_products(session, supplier_id=view.id)
        card = supplier_scorecard(session, view.id)
    return SupplierDetailOut.model_validate(
        {
            **SupplierOut.model_validate(view).model_dump(),
            "products": [SupplierProductOut.model_validate(p) for p in products],
            "scorecard": ScorecardOut.of(card),
        }
    )


@router.patch("/suppliers/{supplier}", response_model=SupplierOut)
def update_supplier(
    supplier: str, body: SupplierUpdate, db: DbDep, principal: Writer
) -> SupplierOut:
    """Change some fields (`"address": null` clears the address; the code never changes)."""
    changes = body.model_dump(exclude_unset=True)
    if "address" in changes and body.address is not None:
        changes["address"] = body.address.model_dump()
    with db.unit_of_work(actor=principal.actor) as uow:
        view = suppliers.update_supplier(uow, supplier=supplier, **changes)
    return SupplierOut.model_validate(view)


@router.get("/suppliers/{supplier}/products", response_model=list[SupplierProductOut])
def list_supplier_products(supplier: str, db: DbDep, _: Reader) -> list[SupplierProductOut]:
    """What the supplier supplies, by SKU."""
    with db.reader() as session:
        found = queries.get_supplier(session, supplier)
        rows = queries.supplier_products(session, supplier_id=found.id)
    return [SupplierProductOut.model_validate(r) for r in rows]


@router.post("/suppliers/{supplier}/products", status_code=201, response_model=SupplierProductOut)
def add_supplier_product(
    supplier: str, body: SupplierProductCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """The supplier supplies a product: its SKU, cost (in the supplier's currency), lead
    time, minimum order quantity, pack multiple; `preferred` makes it the product's one
    preferred supplier (the previous one is no longer preferred)."""
    with db.reader() as session:
        supplier_id = queries.get_supplier(session, supplier).id

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = suppliers.add_supplier_product(uow, supplier=supplier_id, **body.model_dump())
        return SupplierProductOut.model_validate(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.patch("/suppliers/{supplier}/products/{sku:path}", response_model=SupplierProductOut)
def update_supplier_product(
    supplier: str, sku: str, body: SupplierProductUpdate, db: DbDep, principal: Writer
) -> SupplierProductOut:
    """Change the supplier's cost, lead time, order rules or preference for a product."""
    with db.unit_of_work(actor=principal.actor) as uow:
        view = suppliers.update_supplier_product(
            uow, supplier=supplier, sku=sku, **body.model_dump(exclude_unset=True)
        )
    return SupplierProductOut.model_validate(view)


@router.get("/suppliers/{supplier}/scorecard", response_model=ScorecardOut)
def scorecard(supplier: str, db: DbDep, _: Reader) -> ScorecardOut:
    """On-time delivery, fill rate, actual against quoted lead time, price variance."""
    with db.reader() as session:
        return ScorecardOut.of(supplier_scorecard(session, supplier))


# -- purchase orders ---------------------------------------------------------------------


@router.post("/purchase-orders", status_code=201, response_model=PurchaseOrderOut)
def create_purchase_order(
    body: PurchaseOrderCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """A draft purchase order (`PO-2026-000001`): lines priced from the supplier's
    products unless `unit_cost` is given, expected after their lead time unless dated."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = services.create_purchase_order(
            uow,
            supplier=body.supplier,
            warehouse=body.warehouse,
            lines=_lines(body.lines),
            notes=body.notes,
        )
        return _po_json(view)

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/purchase-orders", response_model=Page[PurchaseOrderSummaryOut])
def list_purchase_orders(
    db: DbDep,
    _: Reader,
    status: PurchaseOrderStatus | None = None,
    supplier: Annotated[str | None, Query(max_length=64, description="code or id")] = None,
    warehouse: Annotated[str | None, Query(max_length=64, description="code or id")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[PurchaseOrderSummaryOut]:
    """Purchase orders newest first."""
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        flt = queries.PurchaseOrderFilter(
            status=status,
            supplier_id=queries.get_supplier(session, supplier).id if supplier else None,
            warehouse_id=get_warehouse(session, warehouse).id if warehouse else None,
        )
        items, more = queries.list_purchase_orders(session, flt, before=before, limit=limit)
    return Page(
        items=[PurchaseOrderSummaryOut.model_validate(v) for v in items],
        next_cursor=encode_time_cursor(items[-1].created_at, items[-1].id) if more else None,
    )


@router.get("/purchase-orders/{purchase_order}", response_model=PurchaseOrderOut)
def get_purchase_order(purchase_order: str, db: DbDep, _: Reader) -> PurchaseOrderOut:
    """One purchase order by id or number: lines, receipts, the actions allowed now."""
    with db.reader() as session:
        return PurchaseOrderOut.of(queries.get_purchase_order(session, purchase_order))


@router.get("/purchase-orders/{purchase_order}/pdf", response_class=Response, responses=PDF)
def purchase_order_pdf(purchase_order: str, db: DbDep, _: Reader) -> Response:
    """The purchase order as printed (A4 PDF), as the supplier gets it."""
    with db.reader() as session:
        po_id = queries.purchase_order_id(session, purchase_order)
        number = queries.get_purchase_order(session, po_id).number
        content = purchase_order_pdf_bytes(session, db.settings, po_id)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )


def _act(db: DbDep, principal: Principal, purchase_order: str, act: Any) -> PurchaseOrderOut:
    with db.unit_of_work(actor=principal.actor) as uow:
        po_id = queries.purchase_order_id(uow.session, purchase_order)
        return PurchaseOrderOut.of(act(uow, po_id))


@router.put("/purchase-orders/{purchase_order}/lines", response_model=PurchaseOrderOut)
def replace_lines(
    purchase_order: str, body: PurchaseOrderLinesIn, db: DbDep, principal: Writer
) -> PurchaseOrderOut:
    """Replace the lines of a draft (409 `invalid_transition` once approved)."""
    return _act(
        db,
        principal,
        purchase_order,
        lambda uow, po_id: services.replace_purchase_order_lines(
            uow, purchase_order_id=po_id, lines=_lines(body.lines)
        ),
    )


@router.post("/purchase-orders/{purchase_order}/approve", response_model=PurchaseOrderOut)
def approve(purchase_order: str, db: DbDep, principal: Approver) -> PurchaseOrderOut:
    """draft → approved (needs `purchasing:approve`)."""
    return _act(
        db,
        principal,
        purchase_order,
        lambda uow, po_id: services.approve_purchase_order(uow, purchase_order_id=po_id),
    )


@router.post("/purchase-orders/{purchase_order}/send", response_model=PurchaseOrderOut)
def send(
    purchase_order: str, db: DbDep, principal: Writer, body: SendIn | None = None
) -> PurchaseOrderOut:
    """approved → sent; the PDF is emailed to the supplier by the worker (409
    `supplier_has_no_email` without an address, unless `"email": false`)."""
    email = body.email if body else True
    return _act(
        db,
        principal,
        purchase_order,
        lambda uow, po_id: services.send_purchase_order(uow, purchase_order_id=po_id, email=email),
    )


@router.post("/purchase-orders/{purchase_order}/receive", response_model=PurchaseOrderOut)
def receive(
    purchase_order: str,
    request: Request,
    db: DbDep,
    principal: Writer,
    body: ReceiveIn | None = None,
) -> JSONResponse:
    """Record a delivery: units per line (`line_no`), or everything still open without
    `lines`. Stock is received into the order's warehouse and waiting backorders are
    allocated in the same transaction. 409 `over_receipt` beyond the tolerance. Send
    `Idempotency-Key`: a retried receipt is recorded once."""
    given = body or ReceiveIn()
    lines = (
        None
        if given.lines is None
        else [ReceiptLineInput(ln.line_no, ln.quantity, ln.unit_cost) for ln in given.lines]
    )
    with db.reader() as session:
        po_id = queries.purchase_order_id(session, purchase_order)

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = receiving.receive_purchase_order(
            uow,
            purchase_order_id=po_id,
            lines=lines,
            delivery_note=given.delivery_note,
            note=given.note,
        )
        return _po_json(view)

    return create_once(request, db, principal, given.model_dump(mode="json"), action, status=200)


@router.post("/purchase-orders/{purchase_order}/close", response_model=PurchaseOrderOut)
def close(
    purchase_order: str, db: DbDep, principal: Writer, body: ReasonIn | None = None
) -> PurchaseOrderOut:
    """Close a received order, or short-close a partly received one (a `reason` is then
    required: the rest will not come)."""
    reason = body.reason if body else ""
    return _act(
        db,
        principal,
        purchase_order,
        lambda uow, po_id: services.close_purchase_order(
            uow, purchase_order_id=po_id, reason=reason
        ),
    )


@router.post("/purchase-orders/{purchase_order}/cancel", response_model=PurchaseOrderOut)
def cancel(
    purchase_order: str, db: DbDep, principal: Writer, body: ReasonIn | None = None
) -> PurchaseOrderOut:
    """Cancel a draft, approved or sent order that has received nothing."""
    reason = body.reason if body else ""
    return _act(
        db,
        principal,
        purchase_order,
        lambda uow, po_id: services.cancel_purchase_order(
            uow, purchase_order_id=po_id, reason=reason
        ),
    )


@router.get("/on-order", response_model=Page[OnOrderOut])
def on_order(
    db: DbDep,
    _: Reader,
    warehouse: Annotated[str | None, Query(max_length=64)] = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[OnOrderOut]:
    """Units still to come per (warehouse, SKU) on approved, sent and partly received
    purchase orders, with the earliest expected date; by SKU, then warehouse."""
    after = None
    if cursor:
        after_sku, after_warehouse = decode_cursor(cursor, 2)
        after = (after_sku, after_warehouse)
    with db.reader() as session:
        warehouse_ids = [get_warehouse(session, warehouse).id] if warehouse else None
        product_ids = [product_id_for_sku(session, sku)] if sku is not None else None
        rows = queries.on_order(
            session,
            warehouse_ids=warehouse_ids,
            product_ids=product_ids,
            after=after,
            limit=limit + 1,
        )
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[OnOrderOut.model_validate(r) for r in rows[:limit]],
        next_cursor=encode_cursor([last.sku, last.warehouse]) if last else None,
    )
