"""The sales form for phone and in-person orders: ``GET /orders/new`` (``orders:create``).

The draft lives in the form itself (the customer's number, a row per line), and every
step is a POST of the whole form to ``/orders/new`` naming what was asked for (pick a
customer, create one, add or remove a line, recalculate, place). The page answers with
the form again, priced by ``orders.quote`` (the same functions as placement, so the
totals shown are the totals placed); with HTMX the form is swapped in place and the two
searches refresh as you type (``/orders/new/customers``, ``/orders/new/products``).
Without JavaScript the same form works with its *Find*, *Recalculate* and *Place order*
buttons and blank line rows. Enter in a text field sends the form's first (hidden)
button, ``intent=enter``: it adds the first product found, or picks the only customer
found, and never places an order.

Placing runs ``place_order`` in a unit of work carrying the user's permissions, at most
once per hidden form token (``sales_form_parts.place_once``), and asks for a
confirmation first when ``orders.duplicates`` would hold it as a suspected duplicate.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.config import BackorderPolicy
from ordersmith.customers.models import AccountType
from ordersmith.customers.profile import OrderingProfile
from ordersmith.customers.services import AddressInput, create_customer
from ordersmith.errors import Conflict, OmsError
from ordersmith.inventory.queries import availability
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import place_order
from ordersmith.orders.quote import DuplicateOrder, Quote, quote_order
from ordersmith.orders.requests import PlaceOrder
from ordersmith.uow import UnitOfWork
from ordersmith.web.pages.deps import (
    StaffSession,
    csrf_protect,
    get_db,
    render,
    require,
    staff_unit_of_work,
)
from ordersmith.web.pages.sales_form_parts import (
    TEXT_FIELDS,
    SalesState,
    add_line,
    customer_errors,
    customer_profile,
    find_customers,
    find_products,
    money,
    new_form_token,
    place_errors,
    place_once,
    quantity_of,
    read_state,
    valid_token,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Creator = Annotated[StaffSession, Depends(require(Permission.ORDERS_CREATE))]
CHANNELS = (Channel.PHONE.value, Channel.IN_PERSON.value)
POLICIES = tuple(p.value for p in BackorderPolicy)


class ConfirmDuplicate(Conflict):
    code = "suspected_duplicate"
    title = "Possible duplicate"


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@router.get("/orders/new", response_class=HTMLResponse)
def new_order(request: Request, session: Creator, customer: str = "") -> HTMLResponse:
    """An empty form (optionally for ``?customer=CUST-…``) with a fresh form token."""
    state = SalesState(dict.fromkeys(TEXT_FIELDS, ""), [])
    state.values |= {"form_token": new_form_token(), "channel": "phone"}
    state.values["customer"] = customer.strip()[:40]
    return page(request, session, state, focus="product_q" if customer else "customer_q")


@router.get("/orders/new/customers", response_class=HTMLResponse)
def customer_results(request: Request, session: Creator, customer_q: str = "") -> HTMLResponse:
    """The customers found for the search box (HTMX, as you type)."""
    with get_db(request).reader() as db_session:
        found = find_customers(db_session, customer_q[:200])
    context = {"customer_results": found, "searched": customer_q.strip()}
    return render(request, "sales/_customers.html", context, session)


@router.get("/orders/new/products", response_class=HTMLResponse)
def product_results(
    request: Request,
    session: Creator,
    product_q: str = "",
    customer: str = "",
    product_qty: str = "",
) -> HTMLResponse:
    """Active products found for the search box, with stock per warehouse and the
    chosen customer's price for the quantity (HTMX, as you type)."""
    with get_db(request).reader() as db_session:
        profile = customer_profile(db_session, customer, {})
        found = find_products(
            db_session, product_q[:64], profile, quantity_of(product_qty), clock.now().date()
        )
    context = {"product_results": found, "searched": product_q.strip()}
    return render(request, "sales/_products.html", context, session)


@router.post("/orders/new")
async def submit(request: Request, session: Creator) -> Response:
    form = await request.form()
    return await run_in_threadpool(_submit, request, session, form)


def _strings(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def _action(form: FormData) -> tuple[str, str]:
    for name, action in (("pick_customer", "pick"), ("add_sku", "add"), ("remove_line", "remove")):
        value = form.get(name)
        if isinstance(value, str) and value:
            return action, value.strip()[:64]
    intent = form.get("intent")
    return (intent if isinstance(intent, str) else "recalc"), ""


def _submit(request: Request, session: StaffSession, form: FormData) -> Response:
    texts = {k: v for k, v in form.items() if isinstance(v, str)}
    state = read_state(texts, _strings(form, "sku"), _strings(form, "qty"))
    values = state.values
    action, arg = _action(form)
    extra: dict[str, Any] = {}
    focus = "product_q"
    if action == "pick":
        values["customer"], values["customer_q"] = arg, ""
    elif action == "change_customer":
        values["customer"], focus = "", "customer_q"
    elif action == "new_customer":
        focus = _quick_create(request, session, state)
    elif action == "add":
        add_line(state, arg, values["product_qty"])
    elif action == "remove":
        if arg.isdigit() and int(arg) < len(state.rows):
            del state.rows[int(arg)]
    elif action == "enter":
        focus = _enter(request, state, extra)
    elif action == "find_customer":
        focus = "customer_q"
        with get_db(request).reader() as db_session:
            extra["customer_results"] = find_customers(db_session, values["customer_q"])
    elif action == "find_product":
        extra["product_results"] = _products(request, state)
    elif action == "place":
        return _place(request, session, state)
    return page(request, session, state, focus=focus, **extra)


def _products(request: Request, state: SalesState) -> list[Any]:
    with get_db(request).reader() as db_session:
        profile = customer_profile(db_session, state.values["customer"], {})
        return find_products(
            db_session,
            state.values["product_q"],
            profile,
            quantity_of(state.values["product_qty"]),
            clock.now().date(),
        )


def _enter(request: Request, state: SalesState, extra: dict[str, Any]) -> str:
    """Enter in a text field: add the first product found; else pick the only customer
    found (or list them); else just recalculate."""
    values = state.values
    if values["product_q"]:
        hits = _products(request, state)
        if not hits:
            state.errors["product_q"] = f"no active product starts with {values['product_q']!r}"
            return "product_q"
        exact = [h for h in hits if h.sku.upper() == values["product_q"].upper()]
        add_line(state, (exact or hits)[0].sku, values["product_qty"])
        return "product_q"
    if values["customer_q"] and not values["customer"]:
        with get_db(request).reader() as db_session:
            found = find_customers(db_session, values["customer_q"])
        if len(found) == 1:
            values["customer"], values["customer_q"] = found[0].number, ""
            return "product_q"
        if not found:
            state.errors["customer_q"] = f"no customer matches {values['customer_q']!r}"
        extra["customer_results"] = found
        return "customer_q"
    return "product_q"


def _quick_create(request: Request, session: StaffSession, state: SalesState) -> str:
    """Create a cash customer from the quick-create fields and choose them."""
    v = state.values
    address = [
        AddressInput(
            kind="shipping",
            name=v["qc_name"],
            line1=v["qc_line1"],
            postcode=v["qc_postcode"],
            city=v["qc_city"],
            country=v["qc_country"],
        )
    ]
    has_address = any(v[k] for k in ("qc_line1", "qc_postcode", "qc_city", "qc_country"))
    try:
        with staff_unit_of_work(request, session) as uow:
            created = create_customer(
                uow,
                name=v["qc_name"],
                email=v["qc_email"],
                phone=v["qc_phone"],
                account_type=AccountType.CASH,
                addresses=address if has_address else (),
            )
    except OmsError as exc:
        if exc.status == 403:
            raise
        state.errors.update(customer_errors(exc))
        return "qc_name"
    v["customer"], v["customer_q"] = created.number, ""
    for k in ("qc_name", "qc_email", "qc_phone", "qc_line1", "qc_postcode", "qc_city"):
        v[k] = ""
    v["qc_country"] = ""
    return "product_q"


def _request(state: SalesState, customer_id: uuid.UUID) -> PlaceOrder:
    lines, _where = state.lines()
    v = state.values
    return PlaceOrder(
        customer_id=customer_id,
        channel=Channel(v["channel"]) if v["channel"] in CHANNELS else Channel.PHONE,
        lines=lines,
        external_ref=v["external_ref"] or None,
        backorder_policy=BackorderPolicy(v["backorder_policy"])
        if v["backorder_policy"] in POLICIES
        else None,
        details={"entered_on": "sales form"},
    )


def _place(request: Request, session: StaffSession, state: SalesState) -> Response:
    """Check the form, then place once per form token (see the module's doc)."""
    v, errors = state.values, state.errors
    if v["channel"] not in CHANNELS:
        errors["channel"] = "choose phone or in person"
    if v["backorder_policy"] and v["backorder_policy"] not in POLICIES:
        errors["backorder_policy"] = "choose reject or backorder"
    if not valid_token(v["form_token"]):
        v["form_token"] = new_form_token()
        errors["place"] = "the form had no valid token (a fresh one is set): place it again"
    with get_db(request).reader() as db_session:
        profile = customer_profile(db_session, v["customer"], errors)
    if profile is None and "customer" not in errors:
        errors["customer"] = "choose a customer or create one"
    lines, where = state.lines()
    if not lines and not any(row.error for row in state.rows):
        errors["lines"] = "add at least one line"
    if errors or profile is None or any(row.error for row in state.rows):
        return page(request, session, state, focus="place", status=422)
    order = _request(state, profile.id)
    confirmed = v["confirm_duplicate"] == "yes"

    def check() -> None:  # the token is ours: no twin of this submit gets this far
        with staff_unit_of_work(request, session) as uow:
            quote = quote_order(uow, order)
        if quote.duplicate is not None and not confirmed:
            raise ConfirmDuplicate(
                "this customer has a recent order with the same lines: confirm to place it",
                extra={"duplicate": quote.duplicate},
            )

    def work(uow: UnitOfWork) -> str:
        return place_order(uow, order).number

    try:
        number = place_once(
            get_db(request),
            actor=f"staff:{session.email}",
            permissions=session.permissions,
            client_id=f"staff:{session.user_id}",
            token=v["form_token"],
            check=check,
            work=work,
        )
    except OmsError as exc:
        if exc.status == 403:
            raise
        message = place_errors(exc, state, where)
        focus = "confirm_duplicate" if isinstance(exc, ConfirmDuplicate) else "place"
        return page(request, session, state, focus=focus, error=exc if message else None)
    if _is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": f"/orders/{number}"})
    return RedirectResponse(f"/orders/{number}", status_code=303)


def _quote(
    request: Request, session: StaffSession, state: SalesState, profile: OrderingProfile
) -> tuple[Quote | None, OmsError | None]:
    """Price the filled rows (errors go onto their rows)."""
    lines, where = state.lines()
    if not lines:
        return None, None
    try:
        with staff_unit_of_work(request, session) as uow:
            return quote_order(uow, _request(state, profile.id)), None
    except OmsError as exc:
        if exc.status == 403:
            raise
        return None, (exc if place_errors(exc, state, where) else None)


def page(
    request: Request,
    session: StaffSession,
    state: SalesState,
    *,
    focus: str = "",
    error: OmsError | None = None,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """The form, priced: each row's product, price, net and stock; the totals; the
    duplicate warning; errors next to their fields and ``error`` above the form."""
    with get_db(request).reader() as db_session:
        profile = customer_profile(db_session, state.values["customer"], state.errors)
        stock = availability(db_session, [row.sku for row in state.rows if row.sku])
    quote, quote_error = (None, None)
    if profile is not None:
        quote, quote_error = _quote(request, session, state, profile)
    error = error or quote_error
    duplicate: DuplicateOrder | None = None
    if isinstance(error, ConfirmDuplicate):
        duplicate, error = error.extra["duplicate"], None
    totals = {}
    if quote is not None:
        _, where = state.lines()
        for line, i in zip(quote.lines, where, strict=True):
            row = state.rows[i]
            row.name = line.name
            row.unit_price = money(line.unit_price, quote.currency)
            row.net = money(line.net, quote.currency)
        t = quote.totals
        totals = {
            "net": money(t.subtotal - t.discount_total, quote.currency),
            "tax": money(t.tax_total, quote.currency),
            "total": money(t.total, quote.currency),
            "currency": quote.currency,
        }
        duplicate = duplicate or quote.duplicate
    for row in state.rows:
        row.stock = stock.get(row.sku, [])
    context = {
        "values": state.values,
        "rows": state.padded_rows(),
        "errors": state.errors,
        "customer": profile,
        "totals": totals,
        "duplicate": duplicate,
        "error": error,
        "focus": focus,
        "channels": CHANNELS,
        "policies": POLICIES,
        "default_policy": get_db(request).settings.backorder_policy.value,
        "customer_results": extra.get("customer_results"),
        "product_results": extra.get("product_results"),
        "searched_customer": state.values["customer_q"],
        "searched_product": state.values["product_q"],
    }
    if _is_htmx(request):
        status = 200  # HTMX swaps only 2xx answers: the messages are in the form
    return render(request, "sales/new.html", context, session, status_code=status)
