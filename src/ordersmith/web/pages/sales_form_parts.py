"""The sales form's parts: reading the posted form, the customer and product searches,
stock per warehouse, errors next to their fields, and placing once per form token.

The whole draft lives in the form (hidden customer number, one row per line), so every
step is a plain POST that works without JavaScript; HTMX only swaps the form in place.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.auth.permissions import Permission
from ordersmith.catalog.models import Product
from ordersmith.catalog.pricing import resolve_prices
from ordersmith.catalog.status import ProductStatus
from ordersmith.customers.profile import OrderingProfile, ordering_profile
from ordersmith.customers.queries import CustomerView, find_customer, list_customers
from ordersmith.db import table_of
from ordersmith.errors import OmsError
from ordersmith.idempotency import services as idempotency
from ordersmith.idempotency.errors import IdempotencyKeyInFlight
from ordersmith.inventory.queries import availability
from ordersmith.money import money_str
from ordersmith.orders.requests import MAX_QUANTITY, LineRequest
from ordersmith.uow import Database, UnitOfWork
from ordersmith.validation import matchable

MIN_ROWS = 5  # line rows shown (blank ones to fill in without JavaScript)
SEARCH_LIMIT = 8
FORM_PATH = "/orders/new"
WAIT_STEP_MS = 200  # how often a twin submit looks whether the first one is done
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
TEXT_FIELDS = (
    "form_token",
    "customer",
    "customer_q",
    "qc_name",
    "qc_email",
    "qc_phone",
    "qc_line1",
    "qc_postcode",
    "qc_city",
    "qc_country",
    "product_q",
    "product_qty",
    "channel",
    "external_ref",
    "backorder_policy",
    "confirm_duplicate",
)


def new_form_token() -> str:
    return secrets.token_urlsafe(18)


def valid_token(token: str) -> bool:
    return bool(_TOKEN.fullmatch(token))


@dataclass
class Row:
    """One line row of the form as typed, and what pricing it said."""

    sku: str
    qty: str
    name: str = ""
    unit_price: str = ""
    net: str = ""
    stock: list[tuple[str, int]] = field(default_factory=list)
    error: str = ""


@dataclass
class SalesState:
    values: dict[str, str]
    rows: list[Row]
    errors: dict[str, str] = field(default_factory=dict)

    def lines(self) -> tuple[list[LineRequest], list[int]]:
        """The filled rows as line requests, and each one's row index (for errors).
        A row with a SKU and no quantity means one; a bad quantity is a row error."""
        lines: list[LineRequest] = []
        where: list[int] = []
        for i, row in enumerate(self.rows):
            if not row.sku:
                if row.qty:
                    row.error = "enter a SKU or clear the quantity"
                continue
            qty = row.qty or "1"
            if not qty.isdigit() or not 1 <= int(qty) <= MAX_QUANTITY:
                row.error = f"quantity: a whole number from 1 to {MAX_QUANTITY}"
                continue
            lines.append(LineRequest(sku=row.sku, quantity=int(qty)))
            where.append(i)
        return lines, where

    def padded_rows(self) -> list[Row]:
        blanks = max(MIN_ROWS - len(self.rows), 1)
        return self.rows + [Row("", "") for _ in range(blanks)]


def read_state(form: Mapping[str, str], skus: list[str], qtys: list[str]) -> SalesState:
    """The form as posted: trimmed texts and the non-blank line rows, in order."""
    values = {k: str(form.get(k, "")).strip()[:200] for k in TEXT_FIELDS}
    qtys = qtys + [""] * (len(skus) - len(qtys))
    rows = [
        Row(sku.strip()[:64], qty.strip()[:12])
        for sku, qty in zip(skus, qtys, strict=False)
        if sku.strip() or qty.strip()
    ]
    return SalesState(values, rows)


# --- searches ----------------------------------------------------------------------------


def find_customers(session: Session, text: str) -> list[CustomerView]:
    """Customers by number, e-mail, phone or the start of the name (indexed look-ups)."""
    if not text.strip():
        return []
    found, _more = list_customers(session, search=text, order="number", limit=SEARCH_LIMIT)
    return found


@dataclass(frozen=True)
class ProductHit:
    sku: str
    name: str
    price: str  # the customer's price for the quantity, or the list price
    price_note: str
    stock: list[tuple[str, int]]
    stocked: bool


def find_products(
    session: Session, text: str, customer: OrderingProfile | None, quantity: int, today: date
) -> list[ProductHit]:
    """Active products whose SKU or name starts with ``text`` (``uq`` on SKU and
    ``ix_products_name`` ranges), priced for the customer and ``quantity``."""
    term = text.strip()
    if not term or not matchable(term) or len(term) > 64:
        return []
    products = table_of(Product)
    starts = sorted({term, term.upper(), term.capitalize(), term.title()})
    query = (
        sa.select(
            products.c.sku,
            products.c.name,
            products.c.price,
            products.c.currency,
            products.c.stocked,
        )
        .where(
            products.c.status == ProductStatus.ACTIVE.value,
            sa.or_(
                *(
                    sa.and_(column >= start, column < start + "\uffff")
                    for start in starts
                    for column in (products.c.sku, products.c.name)
                )
            ),
        )
        .order_by(products.c.sku)
        .limit(SEARCH_LIMIT)
    )
    rows = session.execute(query).all()
    prices = {}
    if customer is not None and rows:
        prices = resolve_prices(
            session,
            quantities={r.sku: quantity for r in rows},
            customer_group=customer.customer_group,
            currency=customer.currency,
            on=today,
            tier_price_list=customer.tier_price_list,
        )
    stock = availability(session, [r.sku for r in rows if r.stocked])
    hits = []
    for r in rows:
        priced = prices.get(r.sku)
        if priced is not None and priced.unit_price is not None:
            price = f"{money_str(priced.unit_price, customer.currency if customer else None)}"
            price += f" {customer.currency if customer else ''}"
            note = "" if priced.price_source == "list_price" else "customer price"
        elif priced is not None:
            price, note = "", f"no {customer.currency if customer else ''} price"
        else:
            price, note = f"{money_str(r.price, r.currency)} {r.currency}", "list price"
        hits.append(ProductHit(r.sku, r.name, price, note, stock.get(r.sku, []), r.stocked))
    return hits


def add_line(state: SalesState, sku: str, qty_text: str) -> None:
    """Add ``sku`` (or more of it, if it already has a row); clear the product search."""
    qty = quantity_of(qty_text)
    for row in state.rows:
        if row.sku.upper() == sku.upper():
            row.qty = str(quantity_of(row.qty) + qty)
            break
    else:
        state.rows.append(Row(sku, str(qty)))
    state.values["product_q"], state.values["product_qty"] = "", ""


def customer_profile(
    db_session: Session, number: str, errors: dict[str, str]
) -> OrderingProfile | None:
    if not number:
        return None
    found = find_customer(db_session, number)
    if found is None:
        errors["customer"] = f"no customer {number!r}"
        return None
    try:
        return ordering_profile(db_session, found.id)
    except OmsError as exc:
        errors["customer"] = exc.detail
        return None


# --- errors next to their fields ---------------------------------------------------------

_CUSTOMER_FIELDS = {
    "name": "qc_name",
    "email": "qc_email",
    "phone": "qc_phone",
    "addresses.0.line1": "qc_line1",
    "addresses.0.postcode": "qc_postcode",
    "addresses.0.city": "qc_city",
    "addresses.0.country": "qc_country",
}


def customer_errors(exc: OmsError) -> dict[str, str]:
    """A refused quick-create's field errors keyed by the form's field names."""
    errors = {
        _CUSTOMER_FIELDS[f.field]: f.message for f in exc.fields if f.field in _CUSTOMER_FIELDS
    }
    return errors or {"qc_name": exc.detail}


def place_errors(exc: OmsError, state: SalesState, where: list[int]) -> str:
    """Put a refused quote or placement's messages on the rows they concern; what
    concerns no row is returned, for the message above the form."""
    placed_on_rows = False
    for f in exc.fields:
        parts = f.field.split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(where):
                state.rows[where[index]].error = f.message
                placed_on_rows = True
        elif f.field in ("external_ref",):
            state.errors[f.field] = f.message
    skus = {str(s) for s in exc.extra.get("skus", [])}
    skus |= {str(s["sku"]) for s in exc.extra.get("shortages", []) if isinstance(s, dict)}
    for short in exc.extra.get("shortages", []):
        for row in state.rows:
            if row.sku == short.get("sku"):
                row.error = f"only {short.get('available')} available"
                placed_on_rows = True
    for row in state.rows:
        if row.sku in skus and not row.error:
            row.error = exc.detail
            placed_on_rows = True
    return "" if placed_on_rows and exc.status == 422 else exc.detail


# --- placing once per form token ---------------------------------------------------------


def place_once(
    db: Database,
    *,
    actor: str,
    permissions: frozenset[Permission],
    client_id: str,
    token: str,
    check: Callable[[], None],
    work: Callable[[UnitOfWork], str],
) -> str:
    """Run ``check`` (it may refuse) and then ``work`` (it places the order and returns
    its number) at most once per form token, ``work`` in a unit of work carrying the
    user's permissions: the same token again answers the first order's number (stored
    with the order, in its transaction). A second submit arriving while the first still
    runs waits for it (ten seconds at most); a refused one frees the token."""
    fingerprint = idempotency.request_fingerprint("POST", FORM_PATH, {"form_token": token})
    outcome: idempotency.StoredResponse | idempotency.Claim | None = None
    deadline = time.monotonic() + 10
    while outcome is None:
        try:
            outcome = idempotency.claim(
                db,
                client_id=client_id,
                key=token,
                method="POST",
                path=FORM_PATH,
                fingerprint=fingerprint,
            )
        except IdempotencyKeyInFlight:
            if time.monotonic() > deadline:
                raise
            time.sleep(WAIT_STEP_MS / 1000)
    if isinstance(outcome, idempotency.StoredResponse):
        return str(outcome.body["number"])
    try:
        check()
        with db.unit_of_work(actor=actor, permissions=permissions) as uow:
            number = work(uow)
            idempotency.complete(uow, outcome, status=303, body={"number": number})
    except BaseException:
        idempotency.release(db, outcome)
        raise
    return number


def quantity_of(text: str) -> int:
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_QUANTITY else 1


def money(amount: Decimal, currency: str) -> str:
    return money_str(amount, currency)
