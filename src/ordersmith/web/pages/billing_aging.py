"""Receivables in the back office: the aging report per customer, DSO, and the orders
on credit hold (``GET /billing/aging``).

The report is ``billing.receivables.aging`` as of a day (``as_of``, default today):
each customer's open balance per bucket, linking to the customer's page and to their
open invoices due in that bucket's days; DSO per currency over ``days`` (90) from
``days_sales_outstanding``. Below it, the newest orders held for credit (orders
``status=on_hold, hold_reason=credit``, ``ix_orders_status_created``) with *Release* to
``credit:release`` (``billing_actions``).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.billing.receivables import aging, days_sales_outstanding
from ordersmith.customers.queries import numbers_and_names
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.money import money_str
from ordersmith.orders.queries import OrderFilter, list_orders
from ordersmith.orders.status import HoldReason, OrderStatus
from ordersmith.web.pages.billing import Reader, bucket_links
from ordersmith.web.pages.deps import StaffSession, csrf_protect, get_db, render, status_of

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
DSO_DAYS = 90
CREDIT_HOLDS_SHOWN = 50
CREDIT_HOLDS = OrderFilter(status=OrderStatus.ON_HOLD, hold_reason=HoldReason.CREDIT.value)


def _as_of(text: str) -> date:
    if not text:
        return clock.today()
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValidationFailed(
            "the aging day is not valid", fields=[FieldError("as_of", "a day, YYYY-MM-DD")]
        ) from None


def aging_page(
    request: Request,
    session: StaffSession,
    *,
    as_of: str = "",
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The report, DSO and the credit holds; ``error`` (a refused release) above the
    holds, with its status; an unreadable ``as_of`` is a message and an empty report."""
    problem = None
    with get_db(request).reader() as db_session:
        try:
            day = _as_of(as_of)
            report = aging(db_session, as_of=day)
            dso = days_sales_outstanding(db_session, as_of=day, days=DSO_DAYS)
        except ValidationFailed as exc:
            problem, day, report, dso = exc, clock.today(), None, []
        holds = list_orders(db_session, CREDIT_HOLDS, limit=CREDIT_HOLDS_SHOWN + 1)
        names = numbers_and_names(db_session, {o.customer_id for o in holds})
    context = {
        "as_of": day,
        "is_today": day == clock.today(),
        "report": report,
        "dso": dso,
        "dso_days": DSO_DAYS,
        "problem": problem,
        "buckets": bucket_links(day),
        "holds": [(o, *names.get(o.customer_id, ("", ""))) for o in holds[:CREDIT_HOLDS_SHOWN]],
        "more_holds": len(holds) > CREDIT_HOLDS_SHOWN,
        "may_release": session.may(P.CREDIT_RELEASE),
        "money": money_str,
        "message": message,
        "error": error,
        "form": form or {},
    }
    shown = error if error is not None else problem
    return render(request, "billing/aging.html", context, session, status_code=status_of(shown))


@router.get("/billing/aging", response_class=HTMLResponse)
def aging_report(
    request: Request, session: Reader, as_of: str = "", released: str = ""
) -> HTMLResponse:
    message = f"The credit hold of {released[:40]} is lifted." if released else ""
    return aging_page(request, session, as_of=as_of, message=message)
