"""`ordersmith catalog ...`: import products from CSV, list products."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress
from rich.table import Table

from ordersmith.catalog.queries import list_products
from ordersmith.catalog.services import upsert_product
from ordersmith.catalog.status import ProductStatus
from ordersmith.cli.common import cli_actor, console, database, read_csv, reject, row_errors
from ordersmith.errors import FieldError, OmsError
from ordersmith.money import money_str

app = typer.Typer(help="Catalog: import products from CSV, list products.", no_args_is_help=True)

PRODUCT_COLUMNS = ("sku", "name", "price", "currency")
OPTIONAL_PRODUCT_COLUMNS = (
    *("category", "unit", "tax_rate", "description", "barcode", "status", "weight_kg", "stocked"),
)
_KEEP_WHEN_EMPTY = frozenset({"currency", "unit", "tax_rate", "status", "stocked"})
_YES, _NO = frozenset({"true", "yes", "y", "1"}), frozenset({"false", "no", "n", "0"})


def _product_fields(row: dict[str, str]) -> dict[str, Any]:
    """A row's cells as service fields; a cell it cannot read goes on for the service
    to name, with the row's other problems."""
    fields: dict[str, Any] = {}
    for column, cell in row.items():
        if column == "sku" or (cell == "" and column in _KEEP_WHEN_EMPTY):
            continue
        if column == "stocked" and cell.lower() in _YES | _NO:
            fields[column] = cell.lower() in _YES
        else:
            fields[column] = cell
    return fields


@app.command("import")
def import_products(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Create or update products from a CSV file, matched by SKU; all rows or none.

    Columns: sku, name, price, currency, and optionally category, unit, tax_rate,
    description, barcode, status, weight_kg, stocked. An empty currency, unit, tax_rate,
    status or stocked keeps the current value (or the default); other empty cells clear.
    """
    rows, problems = read_csv(file, PRODUCT_COLUMNS, OPTIONAL_PRODUCT_COLUMNS)
    total = len(rows) + len(problems)  # each problem so far is one unreadable row
    created = updated = 0
    first_line: dict[str, int] = {}
    with (
        database() as db,
        db.unit_of_work(actor=cli_actor()) as uow,
        Progress(console=console) as progress,
    ):
        task = progress.add_task("importing products", total=len(rows))
        for line, row in rows:
            progress.advance(task)
            sku = row["sku"]
            if sku in first_line:
                problems.append(
                    FieldError(f"line {line}", f"sku {sku!r} is on line {first_line[sku]} too")
                )
                continue
            first_line[sku] = line
            try:
                _view, was_created = upsert_product(uow, sku=sku, **_product_fields(row))
            except OmsError as exc:
                problems.extend(row_errors(line, exc))
                continue
            created, updated = created + was_created, updated + (not was_created)
        if problems:
            raise reject(problems, total)
    console.print(f"imported {len(rows)} products: {created} created, {updated} updated")


@app.command("list")
def list_(
    search: str | None = typer.Option(None, "--search", "-q", help="in SKU or name"),
    status: ProductStatus | None = typer.Option(None, help="draft, active or discontinued"),
    category: str | None = typer.Option(None, help="exact category"),
    limit: int = typer.Option(50, min=1, max=500, help="at most this many products"),
) -> None:
    """List products by SKU."""
    with database() as db, db.reader() as session:
        items, more = list_products(
            session, q=search, status=status, category=category, limit=limit
        )
    table = Table("sku", "name", "price", "status", "category", "stocked")
    for p in items:
        table.add_row(
            p.sku,
            p.name,
            f"{money_str(p.price, p.currency)} {p.currency}",
            p.status.value,
            p.category,
            "yes" if p.stocked else "no",
        )
    console.print(table)
    if more:
        console.print(f"showing the first {limit}; narrow with --search or raise --limit")
