"""`ordersmith` / `python -m ordersmith`: the root command and its groups."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from ordersmith.cli import db_cmd, server, tokens
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
server.register(app)


def main() -> None:
    try:
        app()
    except OmsError as exc:
        err_console.print(f"[red]error[/red] [{exc.code}]: {exc.detail}")
        for field in exc.fields:
            err_console.print(f"  {field.field}: {field.message}")
        sys.exit(1)
    except ValidationError as exc:
        err_console.print(f"[red]error[/red] [invalid_settings]: {exc}")
        sys.exit(2)
