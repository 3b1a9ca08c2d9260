"""`ordersmith forecast ...`: run demand forecasts, show one SKU's forecast and why,
list the runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ordersmith.catalog.queries import get_product
from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.forecasting import queries
from ordersmith.forecasting.errors import ForecastNotFound
from ordersmith.forecasting.queries import ForecastView, RunView
from ordersmith.forecasting.requests import DEFAULT_HORIZON, RunRequest
from ordersmith.forecasting.services import run_forecast
from ordersmith.inventory.queries import get_warehouse
from ordersmith.web.schemas.forecasts import ForecastOut, ForecastsOut

app = typer.Typer(
    help="Demand forecasts with a buffer: run them, show a SKU's forecast and why, list runs.",
    no_args_is_help=True,
)
SHOWN_SERIES = 20


@app.command("run")
def run(
    horizon: int = typer.Option(DEFAULT_HORIZON, "--horizon", help="weeks ahead, 1 to 52"),
    skus: list[str] = typer.Option([], "--sku", help="only this SKU (repeatable)"),
    warehouses: list[str] = typer.Option([], "--warehouse", help="only this warehouse"),
    service_level: str | None = typer.Option(
        None, "--service-level", help="e.g. 0.95 (default: ORDERSMITH_FORECAST_SERVICE_LEVEL)"
    ),
) -> None:
    """Forecast every active stocked SKU at every active warehouse (or those named) from
    the order history, choosing each series' model by backtest, and store the run with
    the buffer: safety stock, reorder point and recommended order."""
    request = RunRequest(
        horizon=horizon,
        skus=tuple(skus),
        warehouses=tuple(warehouses),
        service_level=_level(service_level),
    )
    with database() as db:
        with _bar() as report:
            view = run_forecast(db, actor=cli_actor(), request=request, progress=report)
        with db.reader() as session:
            series = queries.run_series(session, view.id, limit=SHOWN_SERIES)
    _print_run(view)
    if series:
        table = Table(
            "SKU", "warehouse", "class", "model", "RMSSE", "safety", "reorder at", "order"
        )
        for s in series:
            table.add_row(
                s.sku,
                s.warehouse,
                s.demand_class,
                s.model,
                s.rmsse or "—",
                str(s.safety_stock),
                str(s.reorder_point),
                str(s.recommended_order),
            )
        console.print(table)
        if view.series_count > len(series):
            console.print(
                f"… and {view.series_count - len(series)} more (ordersmith forecast show)"
            )


def _level(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise ValidationFailed(
            f"--service-level {value!r} is not a number",
            fields=[FieldError("service_level", "a decimal such as 0.95")],
        ) from None


@contextmanager
def _bar() -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn("forecasting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("series", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def _print_run(run: RunView) -> None:
    console.print(
        styled(
            (f"Forecast run {run.id}", "bold"),
            f"  {run.status}, {run.series_count} series, {run.horizon_weeks} weeks ahead, "
            f"service level {run.service_level}",
        )
    )
    if run.note:
        console.print(run.note)
    if run.models:
        console.print("models: " + ", ".join(f"{m} {n}" for m, n in run.models.items()))
        console.print("demand: " + ", ".join(f"{c} {n}" for c, n in run.demand_classes.items()))
        console.print(f"series with a recommended order: {run.recommended_orders}")


@app.command("show")
def show(
    sku: str = typer.Argument(..., help="SKU (or product id)"),
    warehouse: str | None = typer.Option(None, "--warehouse", help="only this warehouse"),
    weeks: int = typer.Option(13, "--weeks", min=0, max=520, help="weeks of history shown"),
    as_json: bool = typer.Option(False, "--json", help="the API's JSON answer instead"),
) -> None:
    """The latest forecast of a SKU (at each warehouse): history, the forecast with its
    80 % and 95 % intervals, the buffer, and why: the model, every candidate's scores."""
    with database() as db, db.reader() as session:
        product = get_product(session, sku)
        warehouse_id = get_warehouse(session, warehouse).id if warehouse else None
        found = queries.latest_forecasts(session, product.id, warehouse_id)
    if not found:
        where = f" at {warehouse}" if warehouse else ""
        raise ForecastNotFound(
            f"no forecast of {product.sku}{where} yet: run `ordersmith forecast run`"
        )
    if as_json:
        out = ForecastsOut(sku=product.sku, forecasts=[ForecastOut.of(f) for f in found])
        typer.echo(out.model_dump_json(indent=2))
        return
    for f in found:
        _print_forecast(f, weeks)


def _print_forecast(f: ForecastView, weeks: int) -> None:
    console.print(
        styled(
            (f"{f.sku} at {f.warehouse}", "bold"),
            f"  run {f.run_id} of {f.created_at:%Y-%m-%d %H:%M} UTC: {f.model} ({f.method}), "
            f"demand {f.demand_class}",
        )
    )
    console.print(f"why: {f.note}")
    if f.scores:
        scores = Table("candidate", "RMSSE", "MASE", "RMSE", "bias", "")
        for name, s in f.scores.items():
            if "error" in s:
                scores.add_row(name, "failed", "", "", "", s["error"])
                continue
            mark = "chosen" if name == f.model else ""
            cells = (s.get(k) or "—" for k in ("rmsse", "mase", "rmse", "bias"))
            scores.add_row(name, *cells, mark)
        console.print(scores)
    if weeks and f.history:
        shown = f.history[-weeks:]
        console.print(
            f"history ({len(f.history)} weeks, last {len(shown)}): "
            + "  ".join(f"{w:%m-%d} {q}" for w, q in shown)
        )
    points = Table("week", "forecast", "80 % interval", "95 % interval")
    for p in f.points:
        points.add_row(
            p.week_start.isoformat(), str(p.mean), f"{p.lo80} to {p.hi80}", f"{p.lo95} to {p.hi95}"
        )
    console.print(points)
    buffer = Table("buffer", "value", show_header=False)
    position = f.available - f.backordered + f.on_order
    for label, value in (
        (f"forecast over {f.horizon_weeks} weeks", f.horizon_demand),
        ("forecast error sigma (units/week)", f.error_sigma),
        ("service level, z", f"{f.service_level}, {f.parameters.get('z', '')}"),
        ("lead time, review period", f"{f.lead_time_days} d, {f.review_period_days} d"),
        ("demand over the lead time", f.lead_time_demand),
        ("demand over the review period", f.review_demand),
        ("safety stock", f.safety_stock),
        ("reorder point", f.reorder_point),
        ("order-up-to level", f.order_up_to),
        ("available - backordered + on order", f"{f.available} - {f.backordered} + {f.on_order}"),
        ("position", position),
        ("recommended order", f.recommended_order),
    ):
        buffer.add_row(label, str(value))
    console.print(buffer)


@app.command("runs")
def runs(limit: int = typer.Option(20, "--limit", min=1, max=500)) -> None:
    """Forecast runs, newest first."""
    with database() as db, db.reader() as session:
        found = queries.list_runs(session, limit=limit)
    table = Table("id", "started (UTC)", "status", "series", "weeks", "service", "by", "note")
    for r in found:
        table.add_row(
            str(r.id),
            f"{r.started_at:%Y-%m-%d %H:%M}",
            r.status,
            str(r.series_count),
            str(r.horizon_weeks),
            str(r.service_level),
            r.actor,
            r.note,
        )
    console.print(table)
