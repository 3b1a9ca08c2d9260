"""Stock transfers between warehouses: create, dispatch, receive (in parts), cancel.

A transfer is a document (``TR-<year>-NNNNNN``) with a lifecycle
(ordersmith.inventory.transfer_status). Every stock effect goes through the ledger:

- dispatch: one ``ledger.post`` of ``transfer_out`` movements at the source, all lines or
  none. It takes only *available* stock (the conditional update keeps on hand >= reserved),
  so stock reserved for orders is never moved; a short line refuses the whole dispatch
  and names every SKU that is short;
- receipt: ``transfer_in`` at the destination for what arrived (per line, never more than
  is on the way), then ``StockTransferReceived`` per product, which allocates backorders
  oldest order first (ordersmith.wiring);
- cancellation in transit: ``transfer_in`` back at the source with the reason.

In between, the units are on neither warehouse's hand; ``ordersmith check`` proves the
open transfers account for exactly what the ledger sent and has not yet received.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.queries import get_products_by_sku
from ordersmith.db import core, insert_rows, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory import ledger
from ordersmith.inventory.errors import InsufficientStock, TransferNotFound, WarehouseInactive
from ordersmith.inventory.events import TransferCreated, TransferDispatched
from ordersmith.inventory.ledger import Entry
from ordersmith.inventory.models import (
    MovementKind,
    StockLevel,
    StockTransfer,
    StockTransferLine,
    Warehouse,
)
from ordersmith.inventory.queries import get_warehouse
from ordersmith.inventory.services import MAX_QUANTITY
from ordersmith.inventory.transfer_queries import TransferView, get_transfer
from ordersmith.inventory.transfer_status import (
    TransferAction,
    TransferStatus,
    check_transition,
)
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, text

MAX_LINES = 500
SOURCE_TYPE = "transfer"
"""``source_type`` of every ledger movement a transfer posts; ``source_id`` is its number."""
_SKU = text(64)
_NOTE = text(500, required=False, multiline=True)


@dataclass(frozen=True, slots=True)
class TransferLineInput:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Head:
    """A transfer's head row, locked for this unit of work, with its warehouse codes."""

    id: uuid.UUID
    number: str
    status: TransferStatus
    from_warehouse_id: uuid.UUID
    from_warehouse: str
    to_warehouse_id: uuid.UUID
    to_warehouse: str


def check_lines(checks: FieldChecks, lines: Sequence[TransferLineInput]) -> None:
    """Shape rules for transfer lines: SKUs given once each, quantities positive."""
    if not lines:
        checks.fail("lines", "name at least one line")
    if len(lines) > MAX_LINES:
        checks.fail("lines", f"at most {MAX_LINES} lines")
    seen: set[str] = set()
    for i, line in enumerate(lines):
        sku = checks.run(f"lines.{i}.sku", _SKU, line.sku)
        if sku is not None:
            if sku in seen:
                checks.fail(f"lines.{i}.sku", "appears twice: put all units of a SKU on one line")
            seen.add(sku)
        quantity = line.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            checks.fail(f"lines.{i}.quantity", "must be a whole number")
        elif not 1 <= quantity <= MAX_QUANTITY:
            checks.fail(f"lines.{i}.quantity", f"must be from 1 to {MAX_QUANTITY}")


def take_transfer_number(uow: UnitOfWork) -> str:
    """The next ``TR-<year>-NNNNNN`` number. Take it before the unit of work's first
    statement; a caller creating several transfers in one unit of work (replenishment)
    takes them all first and passes each as ``number``."""
    series = f"TR-{clock.now().year}"
    return f"{series}-{uow.next_number(series):06d}"


def create_transfer(
    uow: UnitOfWork,
    *,
    from_warehouse: str,
    to_warehouse: str,
    lines: Sequence[TransferLineInput],
    note: str = "",
    dispatch: bool = False,
    number: str | None = None,
) -> TransferView:
    """A draft transfer of stocked products between two active warehouses; with
    ``dispatch`` it leaves at once (one call for the common case, one transaction).
    Call it first in its unit of work (it takes its number), or pass a ``number`` from
    ``take_transfer_number``."""
    uow.authorize(Permission.INVENTORY_WRITE)
    checks = FieldChecks()
    note = checks.run("note", _NOTE, note) or ""
    check_lines(checks, lines)
    checks.raise_if_any("the transfer is not valid")
    now = clock.now()
    number = number or take_transfer_number(uow)
    session = uow.session
    source = get_warehouse(session, from_warehouse)
    destination = get_warehouse(session, to_warehouse)
    if source.id == destination.id:
        raise ValidationFailed(
            f"a transfer goes from one warehouse to another; both are {source.code}",
            code="same_warehouse",
            fields=[FieldError("to_warehouse", "must differ from from_warehouse")],
        )
    _refuse_inactive(source, destination)
    products = _stocked_products(uow, [line.sku.strip() for line in lines])
    transfer_id = new_id()
    conn = core(session)
    insert_rows(
        conn,
        table_of(StockTransfer),
        [
            {
                "id": transfer_id,
                "number": number,
                "from_warehouse_id": source.id,
                "to_warehouse_id": destination.id,
                "status": TransferStatus.DRAFT.value,
                "note": note,
                "created_by": uow.actor,
                "created_at": now,
                "updated_at": now,
                "dispatched_by": "",
                "dispatched_at": None,
                "received_at": None,
                "cancelled_by": "",
                "cancelled_at": None,
                "cancel_reason": "",
            }
        ],
    )
    insert_rows(
        conn,
        table_of(StockTransferLine),
        [
            {
                "id": new_id(),
                "transfer_id": transfer_id,
                "line_no": i,
                "product_id": products[line.sku.strip()],
                "sku": line.sku.strip(),
                "quantity": line.quantity,
                "shipped_quantity": 0,
                "received_quantity": 0,
            }
            for i, line in enumerate(lines, start=1)
        ],
    )
    uow.record(
        TransferCreated(
            aggregate_id=transfer_id,
            number=number,
            from_warehouse=source.code,
            to_warehouse=destination.code,
            lines=[{"sku": line.sku.strip(), "quantity": line.quantity} for line in lines],
        )
    )
    if dispatch:
        _dispatch(uow, lock_transfer(uow, transfer_id))
    return get_transfer(session, transfer_id)


def dispatch_transfer(uow: UnitOfWork, *, transfer_id: uuid.UUID) -> TransferView:
    """The goods leave the source: ``transfer_out`` for every line in one ledger post.

    Refused whole (nothing changes) if any line needs more than is available there."""
    uow.authorize(Permission.INVENTORY_WRITE)
    _dispatch(uow, lock_transfer(uow, transfer_id))
    return get_transfer(uow.session, transfer_id)


def lock_transfer(uow: UnitOfWork, transfer_id: uuid.UUID) -> Head:
    """The transfer's head, locked until the unit of work ends (SQLite: the writer lock)."""
    transfers, warehouses = table_of(StockTransfer), table_of(Warehouse)
    row = (
        uow.session.execute(
            sa.select(transfers).where(transfers.c.id == transfer_id).with_for_update()
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise TransferNotFound(f"no transfer {transfer_id}")
    codes = dict(
        uow.session.execute(
            sa.select(warehouses.c.id, warehouses.c.code).where(
                warehouses.c.id.in_([row["from_warehouse_id"], row["to_warehouse_id"]])
            )
        ).all()
    )
    return Head(
        row["id"],
        row["number"],
        TransferStatus(row["status"]),
        row["from_warehouse_id"],
        codes[row["from_warehouse_id"]],
        row["to_warehouse_id"],
        codes[row["to_warehouse_id"]],
    )


def line_rows(uow: UnitOfWork, transfer_id: uuid.UUID) -> list[Any]:
    lines = table_of(StockTransferLine)
    return list(
        uow.session.execute(
            sa.select(lines).where(lines.c.transfer_id == transfer_id).order_by(lines.c.line_no)
        ).mappings()
    )


def _dispatch(uow: UnitOfWork, head: Head) -> None:
    target = check_transition(head.status, TransferAction.DISPATCH)
    session = uow.session
    _refuse_inactive(
        get_warehouse(session, str(head.from_warehouse_id)),
        get_warehouse(session, str(head.to_warehouse_id)),
    )
    lines = line_rows(uow, head.id)
    entries = [
        Entry(
            head.from_warehouse_id,
            line["product_id"],
            MovementKind.TRANSFER_OUT,
            on_hand_delta=-line["quantity"],
            reason=f"transfer {head.number} to {head.to_warehouse}",
            source_type=SOURCE_TYPE,
            source_id=head.number,
        )
        for line in sorted(lines, key=lambda row: row["product_id"])
    ]
    try:
        levels = ledger.post(session, entries, actor=uow.actor)
    except ledger.LedgerRejected as exc:
        raise _shortage(uow, head, lines, {p for _w, p in exc.keys}) from exc
    transfer_lines, transfers = table_of(StockTransferLine), table_of(StockTransfer)
    session.execute(
        sa.update(transfer_lines)
        .where(transfer_lines.c.transfer_id == head.id)
        .values(shipped_quantity=transfer_lines.c.quantity)
    )
    now = clock.now()
    session.execute(
        sa.update(transfers)
        .where(transfers.c.id == head.id)
        .values(status=target.value, dispatched_at=now, dispatched_by=uow.actor, updated_at=now)
    )
    uow.record(
        TransferDispatched(
            aggregate_id=head.id,
            number=head.number,
            from_warehouse=head.from_warehouse,
            to_warehouse=head.to_warehouse,
            units=sum(line["quantity"] for line in lines),
        )
    )
    labels = {head.from_warehouse_id: head.from_warehouse}
    labels.update({line["product_id"]: line["sku"] for line in lines})
    uow.record(*ledger.threshold_events(session, entries, levels, labels=labels))


def _shortage(
    uow: UnitOfWork, head: Head, lines: list[Any], short: set[uuid.UUID]
) -> InsufficientStock:
    """The error for a dispatch the source cannot cover, naming every short SKU."""
    levels = table_of(StockLevel)
    available = dict(
        uow.session.execute(
            sa.select(levels.c.product_id, levels.c.on_hand - levels.c.reserved).where(
                levels.c.warehouse_id == head.from_warehouse_id,
                levels.c.product_id.in_(sorted(short)),
            )
        ).all()
    )
    shortages = [
        {
            "sku": line["sku"],
            "requested": line["quantity"],
            "available": int(available.get(line["product_id"], 0)),
        }
        for line in sorted(lines, key=lambda row: row["sku"])
        if line["product_id"] in short
    ]
    listing = ", ".join(
        f"{s['sku']} (requested {s['requested']}, available {s['available']})" for s in shortages
    )
    return InsufficientStock(
        f"{head.from_warehouse} has too little available stock for transfer {head.number}: "
        f"{listing}; stock reserved for orders is never transferred",
        extra={"warehouse": head.from_warehouse, "shortages": shortages},
    )


def _refuse_inactive(*warehouses: Warehouse) -> None:
    inactive = [w.code for w in warehouses if not w.active]
    if inactive:
        raise WarehouseInactive(
            f"warehouse {', '.join(inactive)} is not active: transfers need two active warehouses",
            extra={"warehouses": inactive},
        )


def _stocked_products(uow: UnitOfWork, skus: list[str]) -> dict[str, uuid.UUID]:
    """Product ids by SKU; refuses unknown SKUs and products that are not stocked."""
    found = get_products_by_sku(uow.session, skus)
    unknown = [i for i, sku in enumerate(skus) if sku not in found]
    if unknown:
        raise ValidationFailed(
            "unknown SKU: " + ", ".join(sorted({skus[i] for i in unknown})),
            code="unknown_sku",
            fields=[FieldError(f"lines.{i}.sku", "unknown SKU") for i in unknown],
        )
    unstocked = [i for i, sku in enumerate(skus) if not found[sku].stocked]
    if unstocked:
        raise ValidationFailed(
            "not stocked, so never transferred: " + ", ".join(sorted({skus[i] for i in unstocked})),
            code="not_stocked",
            fields=[FieldError(f"lines.{i}.sku", "not a stocked product") for i in unstocked],
        )
    return {sku: product.id for sku, product in found.items()}
