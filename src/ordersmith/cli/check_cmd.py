"""`ordersmith check`: verify projections against ledgers and every invariant."""

from __future__ import annotations

import typer

from ordersmith.checks import all_checks, run_checks
from ordersmith.cli.common import console, database, err_console, styled


def register(app: typer.Typer) -> None:
    @app.command()
    def check() -> None:
        """Prove stock levels equal the ledger, reservations match orders, totals add up.

        Exits 1 and lists every violation if anything drifted."""
        with database() as db, db.reader() as session:
            results = run_checks(session)
        failed = 0
        for name in all_checks():
            violations = results[name]
            if violations:
                failed += len(violations)
                err_console.print(
                    styled(("FAIL", "red"), f" {name}: {len(violations)} violation(s)")
                )
                for v in violations[:20]:
                    err_console.print(f"     {v.detail}")
                if len(violations) > 20:
                    err_console.print(f"     … and {len(violations) - 20} more")
            else:
                console.print(styled(("ok", "green"), f"   {name}"))
        if failed:
            err_console.print(f"{failed} violation(s) found")
            raise typer.Exit(1)
        console.print("all checks passed")
