"""Changing an order after it was placed: one atomic change set per request (ADR 0020).

Locks (ADR 0013 lock order): the order, its allocations not on a pick list yet (so no
wave takes them between the picked check and the change), then its SKUs' stock rows (in
(warehouse, product) order); counters and the journal are not touched. Rules:

- open orders only (placed, confirmed, on hold); a completed or cancelled one is an
  ``invalid_transition``; an on-hold order whose stock is allocated must be released
  first (``order_on_hold``);
- once any unit is on a started pick list (or further), only the shipping address and
  notes may change (``order_picking_started``, naming the lines); a fully shipped
  order's address cannot change either;
- an invoiced or paid order keeps its lines (``order_already_billed``): correct it with
  a credit note; its address, date and notes may change;
- ``expected_version`` guards against lost updates (``order_version_conflict``).

Line changes re-reserve the stock (ordersmith.orders.rereserve), re-price under the one
rule (ordersmith.orders.change_rules), recompute the totals, and a confirmed order is
allocated again. Every change bumps the version and is recorded with who and why
(ordersmith.orders.change_log), and the customer is emailed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.catalog.pricing import resolve_prices
from ordersmith.config import BackorderPolicy
from ordersmith.customers.profile import ordering_profile
from ordersmith.db import insert_rows, table_of
from ordersmith.errors import FieldError, InvalidTransition, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory.ledger import Key
from ordersmith.orders.change_log import record_change
from ordersmith.orders.change_rules import (
    AFTER_PICKING,
    ChangeKind,
    ChangeOrder,
    check_version,
    rescale,
    snapshot,
    validate_change,
)
from ordersmith.orders.errors import OrderAlreadyBilled, OrderPickingStarted
from ordersmith.orders.lines import check_orderable, price_line
from ordersmith.orders.locking import lock_order
from ordersmith.orders.models import Order, OrderLine
from ordersmith.orders.queries import get_order
from ordersmith.orders.requests import LineRequest, lines_fingerprint, sku_quantities
from ordersmith.orders.rereserve import LineTarget, rebalance
from ordersmith.orders.status import RESERVING_STATUSES, OrderStatus
from ordersmith.orders.totals import LineAmounts, order_totals
from ordersmith.orders.views import OrderView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import MAX_AMOUNT

__all__ = [
    "ChangeOrder",
    "change_order",
    "guard_lines",
    "line_rows",
    "order_values",
    "rewrite_lines",
    "stocked_products",
]


def change_order(uow: UnitOfWork, *, order_id: uuid.UUID, request: ChangeOrder) -> OrderView:
    uow.authorize(Permission.ORDERS_CHANGE)
    request = validate_change(request)
    order = lock_order(uow, order_id)
    check_version(order["number"], order["version"], request.expected_version)
    kinds = request.kinds
    check_open(order)
    if any(k not in AFTER_PICKING for k in kinds):
        refuse_if_picked(uow, [order], kinds)
    if ChangeKind.ADDRESS in kinds and order["fulfilment_status"] in ("shipped", "delivered"):
        raise InvalidTransition(
            f"order {order['number']} has shipped in full: its address can no longer change",
            code="order_already_shipped",
        )
    lines = line_rows(uow, order_id)
    before = snapshot(order, lines)
    values: dict[str, Any] = {}
    summary: list[str] = []
    if ChangeKind.LINES in kinds:
        guard_lines(uow, order)
        targets = _new_lines(uow, order, lines, request, summary)
        values.update(rewrite_lines(uow, order, lines, targets))
    if request.shipping_address is not None:
        values["shipping_address"] = request.shipping_address
        summary.append("new delivery address")
    if request.requested_delivery_date is not None:
        values["requested_delivery_date"] = request.requested_delivery_date
        if order["promised_delivery_date"] is not None:
            values["promised_delivery_date"] = max(
                order["promised_delivery_date"], request.requested_delivery_date
            )
        summary.append(f"delivery date {request.requested_delivery_date.isoformat()}")
    if request.notes is not None:
        values["notes"] = request.notes
        summary.append("notes updated")
    orders = table_of(Order)
    uow.session.execute(sa.update(orders).where(orders.c.id == order_id).values(**values))
    after_row = lock_order(uow, order_id)
    record_change(
        uow,
        order_id=order_id,
        kinds=kinds,
        summary="; ".join(summary),
        reason=request.reason,
        before=before,
        after=snapshot(after_row, line_rows(uow, order_id)) | {"order_id": str(order_id)},
    )
    if ChangeKind.LINES in kinds:
        reallocate_if_confirmed(uow, order)
    return get_order(uow.session, str(order_id))


def check_open(order: Any) -> None:
    if OrderStatus(order["status"]) not in RESERVING_STATUSES:
        raise InvalidTransition(
            f"cannot change an order that is {order['status']}",
            extra={"current_status": str(order["status"]), "action": "change"},
        )


def refuse_if_picked(uow: UnitOfWork, orders: Sequence[Any], kinds: Sequence[str]) -> None:
    from ordersmith.fulfillment.rework import (  # fulfilment builds on orders
        lock_allocations,
        picked_units,
    )

    ids = [o["id"] for o in orders]
    lock_allocations(uow, ids)  # the order, then its allocations (ADR 0020)
    picked = picked_units(uow, ids)
    if picked:
        listing = ", ".join(f"{p['order']} line {p['line_no']} ({p['sku']})" for p in picked)
        raise OrderPickingStarted(
            f"picking has started for {listing}: only the shipping address and notes "
            f"may change now, not {', '.join(str(k) for k in kinds if k not in AFTER_PICKING)}",
            extra={"picked": picked},
        )


def guard_lines(uow: UnitOfWork, order: Any) -> None:
    """Lines of a billed order stay; a held order's allocated stock waits for release."""
    from ordersmith.billing.models import Invoice, InvoiceLine, Payment  # billing builds on us
    from ordersmith.fulfillment.rework import open_allocation_count

    invoices, invoice_lines, payments = (
        table_of(Invoice),
        table_of(InvoiceLine),
        table_of(Payment),
    )
    billed = uow.session.scalar(
        sa.select(
            sa.or_(
                sa.exists().where(invoices.c.order_id == order["id"]),
                sa.exists().where(invoice_lines.c.order_id == order["id"]),
                sa.exists().where(payments.c.order_id == order["id"]),
            )
        )
    )
    if billed:
        raise OrderAlreadyBilled(
            f"order {order['number']} is invoiced or paid: its lines cannot change; "
            "issue a credit note or cancel and re-order",
        )
    if order["status"] == OrderStatus.ON_HOLD and open_allocation_count(uow, order["id"]):
        raise InvalidTransition(
            f"order {order['number']} is on hold with stock allocated: release it first",
            code="order_on_hold",
        )


def reallocate_if_confirmed(uow: UnitOfWork, order: Any) -> None:
    if order["status"] == OrderStatus.CONFIRMED:
        from ordersmith.fulfillment.rework import reallocate

        reallocate(uow, order["id"])


def line_rows(uow: UnitOfWork, order_id: uuid.UUID) -> list[Any]:
    lines = table_of(OrderLine)
    return list(
        uow.session.execute(
            sa.select(lines).where(lines.c.order_id == order_id).order_by(lines.c.line_no)
        ).mappings()
    )


def _new_lines(
    uow: UnitOfWork,
    order: Any,
    lines: list[Any],
    request: ChangeOrder,
    summary: list[str],
) -> list[dict[str, Any]]:
    """Every line after the change (kept, re-quantified, cancelled at 0, added), as
    order_lines rows plus ``_amounts`` and ``_old`` (its open quantity before)."""
    by_no = {line["line_no"]: line for line in lines}
    quantities = dict(request.quantities)  # validated: one quantity per line
    unknown = sorted(
        n
        for n in [*quantities, *request.cancel_lines]
        if n not in by_no or by_no[n]["quantity"] == 0
    )
    if unknown:
        raise ValidationFailed(
            f"order {order['number']} has no open line {', '.join(map(str, unknown))}",
            code="unknown_line",
            fields=[FieldError("lines", f"no open line {n}") for n in unknown],
        )
    currency = order["currency"]
    targets = []
    for line in lines:
        quantity = int(line["quantity"])
        new = quantities.get(line["line_no"], quantity)
        if line["line_no"] in request.cancel_lines:
            new = 0
            summary.append(f"line {line['line_no']} ({line['sku']}) cancelled")
        elif new != quantity:
            summary.append(f"line {line['line_no']} ({line['sku']}) {quantity} → {new}")
        targets.append({**line, "quantity": new, "_amounts": rescale(line, new, currency)})
    targets += _added(uow, order, request.add_lines, len(lines), summary)
    if not any(t["quantity"] for t in targets):
        raise ValidationFailed(
            "an order needs at least one line: cancel the order instead",
            code="order_needs_a_line",
            fields=[FieldError("cancel_lines", "would cancel every line")],
        )
    return targets


def _added(
    uow: UnitOfWork,
    order: Any,
    add: Sequence[LineRequest],
    existing: int,
    summary: list[str],
) -> list[dict[str, Any]]:
    if not add:
        return []
    customer = ordering_profile(uow.session, order["customer_id"])
    prices = resolve_prices(
        uow.session,
        quantities=sku_quantities(add),
        customer_group=customer.customer_group,
        currency=order["currency"],
        on=clock.now().date(),
        tier_price_list=customer.tier_price_list,
    )
    check_orderable(add, prices, order["currency"])
    rows = []
    for i, line in enumerate(add):
        if line.warehouse:
            raise ValidationFailed(
                "added lines are reserved from any warehouse",
                fields=[FieldError(f"add_lines.{i}.warehouse", "not supported on a change")],
            )
        priced = prices[line.sku]
        amounts = price_line(line, priced, order["currency"], i)
        summary.append(f"added {line.quantity} x {priced.sku}")
        rows.append(
            {
                "id": new_id(),
                "order_id": order["id"],
                "order_created_at": order["created_at"],
                "line_no": existing + i + 1,
                "product_id": priced.product_id,
                "sku": priced.sku,
                "name": priced.name,
                "quantity": line.quantity,
                "reserved_quantity": 0,
                "backordered_quantity": 0,
                "shipped_quantity": 0,
                "delivered_quantity": 0,
                "backorder_expected_date": None,
                "warehouse_id": None,
                "unit_price": priced.unit_price,
                "discount": amounts.discount,
                "tax_rate": priced.tax_rate,
                "net_amount": amounts.net,
                "tax_amount": amounts.tax,
                "price_source": priced.price_source,
                "_amounts": amounts,
                "_stocked": priced.stocked,
                "_new": True,
            }
        )
    return rows


def rewrite_lines(
    uow: UnitOfWork,
    order: Any,
    old: list[Any],
    targets: list[dict[str, Any]],
    hand_over: dict[Key, int] | None = None,
) -> dict[str, Any]:
    """Re-reserve for ``targets``, write the lines; the order's new total columns.
    ``hand_over``: see ``rereserve.rebalance`` (a split gives units to its new order)."""
    if order["status"] == OrderStatus.CONFIRMED:
        from ordersmith.fulfillment.rework import drop_allocations

        drop_allocations(uow, order["id"])
    stocked = stocked_products(uow, [t["product_id"] for t in targets if "_stocked" not in t])
    old_by_id = {line["id"]: line for line in old}
    plan = [
        LineTarget(
            id=t["id"],
            product_id=t["product_id"],
            sku=t["sku"],
            stocked=t.get("_stocked", stocked.get(t["product_id"], True)),
            quantity=t["quantity"] - t["shipped_quantity"],
            reserved=t["reserved_quantity"],
            old_quantity=(
                old_by_id[t["id"]]["quantity"] - t["shipped_quantity"]
                if t["id"] in old_by_id
                else 0
            ),
            warehouse_id=t["warehouse_id"],
        )
        for t in targets
    ]
    stock = rebalance(
        uow,
        order_id=order["id"],
        number=order["number"],
        lines=plan,
        policy=BackorderPolicy(order["backorder_policy"]),
        hand_over=hand_over,
    )
    lines = table_of(OrderLine)
    for t in targets:
        if t.get("_new"):
            continue
        amounts: LineAmounts = t["_amounts"]
        uow.session.execute(
            sa.update(lines)
            .where(lines.c.id == t["id"])
            .values(
                quantity=t["quantity"],
                discount=amounts.discount,
                net_amount=amounts.net,
                tax_amount=amounts.tax,
                reserved_quantity=stock[t["id"]].reserved,
                backordered_quantity=stock[t["id"]].backordered,
            )
        )
    new_rows = [
        {k: v for k, v in t.items() if not k.startswith("_")}
        | {
            "reserved_quantity": stock[t["id"]].reserved,
            "backordered_quantity": stock[t["id"]].backordered,
        }
        for t in targets
        if t.get("_new")
    ]
    if new_rows:
        insert_rows(uow.session.connection(), lines, new_rows)
    return order_values(order, targets)


def order_values(order: Any, targets: list[dict[str, Any]]) -> dict[str, Any]:
    totals = order_totals(
        [t["_amounts"] for t in targets], order["shipping_total"], order["currency"]
    )
    if totals.subtotal + totals.tax_total + totals.shipping_total > MAX_AMOUNT:
        raise ValidationFailed(
            f"the order's total would exceed {MAX_AMOUNT} {order['currency']}",
            code="amount_too_large",
            fields=[FieldError("lines", "the order is too large to be stored")],
        )
    return {
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "tax_total": totals.tax_total,
        "shipping_total": totals.shipping_total,
        "total": totals.total,
        "units": totals.units,
        "lines_fingerprint": lines_fingerprint(
            [LineRequest(sku=t["sku"], quantity=t["quantity"]) for t in targets if t["quantity"]]
        ),
    }


def stocked_products(uow: UnitOfWork, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, bool]:
    from ordersmith.catalog.models import Product

    if not product_ids:
        return {}
    products = table_of(Product)
    return {
        r.id: bool(r.stocked)
        for r in uow.session.execute(
            sa.select(products.c.id, products.c.stocked).where(
                products.c.id.in_(sorted(set(product_ids), key=str))
            )
        )
    }
