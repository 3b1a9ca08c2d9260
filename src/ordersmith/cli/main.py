"""`ordersmith` / `python -m ordersmith`: the root command and its groups."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import NoReturn

import typer
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ordersmith.cli import (
    accounting_cmd,
    billing_cmd,
    cases_cmd,
    catalog_cmd,
    check_cmd,
    customers_cmd,
    db_cmd,
    demo_cmd,
    forecast_cmd,
    fulfilment_cmd,
    inventory_cmd,
    kpi_cmd,
    maintenance_cmd,
    orders_cmd,
    portal_cmd,
    purchasing_cmd,
    replenish_cmd,
    returns_cmd,
    server,
    shipping_cmd,
    tokens,
    user_cmd,
    worker_cmd,
)
from ordersmith.cli.common import err_console, fit_consoles_to_terminal, safe_url, styled
from ordersmith.config import load_settings
from ordersmith.errors import FieldError, OmsError

app = typer.Typer(
    name="ordersmith",
    help="Ordersmith order management: serve the API, manage the database, tokens and data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(tokens.app, name="token")
app.add_typer(user_cmd.app, name="user")  # staff users of the back office
app.add_typer(portal_cmd.app, name="portal")  # customer portal accounts
app.add_typer(inventory_cmd.warehouses, name="warehouse")
app.add_typer(inventory_cmd.stock, name="stock")
app.add_typer(orders_cmd.app, name="orders")
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(customers_cmd.app, name="customers")
app.add_typer(fulfilment_cmd.app, name="fulfil")
app.add_typer(shipping_cmd.app, name="ship")
app.add_typer(billing_cmd.app, name="billing")
app.add_typer(accounting_cmd.app, name="accounting")
app.add_typer(forecast_cmd.app, name="forecast")
app.add_typer(purchasing_cmd.app, name="purchasing")
app.add_typer(replenish_cmd.app, name="replenish")
app.add_typer(returns_cmd.app, name="returns")
cases_cmd.register(app)  # `cases ...` and `timeline ORDER`
server.register(app)
check_cmd.register(app)
worker_cmd.register(app)
kpi_cmd.register(app)


@app.callback()
def _each_invocation() -> None:
    """Runs before every command: consoles take this invocation's terminal width."""
    fit_consoles_to_terminal()


maintenance_cmd.register(app)
demo_cmd.register(app)

# the same signs as the API's 503 database_busy (web/problems.py)
_BUSY_SIGNS = ("database is locked", "lock timeout", "deadlock detected", "canceling statement")


def main() -> None:
    """Run the command; print every expected failure as ``error [code]: message``."""
    try:
        app()
    except OmsError as exc:
        _fail(exc.code, exc.detail, exc.fields)
    except ValidationError as exc:
        _fail("invalid_settings", str(exc), status=2)
    except CommandError as exc:  # alembic: a revision it does not know, or cannot reach
        _fail("unknown_revision", str(exc))
    except (OperationalError, InterfaceError, PoolTimeout) as exc:
        _database_trouble(exc)
    except DataError as exc:
        _fail("invalid_value", f"the database refused a value: {_first_line(exc)}")
    except UnicodeEncodeError as exc:  # e.g. an argument that is not UTF-8 (lone surrogates)
        bad = exc.object[exc.start : exc.end]
        _fail("invalid_text", f"{bad!r} cannot be encoded as {exc.encoding}: {exc.reason}")
    except OSError as exc:  # e.g. a data directory that cannot be created
        where = f": {exc.filename}" if exc.filename else ""
        _fail("system_error", f"{exc.strerror or exc}{where}")


def _database_trouble(exc: Exception) -> NoReturn:
    reason = _first_line(exc)
    if isinstance(exc, PoolTimeout) or any(s in reason.lower() for s in _BUSY_SIGNS):
        _fail("database_busy", f"the database is busy (locked by other work); retry: {reason}")
    _fail("database_unavailable", f"cannot use the database at {_database_url()}: {reason}")


def _database_url() -> str:
    try:
        return safe_url(load_settings().effective_database_url)
    except (OmsError, ValidationError):
        return "(the configured URL)"


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(code: str, message: str, fields: Iterable[FieldError] = (), status: int = 1) -> NoReturn:
    err_console.print(styled(("error", "red"), f" [{code}]: {message}"))
    for field in fields:
        err_console.print(f"  {field.field}: {field.message}")
    sys.exit(status)
