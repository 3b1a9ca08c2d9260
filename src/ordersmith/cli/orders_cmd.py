"""`ordersmith orders ...`: look orders up and act on them from a terminal."""

from __future__ import annotations

import json
import re
from datetime import date as date_type

import typer
from rich.table import Table

from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.orders import queries, services
from ordersmith.orders.change_log import list_changes
from ordersmith.orders.change_rules import ChangeOrder
from ordersmith.orders.changes import change_order
from ordersmith.orders.requests import LineRequest
from ordersmith.orders.splitting import merge_orders, split_order
from ordersmith.orders.status import OrderStatus
from ordersmith.orders.views import OrderView
from ordersmith.validation import whole_number

app = typer.Typer(
    help="Orders: list, show, confirm, cancel, change, split, merge.", no_args_is_help=True
)


@app.command("list")
def list_orders(
    status: OrderStatus | None = typer.Option(None),
    sku: str | None = typer.Option(None),
    limit: int = typer.Option(20, min=1, max=1000),
) -> None:
    """The newest orders."""
    with database() as db, db.reader() as session:
        rows = queries.list_orders(
            session, queries.OrderFilter(status=status, sku=sku), limit=limit
        )
    table = Table("number", "created", "channel", "status", "total")
    for o in rows:
        status_text = f"{o.status} ({o.hold_reason})" if o.hold_reason else str(o.status)
        table.add_row(
            o.number,
            o.created_at.isoformat(timespec="minutes"),
            str(o.channel),
            status_text,
            f"{o.total:.2f} {o.currency}",
        )
    console.print(table)


@app.command()
def show(order: str = typer.Argument(..., help="order number or id")) -> None:
    """One order with its lines and history."""
    with database() as db, db.reader() as session:
        view = queries.get_order(session, order)
        history = queries.order_history(session, order)
    console.print(
        styled(
            (view.number, "bold"),
            f"  {view.status}  {view.channel}  total {view.total:.2f} {view.currency}"
            f"  version {view.version}",
        )
    )
    table = Table("#", "sku", "qty", "reserved", "backordered", "unit price", "net", "tax")
    for line in view.lines:
        table.add_row(
            str(line.line_no),
            line.sku,
            str(line.quantity),
            str(line.reserved_quantity),
            str(line.backordered_quantity),
            f"{line.unit_price:.2f}",
            f"{line.net_amount:.2f}",
            f"{line.tax_amount:.2f}",
        )
    console.print(table)
    for h in history:
        console.print(
            f"  {h.at.isoformat(timespec='seconds')} {h.actor}: {h.action} "
            f"{h.from_status or ''} -> {h.to_status or ''} {h.reason}"
        )


@app.command()
def confirm(order: str = typer.Argument(...)) -> None:
    """Confirm a placed order."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = services.confirm_order(uow, order_id=queries.order_id(uow.session, order))
    console.print(f"{view.number} is {view.status}")


@app.command("expire-unpaid")
def expire_unpaid() -> None:
    """Cancel cash orders unpaid for ORDERSMITH_UNPAID_ORDER_EXPIRY_HOURS (stock released).
    The worker does this once a day; run it from cron for a tighter schedule."""
    from ordersmith.billing.cash_sales import expire_unpaid_orders

    with database() as db:
        expired = expire_unpaid_orders(db, actor=cli_actor())
    console.print(
        f"{len(expired)} unpaid orders expired" + (f": {', '.join(expired)}" if expired else "")
    )


@app.command()
def cancel(order: str = typer.Argument(...), reason: str = typer.Option("")) -> None:
    """Cancel an open order and release its stock."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = services.cancel_order(
            uow, order_id=queries.order_id(uow.session, order), reason=reason
        )
    console.print(f"{view.number} is {view.status}")


# --- changes after placing (ADR 0020) ---

_PAIR = re.compile(r"([^=\s]+)=([0-9]+)")  # ASCII digits: \d takes "١٢" too


def _pairs(option: str, items: list[str], shape: str) -> list[tuple[str, int]]:
    found = []
    for i, item in enumerate(items):
        match = _PAIR.fullmatch(item.strip())
        number = whole_number(match[2]) if match else None
        if match is None or number is None:
            raise ValidationFailed(
                f"{option} {item!r}: write {shape}", fields=[FieldError(f"{option}.{i}", shape)]
            )
        found.append((match[1], number))
    return found


def _line_no(option: str, value: str) -> int:
    number = whole_number(value)
    if number is None:
        raise ValidationFailed(
            f"{option} {value!r}: write a line number", fields=[FieldError(option, "a number")]
        )
    return number


def _ship_to(value: str | None) -> dict[str, str] | None:
    if value is None:
        return None
    try:
        address = json.loads(value)
    except ValueError as exc:
        raise ValidationFailed(
            "--ship-to-json is not JSON", fields=[FieldError("shipping_address", "JSON")]
        ) from exc
    if not isinstance(address, dict):
        raise ValidationFailed(
            "--ship-to-json: give an object with line1, city, country...",
            fields=[FieldError("shipping_address", "a JSON object")],
        )
    return {str(k): str(v) for k, v in address.items()}


def _print_change(view: OrderView) -> None:
    console.print(
        f"{view.number} is at version {view.version}: {view.status}, "
        f"total {view.total:.2f} {view.currency}"
    )
    for line in view.lines:
        console.print(f"  {line.line_no}. {line.quantity} x {line.sku} @ {line.unit_price:.2f}")


@app.command()
def change(
    order: str = typer.Argument(..., help="order number or id"),
    reason: str = typer.Option(..., help="why (the customer sees it)"),
    qty: list[str] = typer.Option([], "--qty", help="LINE=N: the line's new quantity"),
    add: list[str] = typer.Option([], "--add", help="SKU=N: add a line at today's price"),
    cancel_line: list[str] = typer.Option([], "--cancel-line", help="LINE: cancel the line"),
    ship_to_json: str | None = typer.Option(None, "--ship-to-json", help="new address, JSON"),
    delivery_date: str | None = typer.Option(None, "--delivery-date", help="YYYY-MM-DD"),
    notes: str | None = typer.Option(None, help="replace the order's notes"),
    expected_version: int | None = typer.Option(None, "--expected-version", min=1),
) -> None:
    """Change an order in one go: quantities, added or cancelled lines, address, date,
    notes. Stock is re-reserved and the customer emailed (ADR 0020)."""
    requested = None
    if delivery_date is not None:
        try:
            requested = date_type.fromisoformat(delivery_date)
        except ValueError as exc:
            raise ValidationFailed(
                f"--delivery-date {delivery_date!r}: write YYYY-MM-DD",
                fields=[FieldError("requested_delivery_date", "YYYY-MM-DD")],
            ) from exc
    request = ChangeOrder(
        reason=reason,
        quantities=[(_line_no("--qty", no), q) for no, q in _pairs("--qty", qty, "LINE=QUANTITY")],
        add_lines=[LineRequest(sku=s, quantity=q) for s, q in _pairs("--add", add, "SKU=QTY")],
        cancel_lines=[_line_no("--cancel-line", c) for c in cancel_line],
        shipping_address=_ship_to(ship_to_json),
        requested_delivery_date=requested,
        notes=notes,
        expected_version=expected_version,
    )
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = change_order(uow, order_id=queries.order_id(uow.session, order), request=request)
    _print_change(view)


@app.command()
def split(
    order: str = typer.Argument(..., help="order number or id"),
    move: list[str] = typer.Option(..., "--move", help="LINE=N: units moved to the new order"),
    reason: str = typer.Option(...),
    expected_version: int | None = typer.Option(None, "--expected-version", min=1),
) -> None:
    """Move lines or units to a new order of the same customer."""
    moves: dict[int, int] = {}
    for no, q in _pairs("--move", move, "LINE=QUANTITY"):
        moves[_line_no("--move", no)] = moves.get(_line_no("--move", no), 0) + q
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        original, new = split_order(
            uow, order=order, moves=moves, reason=reason, expected_version=expected_version
        )
    _print_change(original)
    console.print(f"new order {new.number}")
    _print_change(new)


@app.command()
def merge(
    order: str = typer.Argument(..., help="the order that stays"),
    other: str = typer.Argument(..., help="the order merged in (it is cancelled)"),
    reason: str = typer.Option(...),
    expected_version: int | None = typer.Option(None, "--expected-version", min=1),
) -> None:
    """Merge two open orders of one customer (same currency, address and status)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = merge_orders(
            uow,
            into=queries.order_id(uow.session, order),
            other=queries.order_id(uow.session, other),
            reason=reason,
            expected_version=expected_version,
        )
    _print_change(view)


@app.command()
def changes(
    order: str = typer.Argument(..., help="order number or id"),
    limit: int = typer.Option(20, min=1, max=1000),
) -> None:
    """The order's versions, newest first: what changed, who and why."""
    with database() as db, db.reader() as session:
        rows = list_changes(session, queries.order_id(session, order), limit=limit)
    for c in rows:
        console.print(
            styled(
                (f"v{c.version}", "bold"),
                f" {c.created_at.isoformat(timespec='minutes')} {c.actor} [{c.kind}] "
                f"{c.summary} — {c.reason} (total {c.total_before:.2f} → {c.total_after:.2f})",
            )
        )
