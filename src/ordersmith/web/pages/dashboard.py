"""The staff dashboard page: ``GET /dashboard`` (ordersmith.dashboard gathers it)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith import clock
from ordersmith.dashboard.queries import dashboard
from ordersmith.dashboard.views import Amount, Dashboard
from ordersmith.money import money_str
from ordersmith.web.pages.deps import StaffSession, get_db, render, staff_session

router = APIRouter(include_in_schema=False)


def amounts_text(amounts: list[Amount]) -> str:
    """``"1250.00 EUR, 80.00 USD"``, or ``"0"`` when there is nothing."""
    return ", ".join(f"{money_str(a.amount, a.currency)} {a.currency}" for a in amounts) or "0"


def percent(rate: Decimal | None) -> str:
    return "-" if rate is None else f"{(rate * 100).quantize(Decimal(1))} %"


def _pct(rate: Decimal | None) -> str | None:
    return None if rate is None else str(rate * 100)


def chart_data(board: Dashboard) -> dict[str, Any]:
    """What the charts draw, as JSON-ready strings and integers (the same numbers as the
    tables next to them)."""
    data: dict[str, Any] = {}
    if board.orders_today is not None:
        data["channels"] = [[c.key, c.count] for c in board.orders_today]
    if board.open_orders is not None:
        data["statuses"] = [[c.key, c.count] for c in board.open_orders]
    if board.sales_trend is not None:
        currencies = sorted({a.currency for w in board.sales_trend for a in w.amounts})
        data["sales"] = {
            "weeks": [w.week_start.isoformat() for w in board.sales_trend],
            "orders": [w.orders for w in board.sales_trend],
            "amounts": {
                cur: [
                    str(next((a.amount for a in w.amounts if a.currency == cur), 0))
                    for w in board.sales_trend
                ]
                for cur in currencies
            },
        }
    if board.perfect_order is not None:
        weeks = board.perfect_order
        names = list(weeks[0].components) if weeks else []
        data["perfect"] = {
            "weeks": [w.week_start.isoformat() for w in weeks],
            "rate": [_pct(w.rate) for w in weeks],
            "components": {n: [_pct(w.components[n]) for w in weeks] for n in names},
        }
    return data


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, session: Annotated[StaffSession, Depends(staff_session)]
) -> HTMLResponse:
    """Today at a glance; each widget only for those who may see what it counts."""
    with get_db(request).reader() as db_session:
        board = dashboard(db_session, clock.today(), allowed=session.permissions)
    context = {
        "board": board,
        "amounts_text": amounts_text,
        "percent": percent,
        # safe inside <script>: no "<" survives (so no "</script>")
        "chart_json": json.dumps(chart_data(board)).replace("<", "\\u003c"),
    }
    return render(request, "dashboard/index.html", context, session)
