"""Customer service cases in the back office: the filtered, keyset-paginated list, the
case page and the form to open one.

``GET /cases`` takes its filters (status, type, priority, assignee, breached) as plain
query parameters: every list is a bookmarkable link, the form works without JavaScript,
and with HTMX only the results refresh (``cases/_results.html``). Breached cases are
flagged in words, not only by colour. ``GET /cases/{number}`` shows the case, its SLA
due time, its links, and its thread (internal notes and notes to the customer told
apart), with the forms the state machine (``customer_service.status``) and the user's
``cases:write`` allow (the POSTs are in ``cases_actions``). ``GET /cases/new?order=N``
opens a case about an order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ordersmith.auth.permissions import Permission
from ordersmith.customer_service import queries
from ordersmith.customer_service.models import CaseType, Visibility
from ordersmith.customer_service.sla import CasePriority
from ordersmith.customer_service.status import CaseStatus
from ordersmith.customer_service.views import CaseView
from ordersmith.customers.queries import get_customer
from ordersmith.errors import OmsError
from ordersmith.orders import queries as order_queries
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    status_of,
    wants_results_only,
)
from ordersmith.web.pages.listing import ListParams, choice, form_values, query_params, read_page
from ordersmith.web.pages.saved_filters import my_filters_context
from ordersmith.web.pagination import encode_time_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
FILTER_FIELDS = ("status", "type", "priority", "assignee", "breached", "limit")
SAVED_FILTERS = (
    ("Open", "status=open"),
    ("Breached", "breached=yes"),
    ("Waiting on the customer", "status=waiting_on_customer"),
    ("Unassigned", "assignee=-"),
    ("Urgent", "priority=urgent"),
)
UNASSIGNED = "-"
"""The assignee filter's value for cases nobody has."""
Reader = Annotated[StaffSession, Depends(require(P.CASES_READ))]
Writer = Annotated[StaffSession, Depends(require(P.CASES_WRITE))]


@dataclass
class ListForm(ListParams):
    """What the list's parameters mean once read."""

    flt: queries.CaseFilter = field(default_factory=queries.CaseFilter)
    before: tuple[datetime, uuid.UUID] | None = None


def read_form(params: dict[str, str]) -> ListForm:
    """Read the filters; every problem becomes a message (nothing raises)."""
    values = form_values(params, FILTER_FIELDS, 120)
    form = ListForm(values)
    errors = form.errors
    status = choice("status", values["status"], [s.value for s in CaseStatus], errors)
    kind = choice("type", values["type"], [t.value for t in CaseType], errors)
    priority = choice("priority", values["priority"], [p.value for p in CasePriority], errors)
    breached = choice("breached", values["breached"], ["yes", "no"], errors)
    assignee = values["assignee"]
    form.before = read_page(form, params)
    form.flt = queries.CaseFilter(
        status=CaseStatus(status) if status else None,
        type=CaseType(kind) if kind else None,
        priority=CasePriority(priority) if priority else None,
        assignee=("" if assignee == UNASSIGNED else assignee) if assignee else None,
        breached=None if breached is None else breached == "yes",
    )
    return form


def _choices() -> dict[str, list[str]]:
    return {
        "statuses": [s.value for s in CaseStatus],
        "types": [t.value for t in CaseType],
        "priorities": [p.value for p in CasePriority],
    }


@router.get("/cases", response_class=HTMLResponse)
def cases_list(request: Request, session: Reader) -> HTMLResponse:
    """Cases newest first, filtered; ``limit`` a page (50), ``cursor`` for the next."""
    params = query_params(request)
    form = read_form(params)
    found: list[CaseView] = []
    if not form.errors:
        with get_db(request).reader() as db_session:
            found = queries.list_cases(
                db_session, form.flt, limit=form.limit + 1, before=form.before
            )
    next_query = None
    if len(found) > form.limit:
        last = found[form.limit - 1]
        next_query = form.query(cursor=encode_time_cursor(last.created_at, last.id))
    context = {
        "form": form,
        "rows": found[: form.limit],
        "next_query": next_query,
        "first_query": form.query() if form.before else None,
        "saved_filters": SAVED_FILTERS,
        "this_query": form.query(),
        "may_write": session.may(P.CASES_WRITE),
        **_choices(),
    }
    context |= my_filters_context(request, session, "cases")
    partial = wants_results_only(request)
    template = "cases/_results.html" if partial else "cases/list.html"
    return render(request, template, context, session)


# --- opening a case ---------------------------------------------------------------------


def new_case_page(
    request: Request,
    session: StaffSession,
    order_number: str,
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        order = order_queries.get_order(db_session, order_number)
        customer = get_customer(db_session, order.customer_id)
    context = {
        "order": order,
        "customer": customer,
        "error": error,
        "form": form or {},
        **_choices(),
    }
    return render(request, "cases/new.html", context, session, status_code=status_of(error))


@router.get("/cases/new", response_class=HTMLResponse)
def case_new(request: Request, session: Writer, order: str = "") -> HTMLResponse:
    if not order.strip():
        return render(request, "cases/pick_order.html", {}, session)
    return new_case_page(request, session, order.strip()[:64])


# --- the case page ----------------------------------------------------------------------


def page_actions(case: CaseView, session: StaffSession) -> list[str]:
    """The state machine's actions, plus note, assign and priority until the case is
    closed, if the user may write cases."""
    if not session.may(P.CASES_WRITE) or case.status is CaseStatus.CLOSED:
        return []
    return ["note", "assign", "priority", *(a.value for a in case.allowed_actions)]


def case_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    with get_db(request).reader() as db_session:
        case = queries.get_case(db_session, number)
    context = {
        "case": case,
        "actions": page_actions(case, session),
        "may_read_returns": session.may(P.RETURNS_READ),
        "internal": Visibility.INTERNAL.value,
        "message": message,
        "error": error,
        "form": form or {},
        **_choices(),
    }
    return render(request, "cases/detail.html", context, session, status_code=status_of(error))


DONE = {
    "open": "The case is open.",
    "note": "The note is added.",
    "note_mailed": "The note is added and emailed to the customer.",
    "assign": "The case is assigned.",
    "priority": "The priority is changed.",
    "wait": "The case waits on the customer: its SLA clock is stopped.",
    "reopen": "The case is open again.",
    "resolve": "The case is resolved.",
    "close": "The case is closed.",
}


@router.get("/cases/{number}", response_class=HTMLResponse)
def case_detail(request: Request, number: str, session: Reader, done: str = "") -> HTMLResponse:
    return case_page(request, session, number, message=DONE.get(done, ""))
