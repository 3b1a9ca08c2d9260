"""Forecast runs: read the history, forecast every series, store the run with its why.

``run_forecast(db, actor=..., request=RunRequest(...))`` is the one entry point of the
CLI and the API. A run is long work, so it is not one unit of work: it takes three
short transactions and computes between them, holding no lock while statsforecast fits.

1. read (a read-only transaction): check the request, the weekly demand of every
   (active stocked product, active warehouse) series in scope, stock positions, lead
   times — nothing is written when the request is wrong;
2. ``start_forecast_run``: the run row, ``running``;
3. compute every series (``batch.forecast_all``: batched backtests, in ``jobs`` worker
   processes for big runs; then ``buffer.plan_buffer``), reporting
   ``progress(done, total)`` as chunks of series finish;
4. ``record_forecast_results``: every series and point row in bulk, the run
   ``completed``, and a ``forecast_run.completed`` event — one transaction; or, if
   anything went wrong (an interrupted CLI included), ``fail_forecast_run`` marks it
   ``failed`` with the reason, and the error is raised again.

A series whose statistics raise something unforeseen gets the fallback forecast with
the reason in its note: one odd series never fails a whole run. A run with no demand
history at all completes with no series and says so in its note.

The run's accuracy (ordersmith.forecasting.accuracy: the selection rule against the
baseline on backtest weeks it had not seen, MASE and WAPE) is stored with it, per
series and over the run. ``timings``, if given, receives the seconds spent reading,
forecasting and storing.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.db import insert_rows, table_of
from ordersmith.forecasting.buffer import Buffer, plan_buffer, quantity
from ordersmith.forecasting.demand import (
    WEEK,
    DemandSeries,
    last_complete_week,
    monday_of,
    weekly_demand,
)
from ordersmith.forecasting.errors import TooManySeries
from ordersmith.forecasting.events import ForecastRunCompleted
from ordersmith.forecasting.models import (
    ForecastMethod,
    ForecastPoint,
    ForecastRun,
    ForecastRunStatus,
    ForecastSeries,
)
from ordersmith.forecasting.queries import RunView, get_run
from ordersmith.forecasting.requests import RunRequest, RunScope, check_request
from ordersmith.forecasting.supply import Position, lead_times, stock_positions
from ordersmith.ids import new_id
from ordersmith.inventory.models import Warehouse
from ordersmith.inventory.queries import warehouse_code
from ordersmith.uow import Database, UnitOfWork

if TYPE_CHECKING:  # statsforecast and numpy load only when a run computes
    from ordersmith.forecasting.selection import SeriesForecast

MAX_NOTE = 2000
Progress = Callable[[int, int], None]
"""``progress(done, total)`` after each series."""
OnComplete = Callable[[UnitOfWork, RunView], None]
"""Runs inside the transaction that stores the results (the API stores its
Idempotency-Key response there)."""


@dataclass(frozen=True, slots=True)
class SeriesResult:
    demand: DemandSeries
    forecast: SeriesForecast
    buffer: Buffer
    lead_time_days: int
    review_period_days: int
    position: Position


def run_forecast(
    db: Database,
    *,
    actor: str,
    request: RunRequest,
    progress: Progress | None = None,
    max_series: int | None = None,
    on_complete: OnComplete | None = None,
    jobs: int = 1,
    timings: dict[str, object] | None = None,
) -> RunView:
    """Forecast every series in scope and store the run (see the module docstring)."""
    clock_started = time.perf_counter()
    settings = db.settings
    today = clock.today()
    last_week = last_complete_week(today)
    first_week = last_week - (settings.forecast_history_weeks - 1) * WEEK
    with db.reader() as session:
        scope = check_request(session, settings, request)
        series = _active_series(session, scope, first_week, last_week)
        keys = [s.key for s in series]
        positions = stock_positions(session, keys)
        leads = lead_times(session, settings, keys)
    if max_series is not None and len(series) > max_series:
        raise TooManySeries(
            f"the run would forecast {len(series)} series; at most {max_series} in one "
            "request: narrow it with skus or warehouses, or run `ordersmith forecast run`",
            extra={"series": len(series), "max_series": max_series},
        )
    parameters = {
        "skus": sorted(request.skus),
        "warehouses": sorted(warehouse_code(w) for w in request.warehouses),
        "history_weeks": settings.forecast_history_weeks,
        "first_week": first_week.isoformat(),
        "last_week": last_week.isoformat(),
        "first_forecast_week": monday_of(today).isoformat(),
        "default_lead_time_days": settings.default_lead_time_days,
        "review_period_days": settings.forecast_review_period_days,
    }
    with db.unit_of_work(actor=actor) as uow:
        run_id = start_forecast_run(
            uow, horizon=scope.horizon, service_level=scope.service_level, parameters=parameters
        )
    read_done = time.perf_counter()
    try:
        from ordersmith.forecasting.batch import forecast_all

        forecasts = forecast_all(
            [s.values for s in series], horizon=scope.horizon, jobs=jobs, progress=progress
        )
        results = [
            forecast_one(
                each,
                horizon=scope.horizon,
                service_level=scope.service_level,
                lead_time_days=leads[each.key],
                review_period_days=settings.forecast_review_period_days,
                position=positions[each.key],
                forecast=forecast,
            )
            for each, forecast in zip(series, forecasts, strict=True)
        ]
        fit_done = time.perf_counter()
        with db.unit_of_work(actor=actor) as uow:
            view = record_forecast_results(uow, run_id=run_id, results=results)
            if on_complete is not None:
                on_complete(uow, view)
        if timings is not None:
            timings.update(
                read=read_done - clock_started,
                forecast=fit_done - read_done,
                store=time.perf_counter() - fit_done,
                series=len(series),
            )
        return view
    except BaseException as exc:
        # the first error is the one to report, even if recording it fails too
        with contextlib.suppress(Exception), db.unit_of_work(actor=actor) as uow:
            fail_forecast_run(uow, run_id=run_id, reason=_describe(exc))
        raise


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:MAX_NOTE]


def _active_series(
    session: Session, scope: RunScope, first_week: date, last_week: date
) -> list[DemandSeries]:
    table = table_of(Warehouse)
    active = set(session.scalars(sa.select(table.c.id).where(table.c.active.is_(True))))
    found = weekly_demand(
        session,
        first_week=first_week,
        last_week=last_week,
        product_ids=scope.product_ids,
        warehouse_ids=scope.warehouse_ids,
        active_products_only=True,
    )
    return [s for s in found if s.warehouse_id in active]


def forecast_one(
    demand: DemandSeries,
    *,
    horizon: int,
    service_level: Decimal,
    lead_time_days: int,
    review_period_days: int,
    position: Position,
    forecast: SeriesForecast | None = None,
) -> SeriesResult:
    """The forecast (unless given) and buffer of one series (pure: no database). A
    series whose statistics raise gets the recent-mean fallback (ordersmith.forecasting
    .batch)."""
    if forecast is None:
        from ordersmith.forecasting.batch import forecast_many

        (forecast,) = forecast_many([demand.values], horizon=horizon)
    buffer = plan_buffer(
        means=forecast.means,
        sigma=forecast.sigma,
        service_level=service_level,
        lead_time_days=lead_time_days,
        review_period_days=review_period_days,
        available=position.available,
        backordered=position.backordered,
        on_order=position.incoming,  # on purchase orders and in transit on transfers
    )
    return SeriesResult(demand, forecast, buffer, lead_time_days, review_period_days, position)


# --- the use cases (one transaction each) ------------------------------------------------


def start_forecast_run(
    uow: UnitOfWork, *, horizon: int, service_level: Decimal, parameters: dict[str, Any]
) -> uuid.UUID:
    run_id = new_id()
    insert_rows(
        uow.session.connection(),
        table_of(ForecastRun),
        [
            {
                "id": run_id,
                "status": ForecastRunStatus.RUNNING.value,
                "started_at": clock.now(),
                "finished_at": None,
                "horizon_weeks": horizon,
                "service_level": service_level,
                "parameters": parameters,
                "series_count": 0,
                "actor": uow.actor,
                "note": "",
            }
        ],
    )
    return run_id


def fail_forecast_run(uow: UnitOfWork, *, run_id: uuid.UUID, reason: str) -> None:
    runs = table_of(ForecastRun)
    uow.session.execute(
        sa.update(runs)
        .where(runs.c.id == run_id, runs.c.status == ForecastRunStatus.RUNNING.value)
        .values(status=ForecastRunStatus.FAILED.value, finished_at=clock.now(), note=reason)
    )


def record_forecast_results(
    uow: UnitOfWork, *, run_id: uuid.UUID, results: Sequence[SeriesResult]
) -> RunView:
    """Store every series and point of a running run and complete it."""
    from ordersmith.forecasting.accuracy import summarise  # numpy: only when a run stores

    now = clock.now()
    runs = table_of(ForecastRun)
    head = uow.session.execute(
        sa.select(runs.c.horizon_weeks, runs.c.service_level, runs.c.parameters).where(
            runs.c.id == run_id
        )
    ).one()
    first_week = date.fromisoformat(head.parameters["first_forecast_week"])
    conn = uow.session.connection()
    insert_rows(conn, table_of(ForecastSeries), [_series_row(run_id, now, r) for r in results])
    insert_rows(
        conn,
        table_of(ForecastPoint),
        [row for r in results for row in _point_rows(run_id, first_week, r)],
    )
    fallback = sum(r.forecast.method == ForecastMethod.FALLBACK for r in results)
    note = (
        f"{len(results)} series: {len(results) - fallback} chosen by backtest, "
        f"{fallback} on the recent-mean fallback"
        if results
        else "no demand history for active stocked products at active warehouses in the "
        f"{head.parameters.get('history_weeks')} weeks read: nothing to forecast"
    )
    uow.session.execute(
        sa.update(runs)
        .where(runs.c.id == run_id)
        .values(
            status=ForecastRunStatus.COMPLETED.value,
            finished_at=now,
            series_count=len(results),
            note=note,
            accuracy=summarise([r.forecast.accuracy for r in results]).as_json(),
        )
    )
    uow.record(
        ForecastRunCompleted(
            aggregate_id=run_id,
            horizon_weeks=head.horizon_weeks,
            service_level=str(head.service_level),
            series_count=len(results),
            recommended_orders=sum(r.buffer.recommended_order > 0 for r in results),
        )
    )
    return get_run(uow.session, run_id)


def _series_row(run_id: uuid.UUID, now: Any, r: SeriesResult) -> dict[str, Any]:
    f, b, info = r.forecast, r.buffer, r.forecast.intermittency
    return {
        "id": new_id(),
        "run_id": run_id,
        "product_id": r.demand.product_id,
        "warehouse_id": r.demand.warehouse_id,
        "created_at": now,
        "demand_class": info.demand_class.value,
        "adi": info.adi,
        "cv2": info.cv2,
        "model": f.model,
        "method": f.method.value,
        "scores": f.scores,
        "parameters": {**f.parameters, "z": str(b.z), "sigma": str(f.sigma)},
        "history_weeks": len(r.demand.values),
        "history": {"start": r.demand.start.isoformat(), "values": list(r.demand.values)},
        "error_sigma": f.sigma,
        "lead_time_days": r.lead_time_days,
        "review_period_days": r.review_period_days,
        "lead_time_demand": b.lead_time_demand,
        "review_demand": b.review_demand,
        "horizon_demand": quantity(sum(f.means, Decimal(0))),
        "safety_stock": b.safety_stock,
        "reorder_point": b.reorder_point,
        "order_up_to": b.order_up_to,
        "available": r.position.available,
        "backordered": r.position.backordered,
        "on_order": r.position.incoming,
        "recommended_order": b.recommended_order,
        "note": f.note[:MAX_NOTE],
        "accuracy": f.accuracy.as_json() if f.accuracy is not None else None,
    }


def _point_rows(run_id: uuid.UUID, first_week: Any, r: SeriesResult) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "product_id": r.demand.product_id,
            "warehouse_id": r.demand.warehouse_id,
            "week_start": first_week + i * WEEK,
            "mean": step.mean,
            "lo80": step.lo80,
            "hi80": step.hi80,
            "lo95": step.lo95,
            "hi95": step.hi95,
        }
        for i, step in enumerate(r.forecast.steps)
    ]
