"""Demand forecasts: start a run, list runs, a run's series, the latest forecast of a SKU.

A run is computed inside the request for now (synchronously; a job for the worker
later): it answers when every series is stored, and is limited to
``MAX_SERIES_PER_REQUEST`` series (``422 too_many_series`` beyond; the CLI has no limit).
``Idempotency-Key`` is accepted: the stored answer is written with the run's results.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.catalog.queries import get_product
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.forecasting import accuracy_queries, queries
from ordersmith.forecasting.errors import ForecastNotFound, ForecastRunNotFound
from ordersmith.forecasting.projection import projections
from ordersmith.forecasting.queries import RunView
from ordersmith.forecasting.requests import MAX_FILTER, RunRequest
from ordersmith.forecasting.services import run_forecast
from ordersmith.idempotency import services as idempotency
from ordersmith.inventory.queries import get_warehouse
from ordersmith.uow import Database, UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import IDEMPOTENCY_HEADER
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
    encode_time_cursor,
)
from ordersmith.web.schemas.common import Page
from ordersmith.web.schemas.forecasts import (
    ForecastAccuracyOut,
    ForecastOut,
    ForecastRunCreate,
    ForecastRunDetailOut,
    ForecastRunOut,
    ForecastSeriesOut,
    ForecastsOut,
)

router = APIRouter(tags=["forecasts"])
Reader = Annotated[Principal, Depends(require(Permission.FORECASTS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.FORECASTS_WRITE))]
MAX_SERIES_PER_REQUEST = 500
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.post("/forecasts/runs", status_code=201, response_model=ForecastRunDetailOut)
def start_run(
    body: ForecastRunCreate, request: Request, db: DbDep, principal: Writer
) -> JSONResponse:
    """Forecast every active stocked SKU at every active warehouse (or those named) from
    the order history, `horizon` weeks ahead (default 13), choose each series' model by
    backtest, compute its buffer, and store the run. Answers 201 with the run when it is
    done; a run with no history completes with `series_count` 0 and says so in `note`.
    Unknown or unstocked SKUs and unknown warehouses are `422 validation_error` with
    field errors; more than 500 series is `422 too_many_series`."""
    run_request = RunRequest(
        horizon=body.horizon,
        skus=tuple(body.skus),
        warehouses=tuple(body.warehouses),
        service_level=body.service_level,
    )
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        run = _run(db, principal, run_request)
        return JSONResponse(_body(run), status_code=201)
    claim = idempotency.claim(
        db,
        client_id=principal.client_id,
        key=key,
        method=request.method,
        path=request.url.path,
        fingerprint=idempotency.request_fingerprint(
            request.method, request.url.path, body.model_dump(mode="json")
        ),
    )
    if isinstance(claim, idempotency.StoredResponse):
        return JSONResponse(
            claim.body, status_code=claim.status, headers={"Idempotent-Replayed": "true"}
        )

    def store(uow: UnitOfWork, run: RunView) -> None:
        idempotency.complete(uow, claim, status=201, body=_body(run))

    try:
        run = _run(db, principal, run_request, on_complete=store)
    except BaseException:
        idempotency.release(db, claim)
        raise
    return JSONResponse(_body(run), status_code=201)


def _run(db: Database, principal: Principal, request: RunRequest, **kw: Any) -> RunView:
    return run_forecast(
        db,
        actor=principal.actor,
        request=request,
        max_series=MAX_SERIES_PER_REQUEST,
        **kw,
    )


def _body(run: RunView) -> dict[str, Any]:
    return ForecastRunDetailOut.of(run).model_dump(mode="json")


@router.get("/forecasts/runs", response_model=Page[ForecastRunOut])
def list_runs(
    db: DbDep, _: Reader, limit: Limit = DEFAULT_LIMIT, cursor: str | None = None
) -> Page[ForecastRunOut]:
    """Forecast runs, newest first (keyset pagination: `next_cursor`)."""
    before = decode_time_cursor(cursor) if cursor else None
    with db.reader() as session:
        rows = queries.list_runs(session, limit=limit + 1, before=before)
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[ForecastRunOut.of(r) for r in rows[:limit]],
        next_cursor=encode_time_cursor(last.started_at, last.id) if last else None,
    )


def _run_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ForecastRunNotFound(f"no forecast run {value!r}") from None


@router.get("/forecasts/runs/{run_id}", response_model=ForecastRunDetailOut)
def get_run(run_id: str, db: DbDep, _: Reader) -> ForecastRunDetailOut:
    """One run: its status, settings and note, and how many series chose each model,
    fell in each demand class, and have a recommended order."""
    with db.reader() as session:
        return ForecastRunDetailOut.of(queries.get_run(session, _run_id(run_id)))


@router.get("/forecasts/runs/{run_id}/series", response_model=Page[ForecastSeriesOut])
def run_series(
    run_id: str, db: DbDep, _: Reader, limit: Limit = DEFAULT_LIMIT, cursor: str | None = None
) -> Page[ForecastSeriesOut]:
    """The run's series by SKU then warehouse: model, demand class, buffer, order."""
    after = tuple(decode_cursor(cursor, 2)) if cursor else None
    with db.reader() as session:
        rows = queries.run_series(
            session,
            _run_id(run_id),
            limit=limit + 1,
            after=(after[0], after[1]) if after else None,
        )
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=[ForecastSeriesOut.of(s) for s in rows[:limit]],
        next_cursor=encode_cursor([last.sku, last.warehouse]) if last else None,
    )


@router.get("/forecasts/runs/{run_id}/accuracy", response_model=ForecastAccuracyOut)
def run_accuracy(
    run_id: str,
    db: DbDep,
    _: Reader,
    sku: Annotated[list[str] | None, Query(description="only these SKUs (repeatable)")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> ForecastAccuracyOut:
    """How the run's model selection did against the baseline on backtest weeks it had
    not seen: per series (SKU, warehouse, class, chosen model, MASE and WAPE of the
    selection and of the baseline, better/same/worse) by SKU then warehouse, and
    `overall` for the run (MASE mean and median, WAPE pooled over all series). With
    `sku`, `listed` adds up the rows asked for. `409 forecast_accuracy_unavailable` for
    a run that is not completed or was made before accuracy was recorded."""
    after = tuple(decode_cursor(cursor, 2)) if cursor else None
    skus = [s.strip() for s in (sku or []) if s.strip()]
    if len(skus) > MAX_FILTER:
        raise ValidationFailed("too many SKUs", fields=[FieldError("sku", f"at most {MAX_FILTER}")])
    with db.reader() as session:
        found = accuracy_queries.run_accuracy(
            session,
            _run_id(run_id),
            skus=skus,
            after=(after[0], after[1]) if after else None,
            limit=limit + 1,
        )
        listed = None
        if skus:
            every = accuracy_queries.run_accuracy(session, found.run_id, skus=skus)
            listed = accuracy_queries.subtotal(every.rows)
    last = found.rows[limit - 1] if len(found.rows) > limit else None
    page = accuracy_queries.RunAccuracy(
        found.run_id, found.started_at, found.horizon_weeks, found.overall, found.rows[:limit]
    )
    return ForecastAccuracyOut.of(
        page, listed, encode_cursor([last.sku, last.warehouse]) if last else None
    )


@router.get("/forecasts/{sku:path}", response_model=ForecastsOut)
def latest_forecast(
    sku: str,
    db: DbDep,
    _: Reader,
    warehouse: Annotated[str | None, Query(description="a warehouse code")] = None,
) -> ForecastsOut:
    """The latest forecast of a SKU at each warehouse (or at `warehouse`): the weekly
    history it was made from, the forecast with 80 % and 95 % intervals, the buffer,
    the model and why (`why`, every candidate's backtest `scores`, `accuracy`), and the
    `projection` of stock week by week over the next 13 weeks from today's stock, open
    purchase orders by expected date and transfers in transit, with the projected
    stock-out and below-safety-stock weeks in `projection_summary`. `404
    product_not_found`, `warehouse_not_found`, or `forecast_not_found` when no run has
    forecast it yet."""
    with db.reader() as session:
        product = get_product(session, sku)
        warehouse_id = get_warehouse(session, warehouse).id if warehouse else None
        found = queries.latest_forecasts(session, product.id, warehouse_id)
        if not found:
            where = f" at {warehouse}" if warehouse else ""
            raise ForecastNotFound(
                f"no forecast of {product.sku}{where} yet: run `POST /api/v1/forecasts/runs`"
            )
        projected = projections(session, found, today=clock.today())
    return ForecastsOut(
        sku=product.sku,
        forecasts=[ForecastOut.of(f, projected[f.warehouse_id]) for f in found],
    )
