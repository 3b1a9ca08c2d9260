"""The fulfilment KPI report in the back office: ``GET /kpis?from=&to=`` (orders:read).

The same report as ``GET /api/v1/kpis/perfect-order`` and ``ordersmith kpi``
(``fulfillment.kpi_report``, docs/kpis.md): the perfect-order rate and its four
components, week by week of delivery as a Chart.js line chart with the same numbers in a
table (the dashboard's ``perfect_order_weeks``), the failing orders per component with
their reason codes (linked to the orders), the fill rates, on-time dispatch and the cycle
times. The window is a plain GET form; a window the report refuses (``check_window``)
shows its message and code, with the error's status.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.dashboard.queries import perfect_order_weeks, week_start
from ordersmith.dashboard.views import PerfectOrderWeek
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.fulfillment.kpi_report import KpiReport, default_window, kpi_report
from ordersmith.fulfillment.kpis import COMPONENTS, reason_component
from ordersmith.web.pages.dashboard import percent
from ordersmith.web.pages.deps import StaffSession, get_db, render, require

router = APIRouter(include_in_schema=False)
Reader = Annotated[StaffSession, Depends(require(Permission.ORDERS_READ))]
FAILING_SHOWN = 100


def _day(name: str, text: str) -> date | None:
    """A YYYY-MM-DD query parameter, or None when empty."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValidationFailed(
            f"{name} {text[:20]!r} is not a date (YYYY-MM-DD)",
            fields=[FieldError(name, "a date, YYYY-MM-DD")],
        ) from None


def failing_by_component(report: KpiReport) -> dict[str, list[tuple[str, list[str]]]]:
    """Per component, the failing orders (number, that component's reasons), at most
    ``FAILING_SHOWN`` each."""
    found: dict[str, list[tuple[str, list[str]]]] = {name: [] for name in COMPONENTS}
    for order in report.perfect_order.failing:
        per: dict[str, list[str]] = {}
        for reason in order.reasons:
            per.setdefault(reason_component(reason), []).append(reason)
        for name, reasons in per.items():
            if len(found[name]) < FAILING_SHOWN:
                found[name].append((order.number, reasons))
    return found


def chart_data(weeks: list[PerfectOrderWeek]) -> dict[str, Any]:
    """The weekly rates as percent strings (null: nothing delivered that week)."""

    def pct(rate: Any) -> str | None:
        return None if rate is None else str(rate * 100)

    return {
        "weeks": [w.week_start.isoformat() for w in weeks],
        "rate": [pct(w.rate) for w in weeks],
        "components": {n: [pct(w.components.get(n)) for w in weeks] for n in COMPONENTS},
    }


def _hours(value: timedelta | None) -> str:
    """A duration in hours to one decimal, rounded half up (no float on the way)."""
    if value is None:
        return "-"
    tenths, rest = divmod(value, timedelta(minutes=6))
    tenths += 1 if rest * 2 >= timedelta(minutes=6) else 0
    return f"{tenths // 10}.{tenths % 10} h"


@router.get("/kpis", response_class=HTMLResponse)
def kpis_page(request: Request, session: Reader) -> HTMLResponse:
    """The KPI report over ``from``..``to`` (default: the 30 days to today)."""
    params = request.query_params
    given = {"from": params.get("from", ""), "to": params.get("to", "")}
    today = clock.today()
    context: dict[str, Any] = {"given": given, "error": None, "report": None}
    try:
        start, end = default_window(
            _day("from", given["from"]), _day("to", given["to"]), today=today
        )
        with get_db(request).reader() as db_session:
            report = kpi_report(db_session, date_from=start, date_to=end, as_of=today)
            weeks = (week_start(end) - week_start(start)).days // 7 + 1
            by_week = perfect_order_weeks(db_session, end, weeks=weeks)
    except OmsError as exc:
        context["error"] = exc
        return render(request, "kpis/index.html", context, session, status_code=exc.status)
    context |= {
        "report": report,
        "weeks": by_week,
        "components": COMPONENTS,
        "failing": failing_by_component(report),
        "percent": percent,
        "hours": _hours,
        # safe inside <script>: no "<" survives (so no "</script>")
        "chart_json": json.dumps(chart_data(by_week)).replace("<", "\\u003c"),
    }
    return render(request, "kpis/index.html", context, session)
