"""`ordersmith user ...`: staff users of the back office (ADR 0023)."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from ordersmith.cli.common import cli_actor, console, database
from ordersmith.errors import ValidationFailed
from ordersmith.staff.queries import list_staff_users
from ordersmith.staff.roles import StaffRole
from ordersmith.staff.services import (
    create_staff_user,
    disable_user,
    find_user,
    logout_everywhere,
    set_password,
)

app = typer.Typer(
    help="Staff users of the back office: create, list, disable, set a password, sign out.",
    no_args_is_help=True,
)
_STDIN = typer.Option(False, "--password-stdin", help="read the password from standard input")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise ValidationFailed("no password given", code="weak_password")
    return password


@app.command()
def create(
    email: str = typer.Option(..., help="signs in with this (stored in lower case)"),
    name: str = typer.Option(..., help="shown in the back office"),
    role: StaffRole = typer.Option(..., help="admin, sales, customer_service, warehouse, ..."),
    password_stdin: bool = _STDIN,
) -> None:
    """Create a staff user (asks for the password twice unless --password-stdin)."""
    password = _password(password_stdin)
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        user = create_staff_user(uow, email=email, name=name, role=role, password=password)
        line = f"created {user.role} {user.email} ({user.name})"
    console.print(line)


@app.command("list")
def list_() -> None:
    """List staff users in the order they were created (never their passwords)."""
    table = Table("name", "role", "active", "locked until", "sessions")
    table.add_column("email", no_wrap=True)
    with database() as db, db.reader() as session:
        after = None
        while batch := list_staff_users(session, limit=500, after=after):
            for u in batch:
                table.add_row(
                    u.name,
                    u.role,
                    "yes" if u.active else "no",
                    u.locked_until.strftime("%Y-%m-%d %H:%M") if u.locked_until else "",
                    str(u.open_sessions),
                    u.email,
                )
            after = (batch[-1].created_at, batch[-1].id)
    console.print(table)


@app.command()
def disable(email: str = typer.Argument(..., help="the user's email")) -> None:
    """Stop a user signing in; their open sessions end now."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        user = disable_user(uow, email=email)
        line = f"disabled {user.email}"
    console.print(line)


@app.command("logout-everywhere")
def logout_everywhere_(email: str = typer.Argument(..., help="the user's email")) -> None:
    """End every open session of a user."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        user = find_user(uow, email)
        ended = logout_everywhere(uow, user_id=user.id)
        line = f"ended {ended} session(s) of {user.email}"
    console.print(line)


@app.command("set-password")
def set_password_(
    email: str = typer.Argument(..., help="the user's email"), password_stdin: bool = _STDIN
) -> None:
    """Set a new password (lifts a lockout; the user's open sessions end)."""
    password = _password(password_stdin)
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        user = set_password(uow, email=email, password=password)
        line = f"password set for {user.email}; their sessions ended"
    console.print(line)
