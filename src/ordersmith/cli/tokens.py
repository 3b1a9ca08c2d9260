"""`ordersmith token ...`: API tokens for integrations and staff tools."""

from __future__ import annotations

import typer
from rich.table import Table

from ordersmith.auth.models import Role
from ordersmith.auth.services import create_token, list_tokens, revoke_token
from ordersmith.cli.common import cli_actor, console, database
from ordersmith.customers.queries import get_customer

app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)


@app.command()
def create(
    role: Role = typer.Option(..., help="admin, staff, integration or customer"),
    name: str = typer.Option("cli", help="a name to recognise the token by"),
    customer: str | None = typer.Option(
        None, help="a customer token's customer (number or id): it sees only their returns"
    ),
) -> None:
    """Create a token. The token itself is printed once, alone on the last line."""
    with database() as db:
        customer_id = None
        if customer is not None:
            with db.reader() as session:
                customer_id = get_customer(session, customer).id
        with db.unit_of_work(actor=cli_actor()) as uow:
            info, plaintext = create_token(uow, name=name, role=role, customer_id=customer_id)
    try:
        console.print(f"created {info.role} token {info.name!r} ({info.prefix}…, id {info.id})")
    finally:  # the token exists now: print it whatever happens to the decoration
        print(plaintext, flush=True)


@app.command("list")
def list_() -> None:
    """List tokens (never their secret)."""
    with database() as db, db.reader() as session:
        tokens = list_tokens(session)
    table = Table("id", "name", "role", "prefix", "created", "revoked")
    for t in tokens:
        table.add_row(
            str(t.id),
            t.name,
            t.role,
            t.prefix,
            t.created_at.isoformat(timespec="seconds"),
            t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else "",
        )
    console.print(table)


@app.command()
def revoke(token: str = typer.Argument(..., help="token id or its prefix")) -> None:
    """Revoke a token. Running servers refuse it within ORDERSMITH_API_TOKEN_CACHE_SECONDS
    (5 by default: each worker trusts a token it checked for that long)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        info = revoke_token(uow, token_id_or_prefix=token)
    console.print(f"revoked {info.name!r} ({info.prefix}…)")
