"""`ordersmith demo`: load a realistic demo business into an empty database."""

from __future__ import annotations

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ordersmith.cli.common import console, database
from ordersmith.demo.generator import DemoConfig
from ordersmith.demo.loader import DemoSummary, check_empty, has_business_data, load_demo


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    seed: int = typer.Option(42, "--seed", help="random seed: the same seed gives the same data"),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="do nothing when the database already has products or orders"
    ),
    history_days: int = typer.Option(
        730, "--history-days", help="days of completed order history, ending yesterday"
    ),
) -> None:
    """Load a demo wholesale business: warehouses, products, price lists, customers,
    stock, two years of order history and some open orders."""
    with database() as db:
        if if_empty and has_business_data(db):
            console.print("The database already has products or orders: demo data not loaded.")
            return
        DemoConfig(seed=seed, history_days=history_days).validate()
        check_empty(db)
        with Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bars:
            tasks: dict[str, TaskID] = {}

            def report(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bars.add_task(phase, total=total)
                bars.update(tasks[phase], completed=done, total=total)

            summary = load_demo(db, seed=seed, history_days=history_days, progress=report)
    _print_summary(summary)


def _print_summary(summary: DemoSummary) -> None:
    table = Table(title=f"Demo data loaded in {summary.seconds:.1f} s", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in (
        ("warehouses", summary.warehouses),
        ("products", summary.products),
        ("price lists", summary.price_lists),
        ("customers", summary.customers),
        ("stock rows", summary.stock_rows),
        ("orders (history)", summary.historical_orders),
        ("open orders", summary.open_orders),
    ):
        table.add_row(label, f"{count:,}")
    console.print(table)
