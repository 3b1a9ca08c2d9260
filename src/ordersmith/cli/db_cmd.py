"""`ordersmith db ...`: schema migrations."""

from __future__ import annotations

import typer

from ordersmith import migrate
from ordersmith.cli.common import console
from ordersmith.config import load_settings
from ordersmith.uow import Database

app = typer.Typer(help="Database schema: upgrade, show the current revision.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Migrate the configured database (ORDERSMITH_DATABASE_URL) to the latest schema."""
    db = Database.connect(load_settings())
    try:
        before = migrate.current_revision(db.engine)
        migrate.upgrade(db.engine, revision)
        after = migrate.current_revision(db.engine)
    finally:
        db.dispose()
    console.print(f"database at revision {after} (was {before or 'empty'})")


@app.command()
def current() -> None:
    """Print the database's revision and the revision this version needs."""
    db = Database.connect(load_settings())
    try:
        console.print(f"current: {migrate.current_revision(db.engine) or 'empty'}")
        console.print(f"head:    {migrate.head_revision()}")
    finally:
        db.dispose()
