"""Factories for stock transfers, over the real services."""

from __future__ import annotations

from ordersmith.inventory.transfer_queries import TransferView
from ordersmith.inventory.transfer_receipts import cancel_transfer, receive_transfer
from ordersmith.inventory.transfers import TransferLineInput, create_transfer, dispatch_transfer
from ordersmith.uow import Database


def lines_of(*lines: tuple[str, int]) -> list[TransferLineInput]:
    return [TransferLineInput(sku=sku, quantity=quantity) for sku, quantity in lines]


def make_transfer(
    db: Database,
    *lines: tuple[str, int],
    source: str = "MAIN",
    destination: str = "EAST",
    dispatch: bool = False,
    note: str = "",
    actor: str = "user:sam",
) -> TransferView:
    """``make_transfer(db, ("A-1", 4), dispatch=True)``: MAIN to EAST unless told."""
    with db.unit_of_work(actor=actor) as uow:
        return create_transfer(
            uow,
            from_warehouse=source,
            to_warehouse=destination,
            lines=lines_of(*lines),
            note=note,
            dispatch=dispatch,
        )


def dispatch(db: Database, transfer: TransferView, actor: str = "user:sam") -> TransferView:
    with db.unit_of_work(actor=actor) as uow:
        return dispatch_transfer(uow, transfer_id=transfer.id)


def receive(
    db: Database, transfer: TransferView, *lines: tuple[str, int], actor: str = "user:kim"
) -> TransferView:
    """Receive ``lines``; none means everything still on the way."""
    with db.unit_of_work(actor=actor) as uow:
        return receive_transfer(uow, transfer_id=transfer.id, lines=lines_of(*lines) or None)


def cancel(db: Database, transfer: TransferView, reason: str = "") -> TransferView:
    with db.unit_of_work(actor="user:sam") as uow:
        return cancel_transfer(uow, transfer_id=transfer.id, reason=reason)
