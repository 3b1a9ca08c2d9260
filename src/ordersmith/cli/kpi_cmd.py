"""`ordersmith kpi` (the fulfilment KPIs of a window) and `ordersmith incident ...`
(damage and document corrections recorded against an order)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import typer
from rich.table import Table

from ordersmith import clock
from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.fulfillment.incidents import DocumentKind, ReportedKind, record_incident
from ordersmith.fulfillment.kpi_report import KpiReport, default_window, kpi_report
from ordersmith.fulfillment.kpis import Percentiles
from ordersmith.fulfillment.queries import order_incidents
from ordersmith.orders import queries
from ordersmith.web.schemas.incidents import IncidentOut
from ordersmith.web.schemas.kpis import PerfectOrderOut

SHOWN_FAILING = 20

incidents = typer.Typer(
    help="Incidents against orders: report damage, record corrected documents, list them.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.command("kpi")(kpi)
    app.add_typer(incidents, name="incident")


def kpi(
    date_from: str | None = typer.Option(
        None, "--from", help="first day, YYYY-MM-DD (default: 29 days before --to)"
    ),
    date_to: str | None = typer.Option(None, "--to", help="last day, included (default: today)"),
    as_json: bool = typer.Option(False, "--json", help="the API's JSON answer instead"),
) -> None:
    """The fulfilment KPIs of a window of days: perfect order (orders delivered in it)
    and its components, fill rates, cycle times, on-time dispatch; the failing orders
    and why they failed. Dates are UTC days."""
    today = clock.today()
    start, end = default_window(_day("from", date_from), _day("to", date_to), today=today)
    with database() as db, db.reader() as session:
        report = kpi_report(session, date_from=start, date_to=end, as_of=today)
    if as_json:
        typer.echo(PerfectOrderOut.of(report).model_dump_json(by_alias=True, indent=2))
        return
    _print_report(report)


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


def _print_report(report: KpiReport) -> None:
    perfect, fill = report.perfect_order, report.fill_rates
    console.print(
        styled(
            ("Fulfilment KPIs", "bold"),
            f"  {report.date_from} to {report.date_to} (UTC days; as of {report.as_of})",
        )
    )
    rates = Table("measure", "passed", "of", "rate")
    rates.add_row("perfect order", str(perfect.perfect), str(perfect.orders), _rate(perfect.rate))
    for c in perfect.components:
        rates.add_row(f"  {c.name.replace('_', ' ')}", str(c.passed), str(c.total), _rate(c.rate))
    rates.add_row(
        "order fill rate", str(fill.orders_filled), str(fill.orders), _rate(fill.order_fill_rate)
    )
    rates.add_row(
        "unit fill rate",
        str(fill.units_filled),
        str(fill.units_ordered),
        _rate(fill.unit_fill_rate),
    )
    dispatch = report.on_time_dispatch
    rates.add_row(
        "on-time dispatch", str(dispatch.passed), str(dispatch.total), _rate(dispatch.rate)
    )
    console.print(rates)
    times = Table("cycle time", "orders", "median", "p90")
    for name, p in (
        ("placed → first dispatch", report.cycle_times.placed_to_first_dispatch),
        ("placed → delivered", report.cycle_times.placed_to_delivery),
    ):
        times.add_row(name, str(p.count), *_spread(p))
    console.print(times)
    if perfect.no_promise:
        console.print(f"{perfect.no_promise} delivered order(s) had no promised date (on time)")
    if perfect.failing:
        console.print(styled(("Not perfect", "bold"), f" ({len(perfect.failing)})"))
        for f in perfect.failing[:SHOWN_FAILING]:
            console.print(f"  {f.number}  {', '.join(f.reasons)}")
        if len(perfect.failing) > SHOWN_FAILING:
            console.print(f"  … and {len(perfect.failing) - SHOWN_FAILING} more")


def _rate(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f} %"


def _spread(p: Percentiles) -> tuple[str, str]:
    return duration(p.median), duration(p.p90)


def duration(value: timedelta | None) -> str:
    """``2 d 3 h``, ``5 h 30 min``, ``12 min``; ``—`` when nothing was measured."""
    if value is None:
        return "—"
    minutes = value // timedelta(minutes=1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@incidents.command("record")
def record(
    order: str = typer.Argument(..., help="order number or id"),
    kind: ReportedKind = typer.Option(..., "--kind"),
    note: str = typer.Option(..., "--note", help="what happened"),
    line: int | None = typer.Option(None, "--line", help="damage: the order line number"),
    quantity: int = typer.Option(0, "--quantity", help="damage: units damaged"),
    document: DocumentKind | None = typer.Option(None, "--document", help="which was corrected"),
) -> None:
    """Record damage or a corrected document against an order (append-only)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = queries.get_order(uow.session, order)
        incident = record_incident(
            uow,
            order_id=view.id,
            kind=kind.value,
            note=note,
            line_no=line,
            quantity=quantity,
            document=document.value if document else None,
        )
    console.print(f"{view.number}: {incident.kind} recorded ({incident.note})")


@incidents.command("list")
def list_incidents(order: str = typer.Argument(..., help="order number or id")) -> None:
    """Everything recorded against an order: backorders, short picks, damage, corrections."""
    with database() as db, db.reader() as session:
        view = queries.get_order(session, order)
        found = order_incidents(session, view.id)
    lines = {line.id: line for line in view.lines}
    table = Table("at", "kind", "line", "qty", "by", "note")
    for i in found:
        out = IncidentOut.of(i, lines)
        table.add_row(
            out.at.isoformat(timespec="minutes"),
            out.kind,
            str(out.line_no or ""),
            str(out.quantity or ""),
            out.actor,
            out.note,
        )
    console.print(table)
