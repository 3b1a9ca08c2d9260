"""Placing an order: validate, price, check for duplicates, reserve, write — set-based.

The statement count is constant whatever the number of lines. On PostgreSQL: customer
profile with the twin lock (1), prices with the duplicate check (1, ADR 0037),
warehouse codes (0-1), stock read+lock (1), conditional reservation update with its
ledger rows (1), and the order with its lines, reservations, history and outbox events
(1). The reads run at the driver level (``ordersmith.hot_reads``). On SQLite, whose
statements run in-process, the ledger rows and each of the order's tables are a
statement of their own. No per-object ORM flush loop.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.pricing import PricedProduct
from ordersmith.config import BackorderPolicy
from ordersmith.customers.models import AccountType
from ordersmith.customers.profile import OrderingProfile, ordering_profile
from ordersmith.db import core, insert_together, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory.candidates import StockRow
from ordersmith.inventory.ledger import in_key_order
from ordersmith.inventory.planning import Demand
from ordersmith.inventory.queries import warehouse_ids
from ordersmith.inventory.reservations import Reservation, reserve
from ordersmith.orders.duplicates import twin_lock
from ordersmith.orders.errors import DuplicateExternalRef
from ordersmith.orders.events import OrderDrafted, OrderHeld, OrderPlaced
from ordersmith.orders.lines import line_row, line_views, price_line
from ordersmith.orders.models import Order, OrderHistory, OrderLine, OrderReservation
from ordersmith.orders.payment_holds import hold_for_payment_or_credit
from ordersmith.orders.placement_reads import PlacementRead, placement_read, price_request
from ordersmith.orders.queries import order_view
from ordersmith.orders.requests import LineRequest, PlaceOrder, lines_fingerprint, validate
from ordersmith.orders.status import HoldReason, OrderStatus
from ordersmith.orders.totals import LineAmounts, OrderTotals, order_totals
from ordersmith.orders.views import OrderLineView, OrderView
from ordersmith.outbox.models import OutboxEvent
from ordersmith.uow import UnitOfWork
from ordersmith.validation import MAX_AMOUNT

ZERO = Decimal(0)

__all__ = [
    "LineRequest",
    "PlaceOrder",
    "Prepared",
    "lines_fingerprint",
    "place_order",
    "prepare",
    "price_amounts",
    "price_request",
    "validate",
    "write_children",
]


@dataclass(frozen=True, slots=True)
class Prepared:
    """An order priced, checked and (unless a draft) reserved: ready to be written."""

    row: dict[str, Any]
    lines: list[OrderLineView]
    reservation: Reservation
    history: list[dict[str, Any]]
    view: OrderView


def place_order(uow: UnitOfWork, request: PlaceOrder) -> OrderView:
    """Capture an order from any channel: placed (stock reserved) or draft."""
    uow.authorize(Permission.ORDERS_CREATE)
    validate(request)
    now = clock.now()
    series = f"{uow.settings.order_number_prefix}-{now.year}"
    number = f"{series}-{uow.next_number(series):06d}"
    prepared = prepare(uow, request, order_id=new_id(), number=number, created_at=now)
    try:  # the order, its children and its events: one statement on PostgreSQL
        insert_together(
            core(uow.session),
            [
                (table_of(Order), [prepared.row]),
                *children(prepared),
                (table_of(OutboxEvent), uow.take_outbox_rows()),
            ],
            rider=prepared.reservation.rider,  # the stock posting (PostgreSQL)
        )
    except IntegrityError as exc:
        if request.external_ref is not None and "external_ref" in str(exc.orig):
            raise DuplicateExternalRef(
                f"channel {request.channel.value} already has an order with external_ref "
                f"{request.external_ref!r}",
                extra={"channel": request.channel.value, "external_ref": request.external_ref},
            ) from exc
        raise
    return prepared.view


def write_children(uow: UnitOfWork, prepared: Prepared) -> None:
    """Insert the lines, open reservations and history rows of a prepared order, with
    its stock posting on PostgreSQL (``prepare`` leaves it to the write)."""
    insert_together(core(uow.session), children(prepared), rider=prepared.reservation.rider)


def children(prepared: Prepared) -> list[tuple[sa.Table, list[dict[str, Any]]]]:
    """The rows of a prepared order's lines, open reservations and history, by table."""
    order_id, created_at = prepared.row["id"], prepared.row["created_at"]
    return [
        (
            table_of(OrderLine),
            [
                {"order_id": order_id, "order_created_at": created_at, **line_row(v)}
                for v in prepared.lines
            ],
        ),
        (
            table_of(OrderReservation),
            [
                {"order_id": order_id, "warehouse_id": w, "product_id": p, "quantity": q}
                for (w, p), q in in_key_order(prepared.reservation.taken)
            ],
        ),
        (table_of(OrderHistory), prepared.history),
    ]


def prepare(
    uow: UnitOfWork,
    request: PlaceOrder,
    *,
    order_id: uuid.UUID,
    number: str,
    created_at: datetime,
) -> Prepared:
    """Price, check, detect duplicates and reserve (the database work before writing).

    On PostgreSQL the reservation's stock rows are locked but their posting is left to
    the write that follows (``Reservation.rider``; ``place_order``, ``write_children``)."""
    session, now = uow.session, clock.now()
    fingerprint = lines_fingerprint(request.lines)
    lock = None if request.draft else twin_lock(uow, request.customer_id, fingerprint)
    customer = ordering_profile(session, request.customer_id, advisory_lock=lock)
    currency = customer.currency
    if request.draft:
        read = PlacementRead(price_request(session, request, customer, now.date()), None)
    else:  # one statement; the twin lock is held (taken with the profile)
        read = placement_read(uow, request, customer, fingerprint, now.date())
    prices, duplicate_of = read.prices, read.duplicate_of
    warehouses = _pinned_warehouses(uow, request.lines, read.warehouses)
    policy = request.backorder_policy or uow.settings.backorder_policy
    reservation = Reservation()
    if not request.draft:
        reservation = _reserve(uow, request, prices, warehouses, policy, number, read.locked)
    amounts, totals = price_amounts(request, prices, currency)
    status = OrderStatus.DRAFT if request.draft else OrderStatus.PLACED
    hold_reason = None
    if duplicate_of is not None:
        status, hold_reason = OrderStatus.ON_HOLD, HoldReason.SUSPECTED_DUPLICATE
    elif not request.draft:
        hold_reason = _payment_or_credit_hold(uow, customer, totals.total)
        status = OrderStatus.ON_HOLD if hold_reason else status
    row: dict[str, Any] = {
        "id": order_id,
        "number": number,
        "channel": request.channel.value,
        "external_ref": request.external_ref,
        "customer_id": customer.id,
        "status": status.value,
        "hold_reason": hold_reason.value if hold_reason else None,
        "held_from": OrderStatus.PLACED.value if hold_reason else None,
        "backorder_policy": policy.value,
        "ship_policy": (request.ship_policy or uow.settings.default_ship_policy).value,
        "fulfilment_status": "unfulfilled",
        "promised_dispatch_date": None,
        "promised_delivery_date": None,
        "currency": currency,
        "billing_address": request.billing_address or customer.billing_address,
        "shipping_address": request.shipping_address or customer.shipping_address,
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "tax_total": totals.tax_total,
        "shipping_total": totals.shipping_total,
        "total": totals.total,
        "units": totals.units,
        "requested_delivery_date": request.requested_delivery_date,
        "notes": request.notes,
        "lines_fingerprint": fingerprint,
        "duplicate_of_id": duplicate_of,
        "created_by": uow.actor,
        "created_at": created_at,
        "updated_at": now,
    }
    lines = line_views(request, prices, amounts, warehouses, reservation)
    view = order_view(row, lines)
    history = _record(uow, request, view, duplicate_of, now)
    uow.record(*reservation.events, *reservation.shortage_events)
    return Prepared(row, lines, reservation, history, view)


def price_amounts(
    request: PlaceOrder, prices: dict[str, PricedProduct], currency: str
) -> tuple[list[LineAmounts], OrderTotals]:
    """Each line's amounts and the order's totals (the rules of ordersmith.orders.totals),
    refusing an order too large to be stored."""
    amounts = [
        price_line(line, prices[line.sku], currency, i) for i, line in enumerate(request.lines)
    ]
    totals = order_totals(amounts, request.shipping_amount, currency)
    if totals.subtotal + totals.tax_total + totals.shipping_total > MAX_AMOUNT:
        raise ValidationFailed(
            f"the order's total would exceed {MAX_AMOUNT} {currency}; split it",
            code="amount_too_large",
            fields=[FieldError("lines", "the order is too large to be stored")],
        )
    return amounts, totals


def _record(
    uow: UnitOfWork,
    request: PlaceOrder,
    view: OrderView,
    duplicate_of: uuid.UUID | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """The order's first history rows, and its events (placed or drafted; held)."""
    first_status = OrderStatus.DRAFT if request.draft else OrderStatus.PLACED
    history = [
        _history(
            view.id,
            now,
            uow.actor,
            "draft" if request.draft else "place",
            None,
            first_status,
            "",
            {"channel": request.channel.value, **request.details},
        )
    ]
    if request.draft:
        uow.record(
            OrderDrafted(
                aggregate_id=view.id,
                number=view.number,
                customer_id=view.customer_id,
                channel=view.channel,
            )
        )
        return history
    uow.record(
        OrderPlaced(
            aggregate_id=view.id,
            number=view.number,
            customer_id=view.customer_id,
            channel=view.channel,
            status=view.status,
            total=str(view.total),
            currency=view.currency,
            backordered=view.backordered,
        )
    )
    if view.hold_reason is not None:
        reason = view.hold_reason
        note, details = _HOLD_NOTES.get(reason, ""), {}
        if duplicate_of is not None:
            note, details = (
                f"same lines as order {duplicate_of}",
                {"duplicate_of": str(duplicate_of)},
            )
        history.append(
            _history(
                view.id,
                now,
                "system",
                "hold",
                OrderStatus.PLACED,
                OrderStatus.ON_HOLD,
                reason,
                details | ({"note": note} if note else {}),
            )
        )
        uow.record(OrderHeld(aggregate_id=view.id, number=view.number, reason=reason, note=note))
    return history


_HOLD_NOTES = {
    HoldReason.AWAITING_PAYMENT.value: "a cash sale: released when paid",
    HoldReason.CREDIT.value: "over the credit limit: for credit control",
}


def _payment_or_credit_hold(
    uow: UnitOfWork, customer: OrderingProfile, total: Decimal
) -> HoldReason | None:
    """Cash sales wait for payment; account orders over the credit limit wait for
    credit control (ordersmith.orders.payment_holds)."""
    receivables = ZERO
    if customer.account_type is AccountType.ACCOUNT and customer.credit_limit is not None:
        from ordersmith.billing.exposure import open_receivables  # billing builds on orders

        receivables = open_receivables(uow.session, customer.id)
    return hold_for_payment_or_credit(
        uow.session,
        customer,
        total,
        require_payment=uow.settings.cash_orders_require_payment,
        receivables=receivables,
    )


def _history(
    order_id: uuid.UUID,
    at: datetime,
    actor: str,
    action: str,
    from_status: OrderStatus | None,
    to_status: OrderStatus,
    reason: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "order_id": order_id,
        "at": at,
        "actor": actor,
        "action": action,
        "from_status": from_status.value if from_status else None,
        "to_status": to_status.value,
        "reason": reason,
        "details": details,
    }


def _pinned_warehouses(
    uow: UnitOfWork, lines: Sequence[LineRequest], found: dict[str, uuid.UUID] | None
) -> dict[str, uuid.UUID]:
    """The ids of the warehouses the lines pin, by code as given (any case): ``found``
    when the placement read brought them, else read; unknown_warehouse if one is
    unknown or inactive."""
    codes = sorted({line.warehouse for line in lines if line.warehouse})
    if not codes:
        return {}
    if found is None:
        found = warehouse_ids(uow.session, codes)
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(
            f"unknown or inactive warehouse: {', '.join(missing)}",
            code="unknown_warehouse",
            fields=[
                FieldError(f"lines.{i}.warehouse", "unknown warehouse")
                for i, line in enumerate(lines)
                if line.warehouse in missing
            ],
        )
    return found


def _reserve(
    uow: UnitOfWork,
    request: PlaceOrder,
    prices: dict[str, PricedProduct],
    warehouses: dict[str, uuid.UUID],
    policy: BackorderPolicy,
    number: str,
    locked: list[StockRow] | None,
) -> Reservation:
    demands = [
        Demand(
            prices[line.sku].product_id,
            line.quantity,
            warehouses[line.warehouse] if line.warehouse else None,
        )
        for line in request.lines
        if prices[line.sku].stocked
    ]
    labels = {p.product_id: p.sku for p in prices.values()}
    reservation = reserve(
        uow,
        demands=demands,
        allow_partial=policy is BackorderPolicy.BACKORDER,
        source_type="order",
        source_id=number,
        labels=labels,
        carry=True,  # the order's insert runs the posting (place_order)
        locked=locked,  # PostgreSQL: read and locked with the prices
    )
    if reservation.short and policy is BackorderPolicy.REJECT:
        uow.record_even_if_failed(*reservation.shortage_events)
        sku_of = {p.product_id: p.sku for p in prices.values()}
        raise reservation.shortage_error(demands, sku_of)
    return reservation
