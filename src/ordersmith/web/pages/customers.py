"""Customers in the back office: the searchable, keyset-paginated list, possible
duplicates, and the customer 360.

``GET /customers`` takes its search and filters as plain query parameters (a bookmarkable
link, a form that works without JavaScript); with HTMX the form refreshes only the
results (``customers/_results.html``) and pushes the URL. The search goes through
indexes only (``queries.customer_search``: number, e-mail, name prefix, phone digits). A
filter that cannot be read shows a message and lists nothing.
``GET /customers/duplicates`` lists ``duplicates.find_duplicates`` groups with a "merge
into" form per member. ``GET /customers/{number}`` is ``overview.customer_overview``:
profile, contacts, addresses, tier and why, orders, balance and payments, returns,
cases, communications and history; a merged customer's page names its survivor and
offers the undo. The POSTs are in ``customers_actions``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from ordersmith.auth.permissions import Permission
from ordersmith.customers import queries
from ordersmith.customers.duplicates import RULES, DuplicateGroup, Rule, find_duplicates
from ordersmith.customers.merge import MergeView, list_merges
from ordersmith.customers.models import AccountType
from ordersmith.customers.overview import CustomerOverview, customer_overview
from ordersmith.customers.tiers import list_tiers
from ordersmith.errors import OmsError
from ordersmith.money import money_str
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    status_of,
    wants_results_only,
)
from ordersmith.web.pages.listing import (
    ListParams,
    form_values,
    query_params,
    read_limit,
    read_page,
)
from ordersmith.web.pages.saved_filters import my_filters_context
from ordersmith.web.pagination import (
    decode_cursor,
    encode_cursor,
    encode_time_cursor,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
FILTER_FIELDS = ("q", "account_type", "group", "tier", "limit")
Reader = Annotated[StaffSession, Depends(require(P.CUSTOMERS_READ))]


@dataclass
class ListForm(ListParams):
    """What the list's parameters mean once read."""

    after: tuple[datetime, uuid.UUID] | None = None


def read_form(params: dict[str, str], tiers: list[str]) -> ListForm:
    """Read the search and filters; every problem becomes a message (nothing raises)."""
    form = ListForm(form_values(params, FILTER_FIELDS))
    values, errors = form.values, form.errors
    kinds = [a.value for a in AccountType]
    if values["account_type"] and values["account_type"] not in kinds:
        errors.append(f"account type: {values['account_type']!r} is not one of {', '.join(kinds)}")
    if values["tier"] and values["tier"] not in tiers:
        errors.append(f"tier: no loyalty tier {values['tier']!r}")
    form.after = read_page(form, params)
    return form


def _merged_hint(session: Session, term: str) -> queries.CustomerView | None:
    """A searched number of a customer merged into another (the list leaves it out)."""
    if not term or len(term) > 24:
        return None
    found = queries.find_customer(session, term)
    return found if found is not None and found.merged_into_id is not None else None


@router.get("/customers", response_class=HTMLResponse)
def customers_list(request: Request, session: Reader) -> HTMLResponse:
    """Customers newest first, searched and filtered; ``limit`` a page, ``cursor`` next."""
    params = query_params(request)
    with get_db(request).reader() as db_session:
        tiers = list_tiers(db_session)
        form = read_form(params, [t.code for t in tiers])
        rows: list[queries.CustomerView] = []
        more, merged = False, None
        if not form.errors:
            values = form.values
            rows, more = queries.list_customers(
                db_session,
                search=values["q"] or None,
                account_type=AccountType(values["account_type"])
                if values["account_type"]
                else None,
                customer_group=values["group"] or None,
                tier=values["tier"] or None,
                after=form.after,
                limit=form.limit,
            )
            merged = _merged_hint(db_session, values["q"]) if not rows else None
    next_query = None
    if more:
        next_query = form.query(cursor=encode_time_cursor(rows[-1].created_at, rows[-1].id))
    context = {
        "form": form,
        "rows": rows,
        "merged": merged,
        "next_query": next_query,
        "first_query": form.query() if form.after else None,
        "account_types": [a.value for a in AccountType],
        "tiers": tiers,
        "this_query": form.query(),
    }
    context |= my_filters_context(request, session, "customers")
    partial = wants_results_only(request)
    template = "customers/_results.html" if partial else "customers/list.html"
    return render(request, template, context, session)


# --- possible duplicates ---------------------------------------------------------------


def duplicates_page(
    request: Request,
    session: StaffSession,
    params: dict[str, str],
    *,
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """Groups of possible duplicates (``rule``, ``cursor``, ``limit`` as the list); a
    refused merge is shown above them with the error's status."""
    rule, cursor = params.get("rule", "").strip(), params.get("cursor", "")
    errors: list[str] = []
    if rule and rule not in RULES:
        errors.append(f"rule: {rule!r} is not one of {', '.join(RULES)}")
    after: tuple[Rule, str] | None = None
    if cursor:
        try:
            found_rule, key = decode_cursor(cursor, 2)
            if found_rule not in RULES:
                raise ValueError(found_rule)
            after = (found_rule, key)
        except (OmsError, ValueError):
            errors.append("page: the page link is not one this list made: start again")
    limit_form = ListForm(form_values(params, ("limit",)))
    read_limit(limit_form)
    errors += limit_form.errors
    groups: list[DuplicateGroup] = []
    more = False
    if not errors:
        with get_db(request).reader() as db_session:
            groups, more = find_duplicates(
                db_session,
                rule=rule or None,  # type: ignore[arg-type]
                after=after,
                limit=limit_form.limit,
            )
    base = {k: v for k, v in (("rule", rule), ("limit", params.get("limit", ""))) if v}
    next_query = None
    if more:
        next_query = urlencode(base | {"cursor": encode_cursor([groups[-1].rule, groups[-1].key])})
    context = {
        "groups": groups,
        "rules": RULES,
        "rule": rule,
        "cursor": cursor if not errors else "",
        "errors": errors,
        "next_query": next_query,
        "first_query": urlencode(base) if after else None,
        "error": error,
        "form": form or {},
        "may_merge": session.may(P.CUSTOMERS_MERGE),
    }
    return render(
        request, "customers/duplicates.html", context, session, status_code=status_of(error)
    )


@router.get("/customers/duplicates", response_class=HTMLResponse)
def duplicates(request: Request, session: Reader) -> HTMLResponse:
    params = query_params(request)
    return duplicates_page(request, session, params)


# --- the customer 360 ------------------------------------------------------------------


def _merges(
    db_session: Session, customer: queries.CustomerView
) -> tuple[MergeView | None, list[tuple[MergeView, str]]]:
    """The merge that folded this customer into another (not undone), and the recent
    merges into this customer with the duplicates' numbers."""
    merges, _more = list_merges(db_session, customer_id=customer.id, limit=10)
    current = next(
        (m for m in merges if m.duplicate_id == customer.id and m.undone_at is None), None
    )
    into_here = []
    for m in merges:
        if m.survivor_id == customer.id:
            other = queries.find_customer(db_session, m.duplicate_id)
            into_here.append((m, other.number if other else ""))
    return current, into_here


def _money(ov: CustomerOverview) -> dict[str, str]:
    o, cur = ov.orders, ov.orders.currency
    return {
        "lifetime_value": money_str(o.lifetime_value, cur),
        "spend_last_12_months": money_str(o.spend_last_12_months, cur),
        "average_order_value": money_str(o.average_order_value, cur)
        if o.average_order_value is not None
        else "",
        "credit_limit": money_str(ov.customer.credit_limit, cur)
        if ov.customer.credit_limit is not None
        else "",
    }


def customer_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The customer 360; ``error`` (a refused action) above the forms, with its status."""
    with get_db(request).reader() as db_session:
        ov = customer_overview(db_session, number)
        survivor = (
            queries.find_customer(db_session, ov.customer.merged_into_id)
            if ov.customer.merged_into_id
            else None
        )
        current_merge, merged_here = _merges(db_session, ov.customer)
    context = {
        "ov": ov,
        "c": ov.customer,
        "survivor": survivor,
        "current_merge": current_merge,
        "merged_here": merged_here,
        "money": _money(ov),
        "money_str": money_str,
        "may": {
            "write": session.may(P.CUSTOMERS_WRITE) and survivor is None,
            "merge": session.may(P.CUSTOMERS_MERGE),
            "billing": session.may(P.BILLING_READ),
            "returns": session.may(P.RETURNS_READ),
            "cases": session.may(P.CASES_READ),
        },
        "links": {  # link returns and cases to their pages where those pages exist
            kind: f"/{kind}/{{number}}" in getattr(request.app.state, "page_paths", ())
            for kind in ("returns", "cases")
        },
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "customers/detail.html", context, session, status_code=status_of(error))


DONE = {
    "contact": "The contact is added.",
    "merged": "The customer is merged.",
    "unmerged": "The merge is undone: the customer is active again.",
    "portal": "The portal invite is emailed to the customer (the link works once).",
}


@router.get("/customers/{number}", response_class=HTMLResponse)
def customer_detail(request: Request, number: str, session: Reader, done: str = "") -> HTMLResponse:
    return customer_page(request, session, number, message=DONE.get(done, ""))
