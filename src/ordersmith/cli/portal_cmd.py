"""`ordersmith portal ...`: customer portal accounts (ADR 0029)."""

from __future__ import annotations

import typer

from ordersmith.cli.common import cli_actor, console, database
from ordersmith.portal.services import disable_account, invite_account

app = typer.Typer(
    help="Customer portal accounts: invite a customer, disable an account.",
    no_args_is_help=True,
)


@app.command()
def invite(
    customer_number: str = typer.Argument(..., help="the customer's number, e.g. C-000123"),
    email: str = typer.Option("", "--email", help="invite this address (default: the customer's)"),
) -> None:
    """Email a "set your password" link (valid portal_invite_days) to the customer."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        invited = invite_account(uow, customer=customer_number, email=email or None)
        line = f"invited {invited.account.email} to the portal (link mailed, single use)"
    console.print(line)


@app.command()
def disable(email: str = typer.Argument(..., help="the portal account's email")) -> None:
    """Stop a portal account from signing in; its sessions end now."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        account = disable_account(uow, email=email)
        line = f"disabled {account.email}"
    console.print(line)
