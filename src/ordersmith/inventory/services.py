"""Inventory use cases: warehouses, receipts, returns to stock, adjustments, reorder points."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import table_of
from ordersmith.ids import new_id
from ordersmith.inventory import ledger
from ordersmith.inventory.errors import StockWouldGoNegative, WarehouseExists
from ordersmith.inventory.events import (
    StockAdjusted,
    StockReceived,
    StockReturned,
    WarehouseCreated,
)
from ordersmith.inventory.ledger import Entry
from ordersmith.inventory.models import AdjustmentReason, MovementKind, StockLevel, Warehouse
from ordersmith.inventory.queries import (
    StockLevelView,
    WarehouseView,
    get_warehouse,
    product_id_for_sku,
    stock_level,
    warehouse_view,
)
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, check_address, text

MAX_QUANTITY = 10**9
_CODE = re.compile(r"[A-Z0-9_-]+")  # ASCII only: str.isalnum() accepts any script's digits
_NAME = text(200)
_REFERENCE = text(64, required=False)
_RECEIPT_NOTE = text(200, required=False)
_ADJUSTMENT_NOTE = text(150, required=False)
_BIN_LOCATION = text(40, required=False)


def _warehouse_code(value: Any) -> str:
    code = text(20)(value).upper()
    if not _CODE.fullmatch(code):
        raise ValueError("use letters A-Z, digits, '-' or '_'")
    return code


def create_warehouse(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    address: dict[str, Any] | None = None,
    priority: int = 100,
) -> WarehouseView:
    """A new warehouse; its code is stored upper-case (look-ups by code match any case)."""
    checks = FieldChecks()
    values: dict[str, Any] = {
        "code": checks.run("code", _warehouse_code, code),
        "name": checks.run("name", _NAME, name),
        "address": check_address(checks, "address", address) if address else {},
    }
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 10_000:
        checks.fail("priority", "between 0 and 10000")
    checks.raise_if_any("invalid warehouse")
    code = values["code"]
    warehouse = Warehouse(
        id=new_id(), priority=priority, active=True, created_at=clock.now(), **values
    )
    uow.session.add(warehouse)
    try:
        with uow.session.begin_nested():
            uow.session.flush()
    except IntegrityError as exc:
        raise WarehouseExists(f"a warehouse with code {code!r} already exists") from exc
    uow.record(WarehouseCreated(aggregate_id=warehouse.id, code=code))
    return warehouse_view(warehouse)


def _stock_row(uow: UnitOfWork, warehouse: str, sku: str) -> tuple[Warehouse, uuid.UUID]:
    """The warehouse and product named by a request, with their stock row made to exist."""
    wh = get_warehouse(uow.session, warehouse)
    product_id = product_id_for_sku(uow.session, sku)
    ledger.ensure_levels(uow.session, [(wh.id, product_id)])
    return wh, product_id


def _check_quantity(
    checks: FieldChecks, name: str, quantity: int, *, allow_negative: bool = False
) -> None:
    if quantity == 0 or abs(quantity) > MAX_QUANTITY or (quantity < 0 and not allow_negative):
        rule = "a non-zero whole number" if allow_negative else "a positive whole number"
        checks.fail(name, f"must be {rule} (at most {MAX_QUANTITY})")


def receive_stock(
    uow: UnitOfWork,
    *,
    warehouse: str,
    sku: str,
    quantity: int,
    reference: str = "",
    note: str = "",
) -> StockLevelView:
    """Goods in: on hand grows by ``quantity`` (a ``receipt`` movement).

    ``reference`` (delivery note, PO number; at most 64 characters) is the movement's
    source id; ``note`` its reason."""
    uow.authorize(Permission.INVENTORY_WRITE)
    return _goods_in(
        uow,
        kind=MovementKind.RECEIPT,
        warehouse=warehouse,
        sku=sku,
        quantity=quantity,
        reference=reference,
        note=note,
    )


def return_to_stock(
    uow: UnitOfWork,
    *,
    warehouse: str,
    sku: str,
    quantity: int,
    reference: str = "",
    note: str = "",
) -> StockLevelView:
    """Goods back from a customer, fit to sell again: on hand grows by ``quantity`` (a
    ``return`` movement) and backorders waiting for the product are allocated, oldest
    order first. ``reference`` names what came back (a return, a parcel returned to
    sender, an order number); ``note`` the reason."""
    return _goods_in(
        uow,
        kind=MovementKind.RETURN,
        warehouse=warehouse,
        sku=sku,
        quantity=quantity,
        reference=reference,
        note=note,
    )


def _goods_in(
    uow: UnitOfWork,
    *,
    kind: MovementKind,
    warehouse: str,
    sku: str,
    quantity: int,
    reference: str,
    note: str,
) -> StockLevelView:
    """One movement that adds ``quantity`` on hand, and its event (StockReceived for a
    receipt, StockReturned for a return)."""
    checks = FieldChecks()
    _check_quantity(checks, "quantity", quantity)
    reference = checks.run("reference", _REFERENCE, reference) or ""
    note = checks.run("note", _RECEIPT_NOTE, note) or ""
    checks.raise_if_any(f"the {kind.value} is not valid")
    session = uow.session
    wh, product_id = _stock_row(uow, warehouse, sku)
    key = (wh.id, product_id)
    entry = Entry(
        wh.id,
        product_id,
        kind,
        on_hand_delta=quantity,
        reason=note,
        source_type=kind.value,
        source_id=reference,
    )
    level = ledger.post(session, [entry], actor=uow.actor)[key]
    event = StockReturned if kind is MovementKind.RETURN else StockReceived
    uow.record(
        event(
            aggregate_id=product_id,
            warehouse_id=wh.id,
            warehouse=wh.code,
            sku=sku,
            quantity=quantity,
            on_hand=level.on_hand,
            reference=reference,
        )
    )
    return stock_level(session, wh.id, product_id)


def adjust_stock(
    uow: UnitOfWork,
    *,
    warehouse: str,
    sku: str,
    delta: int,
    reason: AdjustmentReason,
    note: str = "",
) -> StockLevelView:
    """Correct on-hand stock by ``delta`` (stock-take, damage, loss, found...)."""
    uow.authorize(Permission.INVENTORY_WRITE)
    checks = FieldChecks()
    _check_quantity(checks, "delta", delta, allow_negative=True)
    note = checks.run("note", _ADJUSTMENT_NOTE, note) or ""
    checks.raise_if_any("the adjustment is not valid")
    session = uow.session
    wh, product_id = _stock_row(uow, warehouse, sku)
    key = (wh.id, product_id)
    entry = Entry(
        wh.id,
        product_id,
        MovementKind.ADJUSTMENT,
        on_hand_delta=delta,
        reason=f"{reason.value}: {note}" if note else reason.value,
        source_type="adjustment",
    )
    try:
        levels = ledger.post(session, [entry], actor=uow.actor)
    except ledger.LedgerRejected as exc:
        current = stock_level(session, wh.id, product_id)
        raise StockWouldGoNegative(
            f"{sku} in {wh.code} has {current.on_hand} on hand of which {current.reserved} "
            f"reserved; adjusting by {delta} would leave less on hand than is reserved",
            extra={"on_hand": current.on_hand, "reserved": current.reserved},
        ) from exc
    level = levels[key]
    uow.record(
        StockAdjusted(
            aggregate_id=product_id,
            warehouse_id=wh.id,
            warehouse=wh.code,
            sku=sku,
            delta=delta,
            on_hand=level.on_hand,
            reason=reason.value,
        )
    )
    uow.record(
        *ledger.threshold_events(session, [entry], levels, labels={wh.id: wh.code, product_id: sku})
    )
    return stock_level(session, wh.id, product_id)


def set_stock_settings(
    uow: UnitOfWork,
    *,
    warehouse: str,
    sku: str,
    reorder_point: int | None = None,
    bin_location: str | None = None,
) -> StockLevelView:
    """Set the reorder point and/or bin location of one (warehouse, SKU)."""
    uow.authorize(Permission.INVENTORY_WRITE)
    checks = FieldChecks()
    if reorder_point is not None and not 0 <= reorder_point <= MAX_QUANTITY:
        checks.fail("reorder_point", f"must be from 0 to {MAX_QUANTITY}")
    if bin_location is not None:
        bin_location = checks.run("bin_location", _BIN_LOCATION, bin_location)
    checks.raise_if_any("the stock settings are not valid")
    session = uow.session
    wh, product_id = _stock_row(uow, warehouse, sku)
    values: dict[str, Any] = {"updated_at": clock.now()}
    if reorder_point is not None:
        values["reorder_point"] = reorder_point
    if bin_location is not None:
        values["bin_location"] = bin_location
    levels = table_of(StockLevel)
    session.execute(
        sa.update(levels)
        .where(levels.c.warehouse_id == wh.id, levels.c.product_id == product_id)
        .values(**values)
    )
    return stock_level(session, wh.id, product_id)
