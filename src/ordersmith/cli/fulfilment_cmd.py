"""`ordersmith fulfil ...`: allocation traces and the warehouse's pick lists."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.documents import pick_list_pdf
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.fulfillment import backorders, queries
from ordersmith.fulfillment.allocation import allocate_order
from ordersmith.fulfillment.documents import pick_list_document
from ordersmith.fulfillment.picking import confirm_pick_list, create_pick_list
from ordersmith.orders.queries import order_id
from ordersmith.validation import whole_number

app = typer.Typer(
    help="Fulfilment: why an order is allocated where, pick lists (wave, print, confirm).",
    no_args_is_help=True,
)


@app.command()
def trace(
    order: str = typer.Argument(..., help="order number or id"),
    as_json: bool = typer.Option(False, "--json", help="the full decision traces as JSON"),
) -> None:
    """Which warehouse sends which units of an order, and the rule that decided."""
    with database() as db, db.reader() as session:
        oid = order_id(session, order)
        allocations = queries.order_allocations(session, oid)
        decisions = queries.allocation_decisions(session, oid)
    if as_json:
        console.print_json(json.dumps([d.trace | {"summary": d.summary} for d in decisions]))
        return
    table = Table("line", "sku", "warehouse", "qty", "picked", "packed", "shipped", "status")
    for a in allocations:
        table.add_row(
            str(a.line_no),
            a.sku,
            a.warehouse,
            str(a.quantity),
            str(a.picked_quantity),
            str(a.packed_quantity),
            str(a.shipped_quantity),
            a.status,
        )
    console.print(table)
    for d in decisions:
        console.print(
            styled((d.at.isoformat(timespec="seconds"), "dim"), f" {d.trigger}: {d.summary}")
        )
        for candidate in d.trace.get("candidates", []):
            mark = "→" if candidate["chosen"] else " "
            scores = ", ".join(f"{k} {v}" for k, v in candidate["scores"].items())
            console.print(
                f"   {mark} {candidate['plan']}: {'+'.join(candidate['warehouses'])} ({scores})"
            )


@app.command()
def allocate(order: str = typer.Argument(..., help="order number or id")) -> None:
    """Allocate what a confirmed order still needs (e.g. after a stock correction)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        outcome = allocate_order(uow, order_id=order_id(uow.session, order), trigger="manual")
    console.print(outcome.summary if outcome else "nothing left to allocate")


@app.command()
def expect(
    order: str = typer.Argument(..., help="order number or id"),
    line_no: int = typer.Argument(..., help="the backordered line"),
    expected: datetime = typer.Argument(..., formats=["%Y-%m-%d"], help="YYYY-MM-DD"),
) -> None:
    """Record when a backordered line's units are expected (the customer is emailed)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        backorders.set_backorder_date(
            uow, order_id=order_id(uow.session, order), line_no=line_no, expected=expected.date()
        )
    console.print(f"{order} line {line_no}: expected {expected.date().isoformat()}")


@app.command()
def wave(
    warehouse: str = typer.Argument(..., help="warehouse code"),
    max_orders: int = typer.Option(50, "--max-orders", min=1, max=500),
    pdf: Path | None = typer.Option(None, "--pdf", help="also write the pick list PDF here"),
) -> None:
    """Create a pick list for the oldest ready orders of a warehouse, in bin order."""
    with database() as db:
        with db.unit_of_work(actor=cli_actor()) as uow:
            ref = create_pick_list(uow, warehouse=warehouse, max_orders=max_orders)
        with db.reader() as session:
            doc = pick_list_document(session, ref.id)
    table = Table("#", "bin", "sku", "qty", "order", "line")
    for line in doc.lines:
        table.add_row(
            str(line.sequence),
            line.bin_location,
            line.sku,
            str(line.quantity),
            line.order_number,
            str(line.line_no),
        )
    console.print(styled((ref.number, "bold"), f"  {ref.orders} orders, {ref.lines} lines"))
    console.print(table)
    console.print(f"confirm with: ordersmith fulfil pick {ref.number}")
    if pdf is not None:
        pdf.write_bytes(pick_list_pdf(doc))
        console.print(f"wrote {pdf}")


@app.command()
def pick(
    pick_list: str = typer.Argument(..., help="pick list number (PL-000001) or id"),
    short: list[str] = typer.Option(
        [], "--short", help="SEQUENCE=FOUND for a line not found in full (repeatable)"
    ),
) -> None:
    """Confirm a pick list; lines not named with --short were picked in full."""
    picked: dict[int, int] = {}
    for item in short:
        sequence, _, found = item.partition("=")
        line, units = whole_number(sequence), whole_number(found)
        if line is None or units is None:
            raise ValidationFailed(
                f"--short {item!r}: write SEQUENCE=FOUND, e.g. 3=1",
                fields=[FieldError("short", "SEQUENCE=FOUND")],
            )
        picked[line] = units
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        result = confirm_pick_list(
            uow, pick_list_id=queries.pick_list_id(uow.session, pick_list), picked=picked
        )
    console.print(f"{result['lines']} lines confirmed, {result['short_lines']} short")
