"""`ordersmith db ...`: schema migrations."""

from __future__ import annotations

import typer
from alembic.script import ScriptDirectory

from ordersmith import migrate
from ordersmith.cli.common import cli_settings, console
from ordersmith.errors import OmsError
from ordersmith.uow import Database

app = typer.Typer(help="Database schema: upgrade, show the current revision.", no_args_is_help=True)


def _check_revision(revision: str) -> None:
    """Only ``head`` or a revision of this version: Alembic's own parsing of other forms
    ends in bare assertions for some inputs (``@``, ``0003+99``)."""
    script = ScriptDirectory(str(migrate.migrations_dir()))
    known = [r.revision for r in reversed(list(script.walk_revisions()))]
    if revision not in {"head", "heads", *known}:
        raise OmsError(
            f"no revision {revision!r}; use head or one of {', '.join(known)}",
            code="unknown_revision",
        )


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Migrate the configured database (ORDERSMITH_DATABASE_URL) to the latest schema."""
    _check_revision(revision)
    db = Database.connect(cli_settings())
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
    db = Database.connect(cli_settings())
    try:
        console.print(f"current: {migrate.current_revision(db.engine) or 'empty'}")
        console.print(f"head:    {migrate.head_revision()}")
    finally:
        db.dispose()
