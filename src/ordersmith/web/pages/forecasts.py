"""Forecasts in the back office: the runs, a run's series, and one SKU's forecast.

``GET /forecasts`` lists the runs newest first (keyset on (started_at, id)) and the
series of one run (``run=``, default the newest; keyset on (SKU, warehouse)); a SKU
typed in the search goes to ``GET /forecasts/{sku}``: per warehouse, the demand history,
the forecast with its 80 % and 95 % prediction intervals, the stock projected week by
week from today's stock and the open purchase orders and transfers, with the safety
stock line (``forecasting.projection``), the method chosen and its accuracy. The chart
is drawn by the vendored Chart.js from a JSON block; the same numbers are in a table
(screen readers, no JavaScript). Runs are started with ``ordersmith forecast run`` (ADR
0027: a run fits models for minutes, not for a request).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.queries import product_id_for_sku
from ordersmith.errors import OmsError
from ordersmith.forecasting import queries
from ordersmith.forecasting.errors import ForecastRunNotFound
from ordersmith.forecasting.projection import Projection, projections
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, render, require
from ordersmith.web.pages.listing import query_params, read_time_cursor
from ordersmith.web.pagination import decode_cursor, encode_cursor, encode_time_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Reader = Annotated[StaffSession, Depends(require(Permission.FORECASTS_READ))]
RUNS_PAGE = 20
SERIES_PAGE = 50


def _run_of(session: Any, text: str, runs: list[queries.RunView], errors: list[str]) -> Any:
    """The run named by ``run=`` (default: the newest listed), or None."""
    if not text:
        return runs[0] if runs else None
    try:
        return queries.get_run(session, uuid.UUID(text))
    except (ValueError, ForecastRunNotFound):
        errors.append(f"run: no forecast run {text!r}")
        return None


def _series_after(params: dict[str, str], errors: list[str]) -> tuple[str, str] | None:
    text = params.get("after", "")
    if not text:
        return None
    try:
        sku, code = decode_cursor(text, 2)
    except OmsError as exc:
        errors.append(f"series page: {exc}")
        return None
    return sku, code


@router.get("/forecasts", response_class=HTMLResponse)
def forecasts_index(request: Request, session: Reader) -> Response:
    """The runs, one run's series, and the SKU search (``sku=`` goes to its page)."""
    params = query_params(request)
    sku = params.get("sku", "").strip()[:64]
    errors: list[str] = []
    with get_db(request).reader() as db_session:
        if sku and product_id_for_sku(db_session, sku) is not None:
            return RedirectResponse(f"/forecasts/{quote(sku, safe='')}", status_code=303)
        if sku:
            errors.append(f"SKU: no product {sku!r}")
        before = read_time_cursor(params, errors)
        runs = queries.list_runs(db_session, limit=RUNS_PAGE + 1, before=before)
        run = _run_of(db_session, params.get("run", "").strip()[:40], runs, errors)
        after = _series_after(params, errors)
        series = (
            queries.run_series(db_session, run.id, limit=SERIES_PAGE + 1, after=after)
            if run is not None and run.status == "completed"
            else []
        )
    last_run = runs[RUNS_PAGE - 1] if len(runs) > RUNS_PAGE else None
    last_series = series[SERIES_PAGE - 1] if len(series) > SERIES_PAGE else None
    context = {
        "errors": errors,
        "sku": sku,
        "runs": runs[:RUNS_PAGE],
        "run": run,
        "series": series[:SERIES_PAGE],
        "next_runs": urlencode({"cursor": encode_time_cursor(last_run.started_at, last_run.id)})
        if last_run
        else None,
        "next_series": urlencode(
            {"run": str(run.id), "after": encode_cursor([last_series.sku, last_series.warehouse])}
        )
        if run is not None and last_series
        else None,
    }
    return render(request, "forecasts/index.html", context, session)


# --- one SKU ----------------------------------------------------------------------------


def _text(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)


def weekly_rows(f: queries.ForecastView, projection: Projection | None) -> list[dict[str, Any]]:
    """One row per week: demand (history), forecast and its intervals, projected stock."""
    weeks: dict[date, dict[str, Any]] = {}
    for week, units in f.history:
        weeks.setdefault(week, {})["demand"] = units
    for p in f.points:
        weeks.setdefault(p.week_start, {}).update(
            mean=p.mean, lo80=p.lo80, hi80=p.hi80, lo95=p.lo95, hi95=p.hi95
        )
    for w in projection.weeks if projection else ():
        weeks.setdefault(w.week_start, {}).update(stock=w.closing, receipts=w.receipts)
    return [{"week": week, **weeks[week]} for week in sorted(weeks)]


def chart_json(rows: list[dict[str, Any]], safety_stock: int) -> str:
    """The chart's data, numbers as strings (the browser turns them into numbers)."""
    names = ("demand", "mean", "lo80", "hi80", "lo95", "hi95", "stock")
    data: dict[str, Any] = {"weeks": [r["week"].isoformat() for r in rows]}
    data.update({n: [_text(r.get(n)) for r in rows] for n in names})
    data["safety_stock"] = safety_stock
    return json.dumps(data).replace("<", "\\u003c")


@router.get("/forecasts/{sku:path}", response_class=HTMLResponse)
def forecast_detail(request: Request, sku: str, session: Reader, warehouse: str = "") -> Response:
    """The latest forecast of ``sku`` at each warehouse (``warehouse=`` to choose one)."""
    with get_db(request).reader() as db_session:
        product_id = product_id_for_sku(db_session, sku)
        found = queries.latest_forecasts(db_session, product_id) if product_id else []
        projected = projections(db_session, found, today=clock.today())
    chosen = next((f for f in found if f.warehouse == warehouse.strip().upper()), None)
    chosen = chosen or (found[0] if found else None)
    rows = weekly_rows(chosen, projected.get(chosen.warehouse_id)) if chosen else []
    context = {
        "sku": sku,
        "known": product_id is not None,
        "forecasts": found,
        "f": chosen,
        "projection": projected.get(chosen.warehouse_id) if chosen else None,
        "rows": rows,
        "chart_json": chart_json(rows, chosen.safety_stock) if chosen else "{}",
    }
    status = 200 if product_id is not None else 404
    return render(request, "forecasts/detail.html", context, session, status_code=status)
