"""`ordersmith` / `python -m ordersmith`: the root command and its groups."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError
from rich.markup import escape

from ordersmith.cli import (
    catalog_cmd,
    check_cmd,
    customers_cmd,
    db_cmd,
    demo_cmd,
    inventory_cmd,
    maintenance_cmd,
    orders_cmd,
    server,
    tokens,
)
from ordersmith.cli.common import err_console
from ordersmith.errors import OmsError

app = typer.Typer(
    name="ordersmith",
    help="Ordersmith order management: serve the API, manage the database, tokens and data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(tokens.app, name="token")
app.add_typer(inventory_cmd.warehouses, name="warehouse")
app.add_typer(inventory_cmd.stock, name="stock")
app.add_typer(orders_cmd.app, name="orders")
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(customers_cmd.app, name="customers")
server.register(app)
check_cmd.register(app)
maintenance_cmd.register(app)
demo_cmd.register(app)


def main() -> None:
    try:
        app()
    except OmsError as exc:
        err_console.print(f"[red]error[/red] \\[{exc.code}]: {escape(exc.detail)}")
        for field in exc.fields:
            err_console.print(f"  {escape(field.field)}: {escape(field.message)}")
        sys.exit(1)
    except ValidationError as exc:
        err_console.print(f"[red]error[/red] \\[invalid_settings]: {escape(str(exc))}")
        sys.exit(2)
