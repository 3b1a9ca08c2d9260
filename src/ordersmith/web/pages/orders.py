"""Orders in the back office: the filtered, keyset-paginated list and the order page.

``GET /orders`` takes its filters as plain query parameters, so every filter is a
bookmarkable link and the form works without JavaScript; with HTMX the form refreshes
only the results (``orders/_results.html``) and pushes the URL. A filter that cannot be
read shows a message and lists nothing. ``GET /orders/{number}`` shows the order, its
timeline and the actions the state machine and the user's permissions allow (the POSTs
are in ``order_actions``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from ordersmith.auth.permissions import Permission
from ordersmith.billing.invoices import NOT_INVOICEABLE
from ordersmith.customer_service.timeline import TimelineEntry, order_timeline
from ordersmith.customers.models import Customer
from ordersmith.customers.queries import find_customer, get_customer
from ordersmith.dashboard.queries import day_start
from ordersmith.db import table_of
from ordersmith.errors import OmsError
from ordersmith.fulfillment.queries import order_pick_lists
from ordersmith.money import money_str
from ordersmith.orders import queries
from ordersmith.orders.models import Channel
from ordersmith.orders.status import RESERVING_STATUSES, HoldReason, OrderStatus
from ordersmith.orders.views import OrderSummary, OrderView
from ordersmith.shipping.queries import ShipmentView, list_shipments
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
    choice,
    day,
    form_values,
    query_params,
    read_page,
)
from ordersmith.web.pages.saved_filters import my_filters_context
from ordersmith.web.pagination import encode_time_cursor

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
P = Permission
FILTER_FIELDS = (
    "q",
    "status",
    "channel",
    "customer",
    "created_from",
    "created_to",
    "sku",
    "hold_reason",
    "backordered",
    "dispatch_due",
    "limit",
)
# saved filters: plain, bookmarkable links (labels and query strings)
SAVED_FILTERS = (
    ("Waiting for confirmation", "status=placed"),
    ("On hold", "status=on_hold"),
    ("Credit holds", "status=on_hold&hold_reason=credit"),
    ("Suspected duplicates", "status=on_hold&hold_reason=suspected_duplicate"),
    ("Backorders", "backordered=1"),
    ("Phone orders", "channel=phone"),
)
Reader = Annotated[StaffSession, Depends(require(P.ORDERS_READ))]


@dataclass
class ListForm(ListParams):
    """What the list's parameters mean once read."""

    flt: queries.OrderFilter = field(default_factory=queries.OrderFilter)
    before: tuple[Any, uuid.UUID] | None = None


def read_form(session: Session, params: dict[str, str]) -> ListForm:
    """Read the filters; every problem becomes a message (nothing raises)."""
    values = form_values(params, FILTER_FIELDS)
    form = ListForm(values)
    errors = form.errors
    status = choice("status", values["status"], [s.value for s in OrderStatus], errors)
    channel = choice("channel", values["channel"], [c.value for c in Channel], errors)
    hold = choice("hold_reason", values["hold_reason"], [h.value for h in HoldReason], errors)
    start = day("from", values["created_from"], errors)
    end = day("to", values["created_to"], errors)
    due = day("dispatch due", values["dispatch_due"], errors)
    customer_id = None
    if values["customer"]:
        found = find_customer(session, values["customer"])
        if found is None:
            errors.append(f"customer: no customer {values['customer']!r}")
        else:
            customer_id = found.id
    if start and end and start > end:
        errors.append("from: must be on or before to")
    form.before = read_page(form, params)
    form.flt = queries.OrderFilter(
        status=OrderStatus(status) if status else None,
        customer_id=customer_id,
        channel=channel,
        created_from=day_start(start) if start else None,
        created_to=day_start(end + timedelta(days=1)) if end else None,
        sku=values["sku"] or None,
        hold_reason=hold,
        backordered=values["backordered"] in ("1", "on", "true"),
        dispatch_due=due,
        search=queries.search_orders(session, values["q"]) if values["q"] else None,
    )
    return form


@dataclass(frozen=True)
class Row:
    order: OrderSummary
    customer_number: str
    customer_name: str
    total: str


def _rows(session: Session, found: list[OrderSummary]) -> list[Row]:
    """The page's orders with their customers' numbers and names (one statement)."""
    customers = table_of(Customer)
    ids = {o.customer_id for o in found}
    names = {
        r.id: (r.number, r.name)
        for r in session.execute(
            sa.select(customers.c.id, customers.c.number, customers.c.name).where(
                customers.c.id.in_(ids)
            )
        )
    }
    return [
        Row(o, *names.get(o.customer_id, ("", "")), money_str(o.total, o.currency)) for o in found
    ]


@router.get("/orders", response_class=HTMLResponse)
def orders_list(request: Request, session: Reader) -> HTMLResponse:
    """Orders newest first, filtered; ``limit`` a page (50), ``cursor`` for the next."""
    params = query_params(request)
    with get_db(request).reader() as db_session:
        form = read_form(db_session, params)
        found: list[OrderSummary] = []
        if not form.errors:
            found = queries.list_orders(
                db_session, form.flt, limit=form.limit + 1, before=form.before
            )
        rows = _rows(db_session, found[: form.limit])
    next_query = None
    if len(found) > form.limit:
        last = found[form.limit - 1]
        next_query = form.query(cursor=encode_time_cursor(last.created_at, last.id))
    context = {
        "form": form,
        "rows": rows,
        "next_query": next_query,
        "first_query": form.query() if form.before else None,
        "saved_filters": SAVED_FILTERS,
        "statuses": [s.value for s in OrderStatus],
        "channels": [c.value for c in Channel],
        "hold_reasons": [h.value for h in HoldReason],
        "this_query": form.query(),
    } | my_filters_context(request, session, "orders")
    partial = wants_results_only(request)
    template = "orders/_results.html" if partial else "orders/list.html"
    return render(request, template, context, session)


# --- the order page ---------------------------------------------------------------------

HOLD_CHOICES = (HoldReason.MANUAL, HoldReason.CREDIT, HoldReason.PAYMENT)
SHIPPED = frozenset({"shipped", "delivered"})
ORDER_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{2,39}")


def order_actions(order: OrderView, session: StaffSession) -> list[str]:
    """What this user may do to this order now: the state machine's actions, if the user
    may manage orders (and lift a credit hold only with ``credit:release``)."""
    if not session.may(P.ORDERS_MANAGE):
        return []
    allowed = [a for a in order.allowed_actions if a in ("confirm", "hold", "release", "cancel")]
    if order.hold_reason == HoldReason.CREDIT and not session.may(P.CREDIT_RELEASE):
        allowed = [a for a in allowed if a != "release"]
    return allowed


def _fulfilment_links(
    db_session: Session, order_id: uuid.UUID, session: StaffSession
) -> tuple[list[ShipmentView], list[tuple[str, str]]]:
    """The order's shipments and pick lists, for a user who may read fulfilment."""
    if not session.may(P.FULFILMENT_READ):
        return [], []
    return (
        list_shipments(db_session, order_id=order_id),
        order_pick_lists(db_session, order_id),
    )


def order_page(
    request: Request,
    session: StaffSession,
    number: str,
    *,
    message: str = "",
    error: OmsError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The order page; ``error`` (a refused action) is shown above the actions, with the
    status code of the error (the page itself is the same)."""
    with get_db(request).reader() as db_session:
        order = queries.get_order(db_session, number)
        customer = get_customer(db_session, order.customer_id)
        entries: list[TimelineEntry] = []
        history = []
        if session.may(P.CASES_READ):
            entries = order_timeline(db_session, order.number, newest_first=True).entries
        else:
            history = queries.order_history(db_session, order.number)
        shipments, pick_lists = _fulfilment_links(db_session, order.id, session)
    money = {
        k: money_str(getattr(order, k), order.currency)
        for k in ("subtotal", "discount_total", "tax_total", "shipping_total", "total")
    }
    lines = [(line, money_str(line.net_amount, order.currency)) for line in order.lines]
    context = {
        "order": order,
        "customer": customer,
        "money": money,
        "lines": lines,
        "entries": entries,
        "history": list(reversed(history)),
        "actions": order_actions(order, session),
        "may_change": session.may(P.ORDERS_CHANGE) and order.status in RESERVING_STATUSES,
        "may_invoice": session.may(P.BILLING_WRITE) and order.status not in NOT_INVOICEABLE,
        "shipments": shipments,
        "pick_lists": pick_lists,
        "follow_ups": follow_ups(order, session),
        "hold_choices": [h.value for h in HOLD_CHOICES],
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "orders/detail.html", context, session, status_code=status_of(error))


def follow_ups(order: OrderView, session: StaffSession) -> list[tuple[str, str]]:
    """Links to the other areas' work on this order that the user may do or see."""
    number = order.number
    links: tuple[tuple[Permission, str, str], ...] = ()
    if order.status == OrderStatus.CONFIRMED and order.fulfilment_status not in SHIPPED:
        links = ((P.FULFILMENT_WRITE, "Pack and ship", f"/warehouse/pack/{number}"),)
    links += (
        (P.RETURNS_WRITE, "Request a return", f"/returns/new?order={number}"),
        (P.CASES_WRITE, "Open a case", f"/cases/new?order={number}"),
        (P.BILLING_READ, "Its invoices", f"/billing?order={number}"),
        (P.RETURNS_READ, "Its returns", f"/returns?order={number}"),
    )
    return [(label, url) for permission, label, url in links if session.may(permission)]


DONE = {
    "confirm": "The order is confirmed.",
    "hold": "The order is on hold.",
    "release": "The hold is lifted.",
    "cancel": "The order is cancelled.",
    "change": "The change is saved; the customer is emailed what changed and why.",
    "split": "The units are moved to the new order {into}.",
}


@router.get("/orders/{number}", response_class=HTMLResponse)
def order_detail(
    request: Request, number: str, session: Reader, done: str = "", into: str = ""
) -> HTMLResponse:
    if done == "split" and not ORDER_NUMBER.fullmatch(into):
        done = ""  # only a real order number is echoed in the message
    message = DONE.get(done, "").replace("{into}", into)
    return order_page(request, session, number, message=message)
