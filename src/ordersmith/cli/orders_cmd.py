"""`ordersmith orders ...`: look orders up and act on them from a terminal."""

from __future__ import annotations

import typer
from rich.table import Table

from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.orders import queries, services
from ordersmith.orders.status import OrderStatus

app = typer.Typer(help="Orders: list, show, confirm, cancel.", no_args_is_help=True)


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
            f"  {view.status}  {view.channel}  total {view.total:.2f} {view.currency}",
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
