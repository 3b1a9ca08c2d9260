"""Replenishment request use cases: raise one by hand, approve, edit, reject.

Each takes the caller's unit of work and never commits. Every change locks the
request's row first (PostgreSQL ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` serialises
writers), checks the transition (``replenishment.status``) and updates with the status
read as a condition, the backstop. Turning approved requests into purchase orders and
transfers is ``replenishment.ordering``; the automatic triggers are
``replenishment.runs``.

A purchase request's quantity must fit its supplier's order rules (minimum order
quantity, pack multiple): an edit that breaks them is refused with the next quantity
that fits, and choosing another supplier without a quantity rounds the current one up
to that supplier's rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.queries import get_product
from ordersmith.db import table_of
from ordersmith.errors import FieldError, InvalidTransition, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory.queries import get_warehouse
from ordersmith.purchasing.errors import ProductNotSupplied, SupplierInactive
from ordersmith.purchasing.errors import SupplierProductNotFound as NotSupplied
from ordersmith.purchasing.queries import get_supplier, get_supplier_product
from ordersmith.purchasing.views import SupplierProductView
from ordersmith.replenishment import evaluation
from ordersmith.replenishment.errors import RequestExists, RequestNotFound
from ordersmith.replenishment.events import (
    ReplenishmentRequestApproved,
    ReplenishmentRequestEdited,
    ReplenishmentRequestRaised,
    ReplenishmentRequestRejected,
)
from ordersmith.replenishment.models import ReplenishmentRequest, RequestKind, RequestReason
from ordersmith.replenishment.queries import get_request
from ordersmith.replenishment.snapshot import read_snapshot
from ordersmith.replenishment.status import RequestAction, RequestStatus, check_transition
from ordersmith.replenishment.views import RequestView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, quantity, text

_RQ = table_of(ReplenishmentRequest)
REASON = text(500)
NOTE = text(500, required=False)
MAX_IDS = 500
UNCHANGED: Any = object()
"""An edit's default: the field is not changed."""


def lock_requests(uow: UnitOfWork, request_ids: Sequence[uuid.UUID]) -> list[Any]:
    """The requests' rows (mappings), locked, in id order; RequestNotFound for any missing."""
    wanted = sorted(set(request_ids))
    rows = list(
        uow.session.execute(
            sa.select(_RQ).where(_RQ.c.id.in_(wanted)).order_by(_RQ.c.id).with_for_update()
        ).mappings()
    )
    missing = set(wanted) - {row["id"] for row in rows}
    if missing:
        raise RequestNotFound(
            "no replenishment request " + ", ".join(sorted(str(m) for m in missing))
        )
    return rows


def _check(row: Any, action: RequestAction) -> RequestStatus:
    try:
        return check_transition(RequestStatus(row["status"]), action)
    except InvalidTransition as exc:
        exc.detail = f"request {row['id']}: {exc.detail}"
        exc.args = (exc.detail,)
        raise


def _update(uow: UnitOfWork, row: Any, **values: Any) -> None:
    moved = uow.session.execute(
        sa.update(_RQ)
        .where(_RQ.c.id == row["id"], _RQ.c.status == RequestStatus(row["status"]).value)
        .values(updated_at=clock.now(), **values)
        .returning(_RQ.c.id)
    ).first()
    if moved is None:  # the lock makes this unreachable; the condition is the backstop
        raise InvalidTransition(f"request {row['id']} changed meanwhile; try again")


def _labels(view: RequestView) -> dict[str, Any]:
    return {"aggregate_id": view.id, "warehouse": view.warehouse, "sku": view.sku}


def approve_requests(uow: UnitOfWork, *, request_ids: Sequence[uuid.UUID]) -> list[RequestView]:
    """open → approved, for each request (all or none: one that cannot be approved
    refuses the lot). A purchase request without a supplier can be approved; it is
    ordered once a supplier is chosen."""
    uow.authorize(Permission.PURCHASING_WRITE)
    if len(set(request_ids)) > MAX_IDS:
        raise ValidationFailed(f"at most {MAX_IDS} requests at once")
    rows = lock_requests(uow, request_ids)
    now, views = clock.now(), []
    for row in rows:
        target = _check(row, RequestAction.APPROVE)
        _update(uow, row, status=target.value, approved_by=uow.actor, approved_at=now)
        view = get_request(uow.session, row["id"])
        uow.record(
            ReplenishmentRequestApproved(
                **_labels(view), kind=view.kind, quantity=view.order_quantity
            )
        )
        views.append(view)
    return views


def approve_request(uow: UnitOfWork, *, request_id: uuid.UUID) -> RequestView:
    return approve_requests(uow, request_ids=[request_id])[0]


def reject_request(uow: UnitOfWork, *, request_id: uuid.UUID, reason: str) -> RequestView:
    """open / approved → rejected, with the reason (required)."""
    uow.authorize(Permission.PURCHASING_WRITE)
    checks = FieldChecks()
    clean = checks.run("reason", REASON, reason) or ""
    checks.raise_if_any("a rejection needs a reason")
    row = lock_requests(uow, [request_id])[0]
    target = _check(row, RequestAction.REJECT)
    _update(
        uow,
        row,
        status=target.value,
        rejected_by=uow.actor,
        rejected_at=clock.now(),
        reject_reason=clean,
    )
    view = get_request(uow.session, request_id)
    uow.record(ReplenishmentRequestRejected(**_labels(view), reason=clean, automatic=False))
    return view


def fits(item: SupplierProductView, units: int) -> bool:
    return units >= item.min_order_quantity and units % item.pack_multiple == 0


def rounded(item: SupplierProductView, units: int) -> int:
    """``units`` up to the supplier's minimum, then to a whole pack."""
    at_least = max(units, item.min_order_quantity)
    return -(-at_least // item.pack_multiple) * item.pack_multiple


def supplier_item(uow: UnitOfWork, supplier: str | uuid.UUID, product_id: uuid.UUID) -> Any:
    """The active supplier's item for the product: ProductNotSupplied, SupplierInactive."""
    found = get_supplier(uow.session, supplier)
    if not found.active:
        raise SupplierInactive(f"supplier {found.code} is not active")
    try:
        return get_supplier_product(uow.session, found.id, str(product_id))
    except NotSupplied:
        raise ProductNotSupplied(
            f"supplier {found.code} does not supply this product",
            fields=[FieldError("supplier", f"{found.code} does not supply it")],
        ) from None


def _refuse_misfit(item: SupplierProductView, units: int) -> None:
    if not fits(item, units):
        raise ValidationFailed(
            f"{item.supplier} sells {item.sku} from {item.min_order_quantity} in packs of "
            f"{item.pack_multiple}: {units} does not fit (the next that does is "
            f"{rounded(item, units)})",
            fields=[FieldError("quantity", f"use {rounded(item, units)}")],
        )


def edit_request(
    uow: UnitOfWork,
    *,
    request_id: uuid.UUID,
    quantity: Any = UNCHANGED,
    supplier: Any = UNCHANGED,
    source_warehouse: Any = UNCHANGED,
) -> RequestView:
    """Change an open or approved request: the quantity (``None``: back to the suggested
    one), the supplier (a transfer then becomes a purchase) or the source warehouse (a
    purchase then becomes a transfer from there)."""
    uow.authorize(Permission.PURCHASING_WRITE)
    row = lock_requests(uow, [request_id])[0]
    _check(row, RequestAction.EDIT)
    values, changes = _edits(uow, row, quantity, supplier, source_warehouse)
    if not changes:
        raise ValidationFailed("name something to change: quantity, supplier or source")
    _update(uow, row, edited_by=uow.actor, edited_at=clock.now(), **values)
    view = get_request(uow.session, request_id)
    uow.record(
        ReplenishmentRequestEdited(
            **_labels(view),
            changes=changes,
            quantity=view.order_quantity,
            supplier=view.supplier,
        )
    )
    return view


def _edits(
    uow: UnitOfWork, row: Any, units: Any, supplier: Any, source: Any
) -> tuple[dict[str, Any], list[str]]:
    checks = FieldChecks()
    if units is not UNCHANGED and units is not None:
        checks.run("quantity", quantity, units)
    if supplier is not UNCHANGED and source is not UNCHANGED:
        checks.fail("supplier", "choose a supplier or a source warehouse, not both")
    checks.raise_if_any("the edit is not valid")
    values: dict[str, Any] = {}
    if units is not UNCHANGED:
        values["quantity"] = units
    kind, current = RequestKind(row["kind"]), row["quantity"] or row["suggested_quantity"]
    if supplier is not UNCHANGED:
        item = supplier_item(uow, supplier, row["product_id"])
        kind = RequestKind.PURCHASE
        values.update(kind=kind.value, supplier_id=item.supplier_id, source_warehouse_id=None)
        if units is UNCHANGED:
            values["quantity"] = rounded(item, current)
    elif source is not UNCHANGED:
        wh = get_warehouse(uow.session, str(source))
        if wh.id == row["warehouse_id"] or not wh.active:
            raise ValidationFailed(
                f"transfer from another active warehouse, not {wh.code}",
                fields=[FieldError("source_warehouse", "another active warehouse")],
            )
        kind = RequestKind.TRANSFER
        values.update(kind=kind.value, source_warehouse_id=wh.id, supplier_id=None)
    supplier_id = values.get("supplier_id", row["supplier_id"])
    final = values.get("quantity", row["quantity"]) or row["suggested_quantity"]
    if kind is RequestKind.PURCHASE and supplier_id is not None and "quantity" in values:
        _refuse_misfit(supplier_item(uow, supplier_id, row["product_id"]), final)
    names = {"supplier_id": "supplier", "source_warehouse_id": "source_warehouse"}
    return values, sorted(names.get(k, k) for k in values if k != "kind")


def raise_request(
    uow: UnitOfWork,
    *,
    warehouse: str,
    sku: str,
    quantity: int,
    supplier: str | None = None,
    source_warehouse: str | None = None,
    note: str = "",
) -> RequestView:
    """A request raised by hand (reason ``manual``): a purchase from ``supplier`` (default:
    the preferred one), or a transfer from ``source_warehouse``. RequestExists when the
    pair already has an open or approved request (edit that one)."""
    uow.authorize(Permission.PURCHASING_WRITE)
    checks = FieldChecks()
    units = checks.run("quantity", _quantity, quantity)
    clean_note = checks.run("note", NOTE, note) or ""
    if supplier and source_warehouse:
        checks.fail("supplier", "choose a supplier or a source warehouse, not both")
    checks.raise_if_any("the replenishment request is not valid")
    assert units is not None
    session = uow.session
    wh, product = get_warehouse(session, warehouse), get_product(session, sku)
    if not wh.active or not product.stocked:
        raise ValidationFailed(
            f"{product.sku} at {wh.code}: only stocked products at active warehouses are "
            "replenished",
            code="not_replenishable",
        )
    snapshot = read_snapshot(session, uow.settings, [product.id], lock=True)
    key = (wh.id, product.id)
    if key in snapshot.requests:
        existing = snapshot.requests[key]
        raise RequestExists(
            f"{product.sku} at {wh.code} already has a {existing.status.value} request "
            f"{existing.id}: edit it instead",
            extra={"request_id": str(existing.id)},
        )
    pair = snapshot.pairs.get(key)
    numbers: dict[str, Any] = {}
    if pair is not None:
        numbers = {**(pair.target.numbers() if pair.target else {}), **pair.stock.numbers()}
    row = _manual_row(uow, wh, product, units, numbers, clean_note)
    if source_warehouse:
        row.update(_transfer_fields(uow, wh.id, source_warehouse))
    else:
        preferred = snapshot.suppliers.get(product.id)
        chosen = supplier or (preferred.supplier_id if preferred else None)
        if chosen is not None:
            item = supplier_item(uow, chosen, product.id)
            _refuse_misfit(item, units)
            row["supplier_id"] = item.supplier_id
    event = row.pop("_event")
    if not evaluation.insert_requests(uow, [row]):  # a twin was raised meanwhile
        raise RequestExists(f"{product.sku} at {wh.code} already has an open request")
    view = get_request(session, row["id"])
    uow.record(
        ReplenishmentRequestRaised(
            **event,
            kind=view.kind,
            supplier=view.supplier,
            source_warehouse=view.source_warehouse,
        )
    )
    return view


def _quantity(value: Any) -> int:
    return quantity(value)


def _transfer_fields(uow: UnitOfWork, to: uuid.UUID, source: str) -> dict[str, Any]:
    wh = get_warehouse(uow.session, source)
    if wh.id == to or not wh.active:
        raise ValidationFailed(
            f"transfer from another active warehouse, not {wh.code}",
            fields=[FieldError("source_warehouse", "another active warehouse")],
        )
    return {"kind": RequestKind.TRANSFER.value, "source_warehouse_id": wh.id}


def _manual_row(
    uow: UnitOfWork, wh: Any, product: Any, units: int, numbers: dict[str, Any], note: str
) -> dict[str, Any]:
    now, request_id = clock.now(), new_id()
    position = numbers.get("projected_position")
    at = f" (projected position {position})" if position is not None else ""
    explanation = f"Raised by hand by {uow.actor}: {units} for {wh.code}{at}" + (
        f": {note}" if note else "."
    )
    return {
        "id": request_id,
        "warehouse_id": wh.id,
        "product_id": product.id,
        "status": RequestStatus.OPEN.value,
        "kind": RequestKind.PURCHASE.value,
        "reason": RequestReason.MANUAL.value,
        "supplier_id": None,
        "source_warehouse_id": None,
        "suggested_quantity": units,
        "quantity": None,
        "numbers": {**numbers, "note": note} if note else numbers,
        "explanation": explanation,
        "created_by": uow.actor,
        "created_at": now,
        "updated_at": now,
        "evaluated_at": now,
        "_event": {
            "aggregate_id": request_id,
            "warehouse": wh.code,
            "sku": product.sku,
            "quantity": units,
            "reason": RequestReason.MANUAL.value,
        },
    }
