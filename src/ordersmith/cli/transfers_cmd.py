"""`ordersmith stock transfer ...`: stock transfers between warehouses, as in the API."""

from __future__ import annotations

import uuid

import typer
from rich.table import Table

from ordersmith.cli.common import cli_actor, console, database
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.inventory import transfer_queries as queries
from ordersmith.inventory.transfer_queries import TransferView
from ordersmith.inventory.transfer_receipts import cancel_transfer, receive_transfer
from ordersmith.inventory.transfer_status import TransferStatus
from ordersmith.inventory.transfers import TransferLineInput, create_transfer, dispatch_transfer
from ordersmith.uow import Database
from ordersmith.validation import whole_number

app = typer.Typer(
    help="Transfers between warehouses: create, dispatch, receive, cancel, list, show.",
    no_args_is_help=True,
)


def _lines(items: list[str]) -> list[TransferLineInput]:
    """``SKU=QTY`` options as transfer lines (the last '=' separates: a SKU may hold one)."""
    lines = []
    for index, item in enumerate(items):
        sku, _, quantity = item.rpartition("=")
        units = whole_number(quantity)
        if not sku.strip() or units is None:
            raise ValidationFailed(
                f"--line {item!r}: write SKU=QUANTITY, e.g. A-1=5",
                fields=[FieldError(f"lines.{index}", "SKU=QUANTITY")],
            )
        lines.append(TransferLineInput(sku=sku.strip(), quantity=units))
    return lines


def _transfer_id(db: Database, transfer: str) -> uuid.UUID:
    with db.reader() as session:
        return queries.get_transfer(session, transfer).id


def _print(view: TransferView) -> None:
    console.print(
        f"{view.number}: {view.status} {view.from_warehouse} -> {view.to_warehouse}, "
        f"{view.units} units on {view.line_count} lines"
    )
    if view.note:
        console.print(f"note: {view.note}")
    if view.cancel_reason:
        console.print(f"cancelled: {view.cancel_reason}")
    table = Table("line", "sku", "quantity", "shipped", "received", "in transit")
    for line in view.lines:
        table.add_row(
            str(line.line_no),
            line.sku,
            str(line.quantity),
            str(line.shipped_quantity),
            str(line.received_quantity),
            str(line.in_transit),
        )
    console.print(table)


@app.command("create")
def create(
    from_warehouse: str = typer.Option(..., "--from", help="warehouse code the goods leave"),
    to_warehouse: str = typer.Option(..., "--to", help="warehouse code they go to"),
    line: list[str] = typer.Option(..., "--line", help="SKU=QUANTITY, repeatable"),
    note: str = typer.Option("", "--note"),
    dispatch: bool = typer.Option(False, "--dispatch", help="dispatch at once"),
) -> None:
    """Create a transfer (a draft, or dispatched at once with --dispatch)."""
    lines = _lines(line)
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = create_transfer(
            uow,
            from_warehouse=from_warehouse,
            to_warehouse=to_warehouse,
            lines=lines,
            note=note,
            dispatch=dispatch,
        )
    _print(view)


@app.command("dispatch")
def dispatch(transfer: str = typer.Argument(..., help="transfer number or id")) -> None:
    """The goods leave the source warehouse (all lines, or nothing if stock is short)."""
    with database() as db:
        transfer_id = _transfer_id(db, transfer)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = dispatch_transfer(uow, transfer_id=transfer_id)
    _print(view)


@app.command("receive")
def receive(
    transfer: str = typer.Argument(..., help="transfer number or id"),
    line: list[str] = typer.Option(
        [], "--line", help="SKU=QUANTITY that arrived, repeatable; none: everything outstanding"
    ),
    note: str = typer.Option("", "--note"),
) -> None:
    """Book goods arrived at the destination; backorders are allocated, oldest first."""
    lines = _lines(line) if line else None
    with database() as db:
        transfer_id = _transfer_id(db, transfer)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = receive_transfer(uow, transfer_id=transfer_id, lines=lines, note=note)
    _print(view)


@app.command("cancel")
def cancel(
    transfer: str = typer.Argument(..., help="transfer number or id"),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Call off a draft or in-transit transfer; goods in transit go back to the source."""
    with database() as db:
        transfer_id = _transfer_id(db, transfer)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = cancel_transfer(uow, transfer_id=transfer_id, reason=reason)
    _print(view)


@app.command("show")
def show(transfer: str = typer.Argument(..., help="transfer number or id")) -> None:
    """One transfer with its lines."""
    with database() as db, db.reader() as session:
        view = queries.get_transfer(session, transfer)
    _print(view)


@app.command("list")
def list_transfers(
    status: TransferStatus | None = typer.Option(None, help="only this status"),
    warehouse: str | None = typer.Option(None, help="only transfers from or to this warehouse"),
    limit: int = typer.Option(50, min=1, max=10_000),
) -> None:
    """Transfers, newest first."""
    with database() as db, db.reader() as session:
        rows = queries.list_transfers(session, status=status, warehouse=warehouse, limit=limit)
    table = Table("number", "status", "from", "to", "lines", "units", "created")
    for t in rows:
        table.add_row(
            t.number,
            t.status.value,
            t.from_warehouse,
            t.to_warehouse,
            str(t.line_count),
            str(t.units),
            t.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("in-transit")
def in_transit(
    sku: str | None = typer.Option(None, help="only this SKU"),
    warehouse: str | None = typer.Option(None, help="only on the way to this warehouse"),
) -> None:
    """Stock on the way per SKU and destination."""
    with database() as db, db.reader() as session:
        rows = queries.in_transit(session, sku=sku, warehouse=warehouse)
    table = Table("sku", "to", "in transit")
    for r in rows:
        table.add_row(r.sku, r.warehouse, str(r.quantity))
    console.print(table)
