"""Importing historical orders from a previous system, set-based.

Historical orders are history, not demand on today's stock: they arrive ``completed``
(or ``cancelled``), reserve nothing and move no stock (today's stock is the opening
balance). The caller gives the unit prices and tax rates charged then; the service
recomputes every amount with ``orders.totals`` (an expected ``total`` that disagrees
is refused). Per call, whatever the count: a few reads, two statements per order year
for a block of numbers from the series ``SO-<year>-H`` (``SO-2025-H000123``, which
live numbering never produces), one bulk INSERT each for orders, lines and "imported"
history rows, and one summary ``OrderHistoryImported`` event. ``(channel,
external_ref)`` is unique: importing the same references again fails with
``duplicate_external_ref`` and writes nothing. The limits of one call and the rules the
input must satisfy are in ``orders.history_import_rules``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.catalog.queries import ProductView, get_products_by_sku
from ordersmith.customers.models import Customer, CustomerAddress
from ordersmith.db import insert_ignoring_conflicts, table_of
from ordersmith.errors import FieldError
from ordersmith.events import DomainEvent
from ordersmith.ids import new_id
from ordersmith.money import ZERO
from ordersmith.numbering import NumberSeries
from ordersmith.orders.errors import DuplicateExternalRef
from ordersmith.orders.history_import_rules import (
    MAX_ERRORS,
    raise_if,
    reference_errors,
    shape_errors,
)
from ordersmith.orders.models import Channel, Order, OrderHistory, OrderLine
from ordersmith.orders.placement import LineRequest, lines_fingerprint
from ordersmith.orders.status import OrderStatus
from ordersmith.orders.totals import LineAmounts, OrderTotals, line_amounts, order_totals
from ordersmith.uow import UnitOfWork
from ordersmith.validation import MAX_AMOUNT


@dataclass(frozen=True, slots=True)
class HistoricalLine:
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = ZERO
    tax_rate: Decimal | None = None  # None: the product's current rate
    price_source: str = "import"


@dataclass(frozen=True, slots=True)
class HistoricalOrder:
    customer_id: uuid.UUID
    channel: Channel
    external_ref: str  # the previous system's reference; unique per channel
    created_at: datetime
    status: OrderStatus  # completed or cancelled
    lines: Sequence[HistoricalLine]
    shipping_amount: Decimal = ZERO
    currency: str | None = None  # None: the customer's currency
    billing_address: dict[str, Any] | None = None  # None: the customer's default
    shipping_address: dict[str, Any] | None = None
    notes: str = ""
    total: Decimal | None = None  # if given, must equal the recomputed total


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderHistoryImported(DomainEvent):
    """One event per import call (not per order): ``aggregate_id`` names the batch."""

    aggregate_type: ClassVar[str] = "order_import"
    count: int
    cancelled: int
    first_created_at: datetime
    last_created_at: datetime


@dataclass(frozen=True, slots=True)
class _CustomerInfo:
    currency: str
    billing: dict[str, Any]
    shipping: dict[str, Any]


@dataclass
class _Rows:
    at: datetime = field(default_factory=clock.now)
    orders: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


def import_historical_orders(uow: UnitOfWork, orders: Sequence[HistoricalOrder]) -> int:
    """Write ``orders`` as completed/cancelled history in the caller's transaction.

    Raises ValidationFailed (listing the problems) or DuplicateExternalRef; either way
    nothing is written. Returns the number of orders imported."""
    if not orders:
        return 0
    raise_if(shape_errors(orders))
    session = uow.session
    products = get_products_by_sku(session, {ln.sku for o in orders for ln in o.lines})
    customers = _customers(session, {o.customer_id for o in orders})
    raise_if(reference_errors(orders, products, customers))
    _check_unique_refs(session, orders)
    rows, errors = _Rows(), []
    for i, (order, number) in enumerate(zip(orders, _numbers(uow, orders), strict=True)):
        customer = customers[order.customer_id]
        totals = _add_rows(uow, rows, order, number, products, customer)
        if order.total is not None and order.total != totals.total:
            errors.append(FieldError(f"orders.{i}.total", f"lines add up to {totals.total}"))
        if totals.total > MAX_AMOUNT:
            errors.append(FieldError(f"orders.{i}.total", f"exceeds {MAX_AMOUNT}"))
    raise_if(errors)
    _insert(session, rows)
    created = [o.created_at for o in orders]
    uow.record(
        OrderHistoryImported(
            aggregate_id=new_id(),
            count=len(orders),
            cancelled=sum(o.status == OrderStatus.CANCELLED for o in orders),
            first_created_at=min(created),
            last_created_at=max(created),
        )
    )
    return len(orders)


def _add_rows(
    uow: UnitOfWork,
    rows: _Rows,
    order: HistoricalOrder,
    number: str,
    products: dict[str, ProductView],
    customer: _CustomerInfo,
) -> OrderTotals:
    """Append the order's row, its line rows and its history row; return its totals."""
    currency = order.currency or customer.currency
    channel, status = Channel(order.channel).value, OrderStatus(order.status).value
    order_id = new_id()
    amounts = []
    for n, line in enumerate(order.lines, start=1):
        product = products[line.sku]
        rate = product.tax_rate if line.tax_rate is None else line.tax_rate
        amount = line_amounts(line.quantity, line.unit_price, line.discount, rate, currency)
        amounts.append(amount)
        rows.lines.append(
            _line_row(
                order_id,
                n,
                line,
                product,
                rate,
                amount,
                delivered=order.status == "completed",
                order_created_at=order.created_at,
            )
        )
    totals = order_totals(amounts, order.shipping_amount, currency)
    fingerprint = lines_fingerprint([LineRequest(ln.sku, ln.quantity) for ln in order.lines])
    rows.orders.append(
        {
            "id": order_id,
            "number": number,
            "channel": channel,
            "external_ref": order.external_ref,
            "customer_id": order.customer_id,
            "status": status,
            "hold_reason": None,
            "held_from": None,
            "backorder_policy": uow.settings.backorder_policy.value,
            "ship_policy": uow.settings.default_ship_policy.value,
            "fulfilment_status": "delivered" if status == "completed" else "unfulfilled",
            "promised_dispatch_date": None,
            "promised_delivery_date": None,
            "currency": currency,
            "billing_address": order.billing_address or customer.billing or customer.shipping,
            "shipping_address": order.shipping_address or customer.shipping or customer.billing,
            **dataclasses.asdict(totals),
            "requested_delivery_date": None,
            "notes": order.notes,
            "lines_fingerprint": fingerprint,
            "duplicate_of_id": None,
            "created_by": uow.actor,
            "created_at": order.created_at,
            "updated_at": order.created_at,
        }
    )
    rows.history.append(
        {
            "id": new_id(),
            "order_id": order_id,
            "at": rows.at,
            "actor": uow.actor,
            "action": "imported",
            "from_status": None,
            "to_status": status,
            "reason": "",
            "details": {"channel": channel, "external_ref": order.external_ref},
        }
    )
    return totals


def _customers(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, _CustomerInfo]:
    """Currency and default addresses of many customers in one statement."""
    customers, addresses = table_of(Customer), table_of(CustomerAddress)
    fields = ("name", "line1", "line2", "city", "region", "postcode", "country")
    rows = session.execute(
        sa.select(
            customers.c.id,
            customers.c.name.label("customer_name"),
            customers.c.currency,
            addresses.c.kind,
            *(addresses.c[f] for f in fields),
        )
        .outerjoin(
            addresses,
            sa.and_(addresses.c.customer_id == customers.c.id, addresses.c.is_default.is_(True)),
        )
        .where(customers.c.id.in_(sorted(ids)))  # at most MAX_ORDERS ids
    ).all()
    found: dict[uuid.UUID, _CustomerInfo] = {}
    for row in rows:
        info = found.setdefault(row.id, _CustomerInfo(row.currency, {}, {}))
        if row.kind is not None:
            address = {f: getattr(row, f) for f in fields}
            address["name"] = address["name"] or row.customer_name
            target = info.billing if str(row.kind) == "billing" else info.shipping
            target.update(address)
    return found


def _check_unique_refs(session: Session, orders: Sequence[HistoricalOrder]) -> None:
    """Refuse references repeated in the input or already on file for the channel."""
    by_channel: dict[Channel, Counter[str]] = {}
    for o in orders:
        by_channel.setdefault(Channel(o.channel), Counter())[o.external_ref] += 1
    table = table_of(Order)
    for channel, counts in sorted(by_channel.items()):
        repeated = [ref for ref, n in counts.items() if n > 1]
        existing = session.scalars(
            sa.select(table.c.external_ref).where(
                table.c.channel == channel.value, table.c.external_ref.in_(sorted(counts))
            )
        ).all()
        clashes = sorted(set(repeated) | set(existing))
        if clashes:
            raise DuplicateExternalRef(
                f"channel {channel.value} already has (or the import repeats) "
                f"{len(clashes)} external_ref(s), e.g. {clashes[0]!r}; nothing was imported",
                extra={"channel": channel.value, "external_refs": clashes[:MAX_ERRORS]},
            )


def _numbers(uow: UnitOfWork, orders: Sequence[HistoricalOrder]) -> list[str]:
    """``<prefix>-<year>-H<nnnnnn>`` numbers, a block per year taken in this transaction."""
    prefix = uow.settings.order_number_prefix
    per_year = Counter(o.created_at.year for o in orders)
    next_of = {
        year: _take_block(uow.session, f"{prefix}-{year}-H", n)
        for year, n in sorted(per_year.items())
    }
    numbers = []
    for o in orders:
        year = o.created_at.year
        numbers.append(f"{prefix}-{year}-H{next_of[year]:06d}")
        next_of[year] += 1
    return numbers


def _take_block(session: Session, series: str, count: int) -> int:
    """First of ``count`` numbers of ``series``; the counter row stays locked until commit."""
    table = table_of(NumberSeries)
    insert_ignoring_conflicts(session, table, {"name": series, "next_value": 1})
    start = session.execute(
        sa.update(table)
        .where(table.c.name == series)
        .values(next_value=table.c.next_value + count)
        .returning(table.c.next_value - count)
    ).scalar_one()
    return int(start)


def _line_row(
    order_id: uuid.UUID,
    line_no: int,
    line: HistoricalLine,
    product: ProductView,
    rate: Decimal,
    amount: LineAmounts,
    *,
    delivered: bool,
    order_created_at: datetime,
) -> dict[str, Any]:
    """A historical line: a completed order's goods were shipped and delivered."""
    return {
        "id": new_id(),
        "order_id": order_id,
        "order_created_at": order_created_at,
        "line_no": line_no,
        "product_id": product.id,
        "sku": product.sku,
        "name": product.name,
        "quantity": line.quantity,
        "reserved_quantity": 0,
        "backordered_quantity": 0,
        "shipped_quantity": line.quantity if delivered else 0,
        "delivered_quantity": line.quantity if delivered else 0,
        "backorder_expected_date": None,
        "warehouse_id": None,
        "unit_price": line.unit_price,
        "discount": amount.discount,
        "tax_rate": rate,
        "net_amount": amount.net,
        "tax_amount": amount.tax,
        "price_source": line.price_source,
    }


def _insert(session: Session, rows: _Rows) -> None:
    try:
        session.execute(sa.insert(table_of(Order)), rows.orders)
    except IntegrityError as exc:  # a concurrent import took a reference after our check
        if "external_ref" in str(exc.orig):
            raise DuplicateExternalRef(
                "another import took one of these external references; nothing was imported"
            ) from exc
        raise
    session.execute(sa.insert(table_of(OrderLine)), rows.lines)
    session.execute(sa.insert(table_of(OrderHistory)), rows.history)
