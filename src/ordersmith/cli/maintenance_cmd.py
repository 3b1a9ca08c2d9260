"""`ordersmith purge-expired`: housekeeping to run from cron until the worker schedules it."""

from __future__ import annotations

import typer

from ordersmith.cli.common import cli_actor, console, database
from ordersmith.idempotency.services import purge_expired


def register(app: typer.Typer) -> None:
    @app.command("purge-expired")
    def purge() -> None:
        """Delete Idempotency-Keys past their retention (ORDERSMITH_IDEMPOTENCY_TTL_HOURS)."""
        with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
            count = purge_expired(uow)
        console.print(f"purged {count} expired idempotency key(s)")
