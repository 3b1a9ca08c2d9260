"""Catalog use cases: price lists and their items.

Each function takes the caller's unit of work and never commits. Input is checked in
full before anything changes, and every problem comes back in one ValidationFailed.
``ordersmith.catalog.services`` re-exports these use cases.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.errors import PriceListCodeExists, PriceListItemNotFound, PriceListNotFound
from ordersmith.catalog.events import (
    PriceListCreated,
    PriceListItemRemoved,
    PriceListItemSet,
    PriceListItemsReplaced,
)
from ordersmith.catalog.models import PriceList, PriceListItem, Product
from ordersmith.catalog.queries import PriceListView, matchable, price_list_filter, price_list_view
from ordersmith.db import table_of
from ordersmith.errors import OmsError
from ordersmith.ids import new_id
from ordersmith.uow import UnitOfWork
from ordersmith.validation import (
    Amount,
    FieldChecks,
    currency_code,
    group_code,
    identifier,
    optional,
    parse_amount,
    price_list_code,
    quantity,
    text,
)

MAX_ITEMS = 5000


@dataclass(frozen=True, slots=True)
class PriceItemInput:
    """One price: ``price`` per unit when ordering at least ``min_quantity`` units."""

    sku: str
    price: Amount
    min_quantity: int = 1


def _date(value: Any) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError("must be a date (YYYY-MM-DD)")
    return value


def _priority(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 1_000_000:
        raise ValueError("must be a whole number from -1000000 to 1000000")
    return value


def create_price_list(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    customer_group: str,
    currency: str | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    priority: int = 0,
    items: Sequence[PriceItemInput] = (),
) -> PriceListView:
    """Add a price list (dates inclusive, open-ended when null) with optional items.

    Raises ValidationFailed (including unknown SKUs) and PriceListCodeExists."""
    uow.authorize(Permission.CATALOG_WRITE)
    checks = FieldChecks()
    values = {
        "code": checks.run("code", price_list_code, code),
        "name": checks.run("name", text(200), name),
        "customer_group": checks.run("customer_group", group_code, customer_group),
        "currency": checks.run(
            "currency", currency_code, currency or uow.settings.default_currency
        ),
        "valid_from": checks.run("valid_from", optional(_date), valid_from),
        "valid_to": checks.run("valid_to", optional(_date), valid_to),
        "priority": checks.run("priority", _priority, priority),
    }
    start, end = values["valid_from"], values["valid_to"]
    if isinstance(start, date) and isinstance(end, date) and end < start:
        checks.fail("valid_to", "must not be before valid_from")
    session = uow.session
    rows = _check_items(checks, session, items)
    checks.raise_if_any("the price list is not valid")
    if session.scalar(sa.select(PriceList.id).where(PriceList.code == values["code"])):
        raise PriceListCodeExists(f"a price list with code {values['code']!r} already exists")
    price_list = PriceList(id=new_id(), created_at=clock.now(), **values)
    conflict = PriceListCodeExists(f"a price list with code {price_list.code!r} already exists")
    save_unique(session, lambda: session.add(price_list), {"code": conflict})
    _insert_items(session, price_list.id, rows)
    uow.record(
        PriceListCreated(
            aggregate_id=price_list.id,
            code=price_list.code,
            customer_group=price_list.customer_group,
            currency=price_list.currency,
            item_count=len(rows),
        )
    )
    return price_list_view(session, price_list)


def replace_price_list_items(
    uow: UnitOfWork, *, price_list: str | uuid.UUID, items: Sequence[PriceItemInput]
) -> PriceListView:
    """Replace all items of the price list with this id or code."""
    uow.authorize(Permission.CATALOG_WRITE)
    session = uow.session
    row = _lock_price_list(session, price_list)
    checks = FieldChecks()
    rows = _check_items(checks, session, items)
    checks.raise_if_any("the price list items are not valid")
    table = table_of(PriceListItem)
    session.execute(sa.delete(table).where(table.c.price_list_id == row.id))
    _insert_items(session, row.id, rows)
    uow.record(PriceListItemsReplaced(aggregate_id=row.id, code=row.code, item_count=len(rows)))
    return price_list_view(session, row)


def set_price_list_item(
    uow: UnitOfWork, *, price_list: str | uuid.UUID, item: PriceItemInput
) -> tuple[PriceListView, bool]:
    """Set one price: add it, or change the price of that SKU from that quantity. The
    list's other items stay as they are (two people setting different prices of one list
    at once both keep theirs). Returns the list and whether a price was replaced."""
    uow.authorize(Permission.CATALOG_WRITE)
    session = uow.session
    row = _lock_price_list(session, price_list)
    checks = FieldChecks()
    rows = _check_items(checks, session, [item], prefix=lambda _: "")
    checks.raise_if_any("the price is not valid")
    ((product_id, min_quantity, price),) = rows
    replaced = _delete_item(session, row.id, product_id, min_quantity)
    _insert_items(session, row.id, rows)
    uow.record(
        PriceListItemSet(
            aggregate_id=row.id,
            code=row.code,
            product_id=product_id,
            sku=item.sku.strip(),
            min_quantity=min_quantity,
            price=price,
            replaced=replaced,
        )
    )
    return price_list_view(session, row), replaced


def remove_price_list_item(
    uow: UnitOfWork, *, price_list: str | uuid.UUID, sku: str, min_quantity: int = 1
) -> PriceListView:
    """Remove one item (a SKU's price from ``min_quantity``); raises PriceListItemNotFound."""
    uow.authorize(Permission.CATALOG_WRITE)
    session = uow.session
    row = _lock_price_list(session, price_list)
    product_id = session.scalar(
        sa.select(Product.id).where(Product.sku == sku if matchable(sku) else sa.false())
    )
    if product_id is None or not _delete_item(session, row.id, product_id, min_quantity):
        raise PriceListItemNotFound(
            f"price list {row.code!r} has no price for {sku!r} from {min_quantity} units"
        )
    uow.record(
        PriceListItemRemoved(
            aggregate_id=row.id,
            code=row.code,
            product_id=product_id,
            sku=sku,
            min_quantity=min_quantity,
        )
    )
    return price_list_view(session, row)


def _delete_item(
    session: Session, price_list_id: uuid.UUID, product_id: uuid.UUID, min_quantity: int
) -> bool:
    """Delete the list's price of that product from that quantity; whether there was one."""
    table = table_of(PriceListItem)
    result = session.execute(
        sa.delete(table).where(
            table.c.price_list_id == price_list_id,
            table.c.product_id == product_id,
            table.c.min_quantity == min_quantity,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _lock_price_list(session: Session, ref: str | uuid.UUID) -> PriceList:
    row = session.scalars(
        sa.select(PriceList).where(price_list_filter(ref)).limit(1).with_for_update(key_share=True)
    ).first()
    if row is None:
        raise PriceListNotFound(f"no price list with id or code {str(ref)!r}")
    return row


def _check_items(
    checks: FieldChecks,
    session: Session,
    items: Sequence[PriceItemInput],
    *,
    prefix: Callable[[int], str] = lambda i: f"items.{i}.",
) -> list[tuple[uuid.UUID, int, Decimal]]:
    """Check items (SKUs must exist, one price per SKU and min_quantity); problems are
    named ``<prefix(i)>sku`` etc."""
    if len(items) > MAX_ITEMS:
        checks.fail("items", f"at most {MAX_ITEMS} items per request")
        return []
    parsed = [
        (
            checks.run(f"{prefix(i)}sku", identifier(64), item.sku),
            checks.run(f"{prefix(i)}price", parse_amount, item.price),
            checks.run(f"{prefix(i)}min_quantity", quantity, item.min_quantity),
        )
        for i, item in enumerate(items)
    ]
    skus = sorted({sku for sku, _, _ in parsed if sku is not None})
    ids: dict[str, uuid.UUID] = {}
    for start in range(0, len(skus), 500):
        chunk = skus[start : start + 500]
        query = sa.select(Product.sku, Product.id).where(Product.sku.in_(chunk))
        ids.update((sku, product_id) for sku, product_id in session.execute(query))
    rows: list[tuple[uuid.UUID, int, Decimal]] = []
    seen: dict[tuple[str, int], int] = {}
    for i, (sku, price, min_quantity) in enumerate(parsed):
        if sku is not None and sku not in ids:
            checks.fail(f"{prefix(i)}sku", f"no product with sku {sku!r}")
        if sku is None or price is None or min_quantity is None or sku not in ids:
            continue
        if (sku, min_quantity) in seen:
            checks.fail(
                f"{prefix(i)}min_quantity",
                f"item {seen[sku, min_quantity]} already prices {sku} from {min_quantity} units",
            )
            continue
        seen[sku, min_quantity] = i
        rows.append((ids[sku], min_quantity, price))
    return rows


def _insert_items(
    session: Session, price_list_id: uuid.UUID, rows: list[tuple[uuid.UUID, int, Decimal]]
) -> None:
    if rows:
        session.execute(
            sa.insert(table_of(PriceListItem)),
            [
                {"price_list_id": price_list_id, "product_id": pid, "min_quantity": q, "price": p}
                for pid, q, p in rows
            ],
        )


def save_unique(
    session: Session, change: Callable[[], None], conflicts: dict[str, OmsError]
) -> None:
    """Apply and flush a change in a savepoint, turning a lost uniqueness race into a 409
    (products use it too).

    ``conflicts`` maps a unique column to the error to raise when it is violated."""
    try:
        with session.begin_nested():
            change()
            session.flush()
    except IntegrityError as exc:
        diag = getattr(exc.orig, "diag", None)  # PostgreSQL names the constraint
        violated = getattr(diag, "constraint_name", None) or str(exc.orig)
        for column, error in conflicts.items():
            if violated.endswith(("_" + column, "." + column)):
                raise error from exc
        raise
