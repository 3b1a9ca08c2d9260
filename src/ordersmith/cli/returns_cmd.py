"""`ordersmith returns ...`: return requests (RMA) from a terminal, through the same
services as the API (ADR 0019)."""

from __future__ import annotations

import re
import uuid
from datetime import date as date_type
from pathlib import Path

import typer
from rich.table import Table

from ordersmith import clock
from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.customers.queries import get_customer
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.fulfillment.kpi_report import default_window
from ordersmith.money import money_str
from ordersmith.orders import queries as orders
from ordersmith.returns import queries
from ordersmith.returns.analytics import AnalyticsBy, ReturnAnalytics, return_analytics
from ordersmith.returns.inputs import (
    DispositionInput,
    ExchangeLineInput,
    ReceivedLineInput,
    ReturnLineInput,
)
from ordersmith.returns.inspection import inspect_return
from ordersmith.returns.labels import return_label_pdf
from ordersmith.returns.requests import create_return
from ordersmith.returns.resolution import resolve_return
from ordersmith.returns.services import (
    authorise_return,
    cancel_return,
    receive_return,
    reject_return,
    ship_return,
)
from ordersmith.returns.status import ReturnStatus
from ordersmith.returns.views import ReturnView
from ordersmith.uow import Database
from ordersmith.web.schemas.returns import ReturnAnalyticsOut

app = typer.Typer(
    help="Returns (RMA): ask, authorise or reject, ship, receive, inspect, resolve, cancel.",
    no_args_is_help=True,
)

_REQUEST = re.compile(r"(\d+)=(\d+):([a-z_]+)(?::(.*))?", re.DOTALL)
_RECEIVED = re.compile(r"(\d+)=(\d+)")
_DECISION = re.compile(r"(\d+)=([a-z_]+)(?::(\d+))?(?:@(.+))?")
_EXCHANGE = re.compile(r"(.+)=(\d+)")


def _bad(option: str, item: str, index: int, shape: str) -> ValidationFailed:
    return ValidationFailed(
        f"{option} {item!r}: write {shape}", fields=[FieldError(f"lines.{index}", shape)]
    )


def _parse(
    pattern: re.Pattern[str], option: str, items: list[str], shape: str
) -> list[re.Match[str]]:
    found = []
    for index, item in enumerate(items):
        match = pattern.fullmatch(item.strip())
        if match is None:
            raise _bad(option, item, index, shape)
        found.append(match)
    return found


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _return_id(db: Database, rma: str) -> uuid.UUID:
    with db.reader() as session:
        return queries.get_return(session, rma).id


def _print(view: ReturnView) -> None:
    units, lines = _count(view.units, "unit"), _count(view.line_count, "line")
    console.print(
        f"{view.number}: {view.status} for order {view.order_number}, {units} on {lines}, "
        f"back to {view.warehouse}"
    )
    for label, value in (
        ("comment", view.comment),
        ("window overridden", view.window_override_reason),
        ("rejected", view.reject_reason),
        ("cancelled", view.cancel_reason),
        ("carrier", f"{view.carrier} {view.tracking_number}" if view.carrier else ""),
        ("tracking", view.tracking_url),
    ):
        if value:
            console.print(f"{label}: {value}")
    if view.resolution:
        money = f"{money_str(view.credited_total, view.currency)} {view.currency}"
        paid = f"{money_str(view.refunded_total, view.currency)} {view.currency}"
        console.print(
            f"resolved: {view.resolution}; credited {money}, refunded {paid}"
            + (f"; credit notes {', '.join(view.credit_notes)}" if view.credit_notes else "")
            + (
                f"; replacement order {view.replacement_order_number}"
                if view.replacement_order_number
                else ""
            )
        )
    table = Table("line", "sku", "quantity", "received", "reason", "decided")
    for line in view.lines:
        decided = ", ".join(
            f"{d.quantity} {d.disposition}"
            + (f" @{d.warehouse or d.supplier}" if d.warehouse or d.supplier else "")
            for d in line.dispositions
        )
        table.add_row(
            str(line.line_no),
            line.sku,
            str(line.quantity),
            str(line.received_quantity),
            line.reason,
            decided,
        )
    console.print(table)
    if view.allowed_actions:
        console.print(f"next: {', '.join(view.allowed_actions)}")


@app.command("create")
def create(
    order: str = typer.Argument(..., help="order number or id"),
    line: list[str] = typer.Option(
        ..., "--line", help="LINE=QTY:REASON[:NOTE] (the order's line number), repeatable"
    ),
    comment: str = typer.Option("", "--comment", help="the customer's words"),
    override_reason: str = typer.Option(
        "", "--override-reason", help="accept lines outside the return window, and why"
    ),
    warehouse: str | None = typer.Option(None, "--warehouse", help="where the goods go back"),
) -> None:
    """Ask for a return of units of an order's shipped lines."""
    matches = _parse(_REQUEST, "--line", line, "LINE=QTY:REASON[:NOTE], e.g. 1=2:damaged")
    lines = [ReturnLineInput(int(m[1]), int(m[2]), m[3], m[4] or "") for m in matches]
    with database() as db:
        with db.reader() as session:
            order_id = orders.order_id(session, order)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = create_return(
                uow,
                order_id=order_id,
                lines=lines,
                comment=comment,
                override_window_reason=override_reason,
                warehouse=warehouse,
            )
    _print(view)


@app.command("list")
def list_returns(
    status: ReturnStatus | None = typer.Option(None, help="only this status"),
    customer: str | None = typer.Option(None, help="only this customer (number or id)"),
    order: str | None = typer.Option(None, help="only this order (number or id)"),
    limit: int = typer.Option(50, min=1, max=10_000),
) -> None:
    """Returns, newest first."""
    with database() as db, db.reader() as session:
        flt = queries.ReturnFilter(
            status=status,
            customer_id=get_customer(session, customer).id if customer else None,
            order_id=orders.order_id(session, order) if order else None,
        )
        rows = queries.list_returns(session, flt, limit=limit)
    table = Table()
    for column in ("number", "status", "order", "lines", "units", "resolution", "created"):
        table.add_column(column, no_wrap=column in ("number", "order"))
    for r in rows:
        table.add_row(
            r.number,
            r.status.value,
            r.order_number,
            str(r.line_count),
            str(r.units),
            r.resolution or "",
            r.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("show")
def show(rma: str = typer.Argument(..., help="return number or id")) -> None:
    """One return with its lines and what was decided for them."""
    with database() as db, db.reader() as session:
        view = queries.get_return(session, rma)
    _print(view)


@app.command("authorise")
def authorise(
    rma: str = typer.Argument(..., help="return number or id"),
    warehouse: str | None = typer.Option(None, "--warehouse", help="change the return address"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Accept the request (the customer is emailed where to send the goods)."""
    with database() as db:
        return_id = _return_id(db, rma)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = authorise_return(uow, return_id=return_id, warehouse=warehouse, note=note)
    _print(view)


@app.command("reject")
def reject(
    rma: str = typer.Argument(..., help="return number or id"),
    reason: str = typer.Option(..., "--reason", help="told to the customer"),
) -> None:
    """Refuse the request, with the reason."""
    with database() as db:
        return_id = _return_id(db, rma)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = reject_return(uow, return_id=return_id, reason=reason)
    _print(view)


@app.command("ship")
def ship(
    rma: str = typer.Argument(..., help="return number or id"),
    carrier: str | None = typer.Option(None, "--carrier", help="carrier code"),
    tracking_number: str | None = typer.Option(None, "--tracking-number"),
    label_out: Path | None = typer.Option(None, "--label-out", help="write the label PDF here"),
) -> None:
    """The goods are on their way back (carrier and tracking when known)."""
    with database() as db:
        return_id = _return_id(db, rma)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = ship_return(
                uow, return_id=return_id, carrier=carrier, tracking_number=tracking_number
            )
        if label_out is not None:
            with db.reader() as session:
                _name, pdf = return_label_pdf(session, db.settings, return_id)
            label_out.write_bytes(pdf)
    _print(view)
    if label_out is not None:
        console.print(f"label written to {label_out}")


@app.command("receive")
def receive(
    rma: str = typer.Argument(..., help="return number or id"),
    line: list[str] = typer.Option(
        [], "--line", help="LINE=QTY that arrived, repeatable; none: everything asked back"
    ),
) -> None:
    """Book what arrived (nothing goes on hand before inspection)."""
    matches = _parse(_RECEIVED, "--line", line, "LINE=QTY, e.g. 1=2")
    lines = [ReceivedLineInput(int(m[1]), int(m[2])) for m in matches] if line else None
    with database() as db:
        return_id = _return_id(db, rma)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = receive_return(uow, return_id=return_id, lines=lines)
    _print(view)


@app.command("inspect")
def inspect(
    rma: str = typer.Argument(..., help="return number or id"),
    line: list[str] = typer.Option(
        ...,
        "--line",
        help="LINE=DISPOSITION[:QTY][@WHERE], repeatable: restock, refurbish or scrap "
        "@WAREHOUSE, return_to_supplier @SUPPLIER; no QTY: all received units",
    ),
    note: str = typer.Option("", "--note", help="a note on every disposition"),
) -> None:
    """Decide every received unit: back on hand, scrapped, or back to the supplier."""
    shape = "LINE=DISPOSITION[:QTY][@WHERE], e.g. 1=restock:2@MAIN"
    decisions = []
    for m in _parse(_DECISION, "--line", line, shape):
        at = m[4].strip() if m[4] else None
        kind = m[2]
        decisions.append(
            DispositionInput(
                int(m[1]),
                kind,
                int(m[3]) if m[3] else None,
                warehouse=None if kind == "return_to_supplier" else at,
                supplier=at if kind == "return_to_supplier" else None,
                note=note,
            )
        )
    with database() as db:
        return_id = _return_id(db, rma)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = inspect_return(uow, return_id=return_id, dispositions=decisions)
    _print(view)


@app.command("resolve")
def resolve(
    rma: str = typer.Argument(..., help="return number or id"),
    resolution: str = typer.Option(..., "--resolution", help="refund, credit_note or exchange"),
    exchange: list[str] = typer.Option(
        [], "--exchange", help="SKU=QTY of the replacement (exchange; default: what came back)"
    ),
    note: str = typer.Option("", "--note"),
) -> None:
    """Credit, refund, or exchange what came back."""
    matches = _parse(_EXCHANGE, "--exchange", exchange, "SKU=QTY, e.g. A-1=1")
    lines = [ExchangeLineInput(m[1].strip(), int(m[2])) for m in matches] if exchange else None
    with database() as db:
        return_id = _return_id(db, rma)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = resolve_return(
                uow, return_id=return_id, resolution=resolution, note=note, exchange_lines=lines
            )
    _print(view)


@app.command("cancel")
def cancel(
    rma: str = typer.Argument(..., help="return number or id"),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Call the return off before the goods arrive."""
    with database() as db:
        return_id = _return_id(db, rma)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = cancel_return(uow, return_id=return_id, reason=reason)
    _print(view)


@app.command("analytics")
def analytics(
    by: AnalyticsBy = typer.Option(AnalyticsBy.SKU, "--by", help="sku, reason, customer, supplier"),
    date_from: str | None = typer.Option(None, "--from", help="first day, YYYY-MM-DD"),
    date_to: str | None = typer.Option(None, "--to", help="last day, included (default: today)"),
    as_json: bool = typer.Option(False, "--json", help="the API's JSON answer instead"),
) -> None:
    """Return rates of a window of days: units returned / units delivered."""
    start, end = default_window(_day("from", date_from), _day("to", date_to), today=clock.today())
    with database() as db, db.reader() as session:
        report = return_analytics(session, by=by, date_from=start, date_to=end)
    if as_json:
        typer.echo(ReturnAnalyticsOut.of(report).model_dump_json(by_alias=True, indent=2))
        return
    _print_analytics(report)


def _day(name: str, value: str | None) -> date_type | None:
    if value is None:
        return None
    try:
        return date_type.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            f"--{name} {value!r} is not a date",
            fields=[FieldError(name, "a date such as 2026-03-31")],
        ) from None


def _rate(value: object) -> str:
    return "-" if value is None else f"{value}"


def _print_analytics(report: ReturnAnalytics) -> None:
    console.print(
        styled(
            ("Return rates", "bold"),
            f"  by {report.by}, {report.date_from} to {report.date_to} (UTC days)",
        )
    )
    console.print(
        f"{report.returns} returns, {report.units_returned} units returned of "
        f"{report.units_delivered} delivered: rate {_rate(report.return_rate)}"
    )
    table = Table(str(report.by), "name", "returns", "returned", "delivered", "rate")
    for r in report.rows:
        table.add_row(
            r.key,
            r.label,
            str(r.returns),
            str(r.units_returned),
            str(r.units_delivered),
            _rate(r.return_rate),
        )
    console.print(table)
