"""Closing a transfer: receiving what arrived (in parts or all at once), or cancelling it.

Both put units on a warehouse's hand with ``transfer_in`` movements (the destination on
receipt, the source when a transfer in transit is cancelled) and record an event per
product that allocates backorders waiting for it, oldest order first (ordersmith.wiring).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import core, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.inventory import ledger
from ordersmith.inventory.errors import ReceiptExceedsOutstanding
from ordersmith.inventory.events import (
    StockTransferReceived,
    StockTransferReturned,
    TransferCancelled,
    TransferReceived,
)
from ordersmith.inventory.ledger import Entry, Level
from ordersmith.inventory.models import MovementKind, StockTransfer, StockTransferLine
from ordersmith.inventory.transfer_queries import TransferView, get_transfer
from ordersmith.inventory.transfer_status import (
    TransferAction,
    TransferStatus,
    check_transition,
    ensure_allowed,
)
from ordersmith.inventory.transfers import (
    SOURCE_TYPE,
    Head,
    TransferLineInput,
    check_lines,
    line_rows,
    lock_transfer,
)
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, text

_RECEIPT_NOTE = text(120, required=False)
_CANCEL_REASON = text(150, required=False)


def receive_transfer(
    uow: UnitOfWork,
    *,
    transfer_id: uuid.UUID,
    lines: Sequence[TransferLineInput] | None = None,
    note: str = "",
) -> TransferView:
    """Book what arrived at the destination: ``lines`` (SKU and units, each at most what is
    still on the way), or everything outstanding when ``lines`` is None."""
    uow.authorize(Permission.INVENTORY_WRITE)
    checks = FieldChecks()
    note = checks.run("note", _RECEIPT_NOTE, note) or ""
    if lines is not None:
        check_lines(checks, lines)
    checks.raise_if_any("the receipt is not valid")
    head = lock_transfer(uow, transfer_id)
    ensure_allowed(head.status, TransferAction.RECEIVE)
    rows = line_rows(uow, head.id)
    outstanding = {row["sku"]: row["shipped_quantity"] - row["received_quantity"] for row in rows}
    arrived = _arrived(head, outstanding, lines)
    by_sku = {row["sku"]: row for row in rows}
    reason = f"transfer {head.number} from {head.from_warehouse}"
    entries = [
        Entry(
            head.to_warehouse_id,
            by_sku[sku]["product_id"],
            MovementKind.TRANSFER_IN,
            on_hand_delta=quantity,
            reason=f"{reason}: {note}" if note else reason,
            source_type=SOURCE_TYPE,
            source_id=head.number,
        )
        for sku, quantity in sorted(arrived.items())
    ]
    levels = _put_on_hand(uow, entries)
    core(uow.session).execute(
        _count_received(),
        [{"line_id": by_sku[sku]["id"], "arrived": q} for sku, q in sorted(arrived.items())],
    )
    left = sum(outstanding.values()) - sum(arrived.values())
    target = check_transition(head.status, TransferAction.RECEIVE, outstanding_after=left)
    done = {"received_at": clock.now()} if target is TransferStatus.RECEIVED else {}
    _set_status(uow, head, target, **done)
    uow.record(
        TransferReceived(
            aggregate_id=head.id,
            number=head.number,
            from_warehouse=head.from_warehouse,
            to_warehouse=head.to_warehouse,
            status=target.value,
            lines=[{"sku": sku, "quantity": q} for sku, q in sorted(arrived.items())],
            outstanding=left,
        )
    )
    uow.record(
        *(
            StockTransferReceived(
                aggregate_id=e.product_id,
                warehouse_id=head.to_warehouse_id,
                warehouse=head.to_warehouse,
                sku=sku,
                quantity=e.on_hand_delta,
                on_hand=levels[e.key].on_hand,
                transfer_id=head.id,
                transfer=head.number,
                from_warehouse=head.from_warehouse,
            )
            for sku, e in zip(sorted(arrived), entries, strict=True)
        )
    )
    return get_transfer(uow.session, head.id)


def cancel_transfer(uow: UnitOfWork, *, transfer_id: uuid.UUID, reason: str = "") -> TransferView:
    """Call a draft or in-transit transfer off. Goods in transit go back on the source's
    hand (``transfer_in`` there, with the reason), so nothing is lost."""
    uow.authorize(Permission.INVENTORY_WRITE)
    checks = FieldChecks()
    reason = checks.run("reason", _CANCEL_REASON, reason) or ""
    checks.raise_if_any("the cancellation is not valid")
    head = lock_transfer(uow, transfer_id)
    target = check_transition(head.status, TransferAction.CANCEL)
    rows = [r for r in line_rows(uow, head.id) if r["shipped_quantity"] > r["received_quantity"]]
    said = f"transfer {head.number} cancelled in transit"
    entries = [
        Entry(
            head.from_warehouse_id,
            row["product_id"],
            MovementKind.TRANSFER_IN,
            on_hand_delta=row["shipped_quantity"] - row["received_quantity"],
            reason=f"{said}: {reason}" if reason else said,
            source_type=SOURCE_TYPE,
            source_id=head.number,
        )
        for row in sorted(rows, key=lambda r: r["product_id"])
    ]
    levels = _put_on_hand(uow, entries)
    now = clock.now()
    _set_status(uow, head, target, cancelled_at=now, cancelled_by=uow.actor, cancel_reason=reason)
    uow.record(
        TransferCancelled(
            aggregate_id=head.id,
            number=head.number,
            from_warehouse=head.from_warehouse,
            to_warehouse=head.to_warehouse,
            reason=reason,
            returned_units=sum(e.on_hand_delta for e in entries),
        )
    )
    skus = {row["product_id"]: row["sku"] for row in rows}
    uow.record(
        *(
            StockTransferReturned(
                aggregate_id=e.product_id,
                warehouse_id=head.from_warehouse_id,
                warehouse=head.from_warehouse,
                sku=skus[e.product_id],
                quantity=e.on_hand_delta,
                on_hand=levels[e.key].on_hand,
                transfer_id=head.id,
                transfer=head.number,
                reason=reason,
            )
            for e in entries
        )
    )
    return get_transfer(uow.session, head.id)


def _arrived(
    head: Head, outstanding: dict[str, int], lines: Sequence[TransferLineInput] | None
) -> dict[str, int]:
    """Units arriving now by SKU; refuses SKUs not on the transfer and more than is on the
    way. ``None`` means everything outstanding."""
    if lines is None:
        return {sku: q for sku, q in outstanding.items() if q > 0}
    wanted = {line.sku.strip(): line.quantity for line in lines}
    strangers = [i for i, line in enumerate(lines) if line.sku.strip() not in outstanding]
    if strangers:
        raise ValidationFailed(
            f"not on transfer {head.number}: "
            + ", ".join(sorted(lines[i].sku.strip() for i in strangers)),
            code="not_on_transfer",
            fields=[FieldError(f"lines.{i}.sku", "not on this transfer") for i in strangers],
        )
    over = [
        {"sku": sku, "quantity": q, "outstanding": outstanding[sku]}
        for sku, q in sorted(wanted.items())
        if q > outstanding[sku]
    ]
    if over:
        listing = ", ".join(
            f"{o['sku']} ({o['quantity']}, {o['outstanding']} on the way)" for o in over
        )
        raise ReceiptExceedsOutstanding(
            f"transfer {head.number} cannot receive more than was shipped and not yet "
            f"received: {listing}",
            extra={"lines": over},
        )
    return wanted


def _put_on_hand(uow: UnitOfWork, entries: list[Entry]) -> dict[ledger.Key, Level]:
    """Post ``transfer_in`` entries (they only add stock, so the ledger never refuses)."""
    if not entries:
        return {}
    ledger.ensure_levels(uow.session, [e.key for e in entries])
    try:
        return ledger.post(uow.session, entries, actor=uow.actor)
    except ledger.LedgerRejected as exc:  # impossible: adding on-hand stays within bounds
        raise RuntimeError(f"a transfer_in was refused: {exc.keys}") from exc


def _count_received() -> sa.Update:
    lines = table_of(StockTransferLine)
    return (
        sa.update(lines)
        .where(lines.c.id == sa.bindparam("line_id"))
        .values(received_quantity=lines.c.received_quantity + sa.bindparam("arrived"))
    )


def _set_status(uow: UnitOfWork, head: Head, target: TransferStatus, **values: Any) -> None:
    transfers = table_of(StockTransfer)
    uow.session.execute(
        sa.update(transfers)
        .where(transfers.c.id == head.id)
        .values(status=target.value, updated_at=clock.now(), **values)
    )
