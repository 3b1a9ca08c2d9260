"""`ordersmith forecast ...`: run demand forecasts, show one SKU's forecast, why, and its
projected stock, list the runs, report a run's accuracy, evaluate on public data."""

from __future__ import annotations

import json
import os
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import typer
from rich.table import Table

from ordersmith import clock
from ordersmith.catalog.queries import get_product
from ordersmith.cli.common import cli_actor, console, database, progress_bar, styled
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.forecasting import accuracy_queries, queries
from ordersmith.forecasting.datasets import LOADERS, load_dataset
from ordersmith.forecasting.errors import ForecastNotFound, ForecastRunNotFound
from ordersmith.forecasting.projection import Projection, projections
from ordersmith.forecasting.queries import ForecastView, RunView
from ordersmith.forecasting.requests import DEFAULT_HORIZON, RunRequest
from ordersmith.forecasting.services import run_forecast
from ordersmith.inventory.queries import get_warehouse
from ordersmith.web.schemas.forecasts import (
    ForecastAccuracyOut,
    ForecastOut,
    ForecastsOut,
)

app = typer.Typer(
    help="Demand forecasts with a buffer: run them, show a SKU's forecast and why, list runs.",
    no_args_is_help=True,
)
SHOWN_SERIES = 20
JOBS = os.cpu_count() or 1


@app.command("run")
def run(
    horizon: int = typer.Option(DEFAULT_HORIZON, "--horizon", help="weeks ahead, 1 to 52"),
    skus: list[str] = typer.Option([], "--sku", help="only this SKU (repeatable)"),
    warehouses: list[str] = typer.Option([], "--warehouse", help="only this warehouse"),
    service_level: str | None = typer.Option(
        None, "--service-level", help="e.g. 0.95 (default: ORDERSMITH_FORECAST_SERVICE_LEVEL)"
    ),
    jobs: int = typer.Option(
        JOBS, "--jobs", min=1, max=64, help="worker processes for big runs (200+ series)"
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
        with progress_bar("forecasting") as report:
            view = run_forecast(db, actor=cli_actor(), request=request, progress=report, jobs=jobs)
        with db.reader() as session:
            series = queries.run_series(session, view.id, limit=SHOWN_SERIES)
    _print_run(view)
    if view.accuracy and view.accuracy.get("evaluated"):
        _print_overall(view.accuracy)
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
        projected = projections(session, found, today=clock.today())
    if as_json:
        out = ForecastsOut(
            sku=product.sku,
            forecasts=[ForecastOut.of(f, projected[f.warehouse_id]) for f in found],
        )
        typer.echo(out.model_dump_json(indent=2))
        return
    for f in found:
        _print_forecast(f, weeks)
        _print_projection(f, projected[f.warehouse_id])


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
        scores = Table("candidate", "RMSSE", "MASE", "WAPE", "RMSE", "bias", "")
        for name, s in f.scores.items():
            if "error" in s:
                scores.add_row(name, "failed", "", "", "", "", s["error"])
                continue
            mark = "chosen" if name == f.model else ""
            cells = (s.get(k) or "—" for k in ("rmsse", "mase", "wape", "rmse", "bias"))
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


def _print_projection(f: ForecastView, p: Projection) -> None:
    console.print(
        f"projected stock from {p.today}: available {p.available} - backordered "
        f"{p.backordered} = {p.start}, safety stock {p.safety_stock}, "
        f"recommended order {f.recommended_order} (nothing new ordered below)"
    )
    table = Table("week", "opening", "receipts", "demand", "closing", "")
    for w in p.weeks:
        flag = "stock-out" if w.stock_out else ("below safety" if w.below_safety_stock else "")
        table.add_row(
            w.week_start.isoformat(),
            str(w.opening),
            str(w.receipts or ""),
            str(w.demand),
            str(w.closing),
            flag,
        )
    console.print(table)
    out = (
        f"stock-out projected in the week of {p.stock_out_week} (about {p.stock_out_date})"
        if p.stock_out_week
        else f"no stock-out projected in {len(p.weeks)} weeks"
    )
    below = p.below_safety_stock_week
    console.print(out + (f"; below safety stock from the week of {below}" if below else ""))
    if p.receipts_later:
        console.print(f"{p.receipts_later} more units expected after the last week shown")


def _print_overall(overall: dict[str, Any]) -> None:
    chosen, base = overall["selection"], overall["baseline"]
    verdicts = overall.get("verdicts", {})
    console.print(
        f"accuracy out of sample ({overall['evaluated']} of {overall['series']} series): "
        f"selection MASE mean {chosen['mase_mean'] or '—'} median "
        f"{chosen['mase_median'] or '—'} WAPE {chosen['wape'] or '—'}; baseline MASE mean "
        f"{base['mase_mean'] or '—'} median {base['mase_median'] or '—'} WAPE "
        f"{base['wape'] or '—'}; better {verdicts.get('better', 0)}, same "
        f"{verdicts.get('same', 0)}, worse {verdicts.get('worse', 0)}"
        + _beats(overall.get("beats_baseline"))
    )


def _beats(found: object) -> str:
    if found is None:
        return ""
    return " — beats the baseline" if found else " — does NOT beat the baseline"


@app.command("backtest")
def backtest(
    run_id: str | None = typer.Option(None, "--run", help="run id (default: the newest)"),
    skus: list[str] = typer.Option([], "--sku", help="only this SKU (repeatable)"),
    limit: int = typer.Option(200, "--limit", min=1, help="rows shown"),
    as_json: bool = typer.Option(False, "--json", help="the API's JSON answer instead"),
) -> None:
    """How a run's model selection did against the seasonal-naive baseline on backtest
    weeks it had not seen: MASE and WAPE per SKU and warehouse, and overall."""
    with database() as db, db.reader() as session:
        if run_id is None:
            found_id = accuracy_queries.latest_completed_run(session)
        else:
            try:
                found_id = uuid.UUID(run_id)
            except ValueError:
                raise ForecastRunNotFound(f"no forecast run {run_id!r}") from None
        found = accuracy_queries.run_accuracy(session, found_id, skus=skus)
    listed = accuracy_queries.subtotal(found.rows) if skus else None
    if as_json:
        typer.echo(ForecastAccuracyOut.of(found, listed).model_dump_json(indent=2))
        return
    console.print(
        styled((f"Forecast run {found.run_id}", "bold"), f" of {found.started_at:%Y-%m-%d %H:%M}")
    )
    table = Table(
        "SKU", "wh", "class", "model", "MASE", "WAPE", "base", "base MASE", "base WAPE", "better?"
    )
    for r in found.rows[:limit]:
        table.add_row(
            r.sku,
            r.warehouse,
            r.demand_class,
            r.model,
            *(str(v) if v is not None else "—" for v in (r.mase, r.wape)),
            r.baseline or "—",
            *(str(v) if v is not None else "—" for v in (r.baseline_mase, r.baseline_wape)),
            r.verdict.replace("_", " "),
        )
    console.print(table)
    if len(found.rows) > limit:
        console.print(f"… and {len(found.rows) - limit} more (--limit)")
    if listed is not None:
        console.print(
            f"these {listed.series} series: selection MASE mean {listed.mase_mean} WAPE "
            f"{listed.wape}; baseline MASE mean {listed.baseline_mase_mean} WAPE "
            f"{listed.baseline_wape}"
        )
    _print_overall(found.overall)


@app.command("evaluate")
def evaluate(
    dataset: str = typer.Option(..., "--dataset", help=f"one of {', '.join(LOADERS)}"),
    jobs: int = typer.Option(JOBS, "--jobs", min=1, max=64, help="worker processes"),
    as_json: bool = typer.Option(False, "--json", help="every series as JSON"),
) -> None:
    """Run the model selection on a public data set that ships inside a package and
    score it against the seasonal-naive baseline as a run is scored (nothing stored)."""
    from ordersmith.forecasting.evaluation import evaluate_dataset

    found = load_dataset(dataset)
    with progress_bar("forecasting") as report:
        result = evaluate_dataset(found, jobs=jobs, progress=report)
    if as_json:
        typer.echo(json.dumps(result.as_json(found), indent=2))
        return
    console.print(styled((found.title, "bold"), f"  ({found.source})"))
    console.print(
        f"{len(found.series)} series (origins a season apart), {found.frequency}ly, "
        f"season {found.season}, {found.horizon} ahead; values x{found.scale}"
    )
    _print_overall(result.summary.as_json())
