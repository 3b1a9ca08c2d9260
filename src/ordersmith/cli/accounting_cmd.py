"""`ordersmith accounting ...`: exports for the accounting software, AR aging, DSO,
customer statements and payment reminders (the same services as the API)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from ordersmith import clock
from ordersmith.billing.documents import statement_document
from ordersmith.billing.export_formats import XERO_TAX_RATE
from ordersmith.billing.exports import batch_file, export
from ordersmith.billing.overdue import (
    DEFAULT_STEPS,
    request_statement_email,
    send_payment_reminders,
)
from ordersmith.billing.receivables import AgingRow, aging, days_sales_outstanding
from ordersmith.billing.records import ExportKind
from ordersmith.cli.common import cli_actor, console, database
from ordersmith.documents import statement_pdf
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import money_str
from ordersmith.web.schemas.receivables import AgingOut

app = typer.Typer(
    help="Accounting hand-off and receivables: export, aging, dso, statement, remind.",
    no_args_is_help=True,
)


def _day(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            f"--{name} {value!r} is not a date",
            fields=[FieldError(name, "a date such as 2026-03-31")],
        ) from None


def _required_day(name: str, value: str) -> date:
    day = _day(name, value)
    assert day is not None
    return day


def _write(path: Path, content: bytes) -> None:
    """Write the whole file or nothing: a partial export must not look like a full one."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)


@app.command("export")
def export_cmd(
    kind: ExportKind = typer.Option(..., "--kind", help="journal, invoices or xero"),
    date_from: str = typer.Option(..., "--from", help="first day, YYYY-MM-DD"),
    date_to: str = typer.Option(..., "--to", help="last day, included"),
    out: Path = typer.Option(..., "--out", help="the CSV file to write"),
    new_only: bool = typer.Option(
        False, "--new-only", help="only journal entries not exported yet (a new batch)"
    ),
    xero_tax_rate: str = typer.Option(
        XERO_TAX_RATE, "--xero-tax-rate", help="xero: the tax rate name on every line"
    ),
) -> None:
    """Export a period for the accounting software. The same kind and period again
    writes the same batch's file and marks nothing; --new-only takes what is new."""
    start, end = _required_day("from", date_from), _required_day("to", date_to)
    with database() as db:
        with db.unit_of_work(actor=cli_actor()) as uow:
            result = export(uow, kind=kind.value, date_from=start, date_to=end, new_only=new_only)
        with db.reader() as session:
            found = batch_file(session, result.batch.id, xero_tax_rate=xero_tax_rate)
    _write(out, found.content.encode())
    what = "invoices" if kind is ExportKind.INVOICES else "journal entries"
    state = "new batch" if result.created else "the period's existing batch (nothing marked)"
    console.print(f"{out}: {result.batch.entry_count} {what}, {state} {result.batch.id}")
    if result.already_exported:
        console.print(
            f"{result.already_exported} entries of the period were exported by earlier batches"
        )


@app.command("aging")
def aging_cmd(
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today, UTC)"),
    as_json: bool = typer.Option(False, "--json", help="the API's JSON answer instead"),
) -> None:
    """Open invoice balances by days past due, per customer and currency."""
    day = _day("as-of", as_of) or clock.today()
    with database() as db, db.reader() as session:
        report = aging(session, as_of=day)
    if as_json:
        typer.echo(AgingOut.of(report).model_dump_json(indent=2))
        return
    table = Table(
        "customer", "name", "cur", "current", "1-30", "31-60", "61-90", "90+", "total",
        title=f"Receivables aging as of {day.isoformat()}",
    )  # fmt: skip
    for row in report.customers:
        table.add_row(row.customer_number, row.customer_name, *_amounts(row))
    for row in report.totals:
        table.add_row("total", "", *_amounts(row))
    console.print(table)


def _amounts(row: AgingRow) -> list[str]:
    values = (row.current, row.days_1_30, row.days_31_60, row.days_61_90, row.over_90, row.total)
    return [row.currency, *(money_str(v, row.currency) for v in values)]


@app.command("dso")
def dso_cmd(
    days: int = typer.Option(90, "--days", help="the window, in days"),
    as_of: str | None = typer.Option(None, "--as-of", help="last day of the window"),
) -> None:
    """Days sales outstanding: account receivables / credit sales of the window x days."""
    day = _day("as-of", as_of) or clock.today()
    with database() as db, db.reader() as session:
        rows = days_sales_outstanding(session, as_of=day, days=days)
    if not rows:
        console.print(f"no account invoices open on {day} nor issued in the {days} days before")
    for r in rows:
        shown = "—" if r.dso is None else f"{r.dso:f} days"
        console.print(
            f"{r.currency}: DSO {shown} (receivables {money_str(r.receivables, r.currency)}, "
            f"credit sales {money_str(r.credit_sales, r.currency)} in {days} days to {day})"
        )


@app.command("statement")
def statement_cmd(
    customer: str = typer.Argument(..., help="customer number or id"),
    date_from: str = typer.Option(..., "--from", help="first day, YYYY-MM-DD"),
    date_to: str = typer.Option(..., "--to", help="last day, included"),
    out: Path | None = typer.Option(None, "--out", help="write the statement PDF here"),
    email: bool = typer.Option(False, "--email", help="email it to the customer (worker)"),
) -> None:
    """A customer's statement of account: opening balance, documents, closing balance."""
    start, end = _required_day("from", date_from), _required_day("to", date_to)
    if out is None and not email:
        raise ValidationFailed(
            "say where the statement goes", fields=[FieldError("out", "give --out or --email")]
        )
    with database() as db:
        with db.reader() as session:
            doc = statement_document(session, db.settings, customer, date_from=start, date_to=end)
        if out is not None:
            _write(out, statement_pdf(doc))
        if email:
            with db.unit_of_work(actor=cli_actor()) as uow:
                request_statement_email(uow, customer=customer, date_from=start, date_to=end)
    closing = money_str(doc.closing_balance, doc.currency)
    opening = money_str(doc.opening_balance, doc.currency)
    console.print(
        f"{doc.customer_number} {start} to {end}: opening {opening}, {len(doc.lines)} "
        f"document(s), closing {closing} {doc.currency}"
    )
    if out is not None:
        console.print(f"written to {out}")
    if email:
        console.print("queued for email (the worker sends it)")


@app.command("remind")
def remind_cmd(
    today: str | None = typer.Option(None, "--today", help="the day to judge overdue by"),
    steps: str = typer.Option(
        ",".join(str(s) for s in DEFAULT_STEPS), "--steps", help="days overdue, comma separated"
    ),
) -> None:
    """Queue the payment reminders due today (each step once per invoice). The worker
    runs this daily by itself; the mails go out with the worker."""
    day = _day("today", today) or clock.today()
    try:
        after_days = [int(s) for s in steps.split(",") if s.strip()]
    except ValueError:
        raise ValidationFailed(
            "--steps is not valid",
            fields=[FieldError("steps", "whole days, comma separated, e.g. 1,7,14")],
        ) from None
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        queued = send_payment_reminders(uow, today=day, after_days=after_days)
    console.print(f"{queued} payment reminder(s) queued for {day}")
