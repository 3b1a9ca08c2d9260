"""`ordersmith customers ...`: import customers from CSV, list customers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress
from rich.table import Table

from ordersmith.cli import crm_cmd
from ordersmith.cli.common import cli_actor, console, database, read_csv, reject, row_errors
from ordersmith.customers.models import AccountType
from ordersmith.customers.overview import customer_overview
from ordersmith.customers.queries import list_customers, numbers_by_email
from ordersmith.customers.services import NewCustomer, create_customers, prepare_customer
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.validation import whole_number

app = typer.Typer(
    help="Customers: import, list, show; contacts, loyalty tiers, duplicates and merges.",
    no_args_is_help=True,
)

CUSTOMER_COLUMNS = ("name", "email", "account_type")
OPTIONAL_CUSTOMER_COLUMNS = (
    *("company", "phone", "customer_group", "payment_terms_days", "credit_limit", "currency"),
)
_DEFAULT_WHEN_EMPTY = frozenset(
    {"customer_group", "payment_terms_days", "credit_limit", "currency"}
)


def _customer_fields(row: dict[str, str]) -> dict[str, Any]:
    """A row's cells as service fields; an empty optional cell means its default."""
    fields: dict[str, Any] = {k: v for k, v in row.items() if v or k not in _DEFAULT_WHEN_EMPTY}
    terms = fields.get("payment_terms_days")
    days = whole_number(terms) if terms is not None else None  # not "²", which int() refuses
    if days is not None:
        fields["payment_terms_days"] = days  # anything else goes on, for the check to name
    return fields


@app.command("import")
def import_customers(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Create customers from a CSV file; all rows or none.

    Columns: name, email, account_type (cash or account), and optionally company, phone,
    customer_group, payment_terms_days, credit_limit, currency. A row whose email a
    customer already has is refused, so running an import twice creates nothing twice.
    """
    rows, problems = read_csv(file, CUSTOMER_COLUMNS, OPTIONAL_CUSTOMER_COLUMNS)
    total = len(rows) + len(problems)  # each problem so far is one unreadable row
    checked: list[tuple[int, NewCustomer]] = []
    with database() as db:
        with Progress(console=console) as progress:
            task = progress.add_task("checking customers", total=len(rows))
            for line, row in rows:
                progress.advance(task)
                fields = _customer_fields(row)
                try:
                    new = prepare_customer(default_currency=db.settings.default_currency, **fields)
                except ValidationFailed as exc:
                    problems.extend(row_errors(line, exc))
                else:
                    checked.append((line, new))
        with db.reader() as session:
            taken = numbers_by_email(session, [new.values["email"] for _, new in checked])
        first_line: dict[str, int] = {}
        for line, new in checked:
            email = new.values["email"]
            if email in taken:
                problems.append(FieldError(f"line {line}", f"email: {taken[email]} has {email}"))
            elif email in first_line:
                problems.append(
                    FieldError(f"line {line}", f"email: {email} is on line {first_line[email]} too")
                )
            first_line.setdefault(email, line)
        if problems:
            raise reject(problems, total)
        with console.status("saving customers"), db.unit_of_work(actor=cli_actor()) as uow:
            views = create_customers(uow, customers=[new for _, new in checked])
    if views:
        console.print(f"created {len(views)} customers: {views[0].number} to {views[-1].number}")
    else:
        console.print("created 0 customers: the file has no rows")


@app.command("list")
def list_(
    search: str | None = typer.Option(
        None, "--search", "-q", help="in name, email, number or company"
    ),
    account_type: AccountType | None = typer.Option(None, help="cash or account"),
    group: str | None = typer.Option(None, help="customer group"),
    limit: int = typer.Option(50, min=1, max=500, help="at most this many customers"),
) -> None:
    """List customers, newest first."""
    with database() as db, db.reader() as session:
        items, more = list_customers(
            session, q=search, account_type=account_type, customer_group=group, limit=limit
        )
    table = Table("number", "name", "company", "email", "type", "group", "terms")
    for c in items:
        table.add_row(
            c.number,
            c.name,
            c.company,
            c.email,
            c.account_type.value,
            c.customer_group,
            f"{c.payment_terms_days} days" if c.account_type is AccountType.ACCOUNT else "cash",
        )
    console.print(table)
    if more:
        console.print(f"showing the newest {limit}; narrow with --search or raise --limit")


@app.command("show")
def show(
    customer: str = typer.Argument(..., help="number or id"),
    overview: bool = typer.Option(False, "--overview", help="the whole customer 360"),
) -> None:
    """One customer (with --overview: tier, orders, balance, returns, cases, mail)."""
    with database() as db, db.reader() as session:
        view = customer_overview(session, customer)
    if overview:
        crm_cmd.print_overview(view)
        return
    c = view.customer
    console.print(f"{c.number}  {c.name}  {c.email}  {c.account_type.value}  tier {c.tier or '-'}")


crm_cmd.register(app)
