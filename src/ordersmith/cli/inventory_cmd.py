"""`ordersmith warehouse ...` and `ordersmith stock ...`: the same services as the API."""

from __future__ import annotations

import typer
from rich.table import Table

from ordersmith.cli import transfers_cmd
from ordersmith.cli.common import cli_actor, console, database
from ordersmith.inventory import queries, services
from ordersmith.inventory.models import AdjustmentReason
from ordersmith.inventory.queries import StockLevelView

warehouses = typer.Typer(help="Warehouses: create, list.", no_args_is_help=True)
stock = typer.Typer(
    help="Stock: levels, receipts, returns, adjustments, reorder points, transfers.",
    no_args_is_help=True,
)
stock.add_typer(transfers_cmd.app, name="transfer")


@warehouses.command("create")
def create_warehouse(
    code: str = typer.Argument(..., help="short code, e.g. MAIN"),
    name: str = typer.Option(..., help="display name"),
    priority: int = typer.Option(100, help="lower is preferred when sourcing"),
) -> None:
    """Create a warehouse."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = services.create_warehouse(uow, code=code, name=name, priority=priority)
    console.print(f"created warehouse {view.code} ({view.id})")


@warehouses.command("list")
def list_warehouses() -> None:
    """List warehouses in sourcing order."""
    with database() as db, db.reader() as session:
        rows = queries.list_warehouses(session)
    table = Table("code", "name", "priority", "active")
    for w in rows:
        table.add_row(w.code, w.name, str(w.priority), "yes" if w.active else "no")
    console.print(table)


def _print_levels(rows: list[StockLevelView]) -> None:
    table = Table("sku", "warehouse", "on hand", "reserved", "available", "reorder point", "bin")
    for r in rows:
        table.add_row(
            r.sku,
            r.warehouse,
            str(r.on_hand),
            str(r.reserved),
            str(r.available),
            str(r.reorder_point),
            r.bin_location,
        )
    console.print(table)


@stock.command("levels")
def levels(
    sku: str | None = typer.Option(None, help="only this SKU"),
    warehouse: str | None = typer.Option(None, help="only this warehouse code"),
    low: bool = typer.Option(False, help="only rows at or below the reorder point"),
    limit: int = typer.Option(100, min=1, max=10_000),
) -> None:
    """Show on hand, reserved and available stock."""
    with database() as db, db.reader() as session:
        rows = queries.stock_levels(
            session, sku=sku, warehouse=warehouse, at_or_below_reorder_point=low, limit=limit
        )
    _print_levels(rows)


@stock.command("receive")
def receive(
    warehouse: str = typer.Option(..., help="warehouse code"),
    sku: str = typer.Option(...),
    quantity: int = typer.Option(..., help="units received (> 0)"),
    reference: str = typer.Option("", help="delivery note or PO number"),
) -> None:
    """Record goods received into a warehouse."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        level = services.receive_stock(
            uow, warehouse=warehouse, sku=sku, quantity=quantity, reference=reference
        )
    _print_levels([level])


@stock.command("return")
def return_goods(
    warehouse: str = typer.Option(..., help="warehouse code"),
    sku: str = typer.Option(...),
    quantity: int = typer.Option(..., help="units back in stock (> 0)"),
    reference: str = typer.Option("", help="the return, returned parcel or order"),
    note: str = typer.Option("", help="why, and their condition"),
) -> None:
    """Put goods a customer sent back into stock (backorders waiting for them are served)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        level = services.return_to_stock(
            uow, warehouse=warehouse, sku=sku, quantity=quantity, reference=reference, note=note
        )
    _print_levels([level])


@stock.command("adjust")
def adjust(
    warehouse: str = typer.Option(..., help="warehouse code"),
    sku: str = typer.Option(...),
    delta: int = typer.Option(..., help="signed change of on-hand units"),
    reason: AdjustmentReason = typer.Option(..., help="why the stock changed"),
    note: str = typer.Option(""),
) -> None:
    """Correct on-hand stock (stock-take, damage, loss, found...)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        level = services.adjust_stock(
            uow, warehouse=warehouse, sku=sku, delta=delta, reason=reason, note=note
        )
    _print_levels([level])


@stock.command("set")
def set_settings(
    warehouse: str = typer.Option(..., help="warehouse code"),
    sku: str = typer.Option(...),
    reorder_point: int | None = typer.Option(None, min=0),
    bin_location: str | None = typer.Option(None, "--bin"),
) -> None:
    """Set the reorder point and/or bin location of a (warehouse, SKU)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        level = services.set_stock_settings(
            uow,
            warehouse=warehouse,
            sku=sku,
            reorder_point=reorder_point,
            bin_location=bin_location,
        )
    _print_levels([level])
