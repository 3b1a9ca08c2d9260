"""`ordersmith purchasing supplier ...` and `ordersmith purchasing po ...`: suppliers and
purchase orders from a terminal, through the same services as the API."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import typer
from rich.table import Table

from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.inventory.queries import get_warehouse
from ordersmith.money import money_str
from ordersmith.purchasing import queries, receiving, services, suppliers
from ordersmith.purchasing.documents import purchase_order_pdf_bytes
from ordersmith.purchasing.inputs import LineInput, ReceiptLineInput
from ordersmith.purchasing.scorecard import Scorecard, supplier_scorecard
from ordersmith.purchasing.status import PurchaseOrderStatus
from ordersmith.purchasing.views import PurchaseOrderView
from ordersmith.uow import UnitOfWork

app = typer.Typer(help="Purchasing: suppliers and purchase orders.", no_args_is_help=True)
supplier_app = typer.Typer(help="Suppliers and what they supply.", no_args_is_help=True)
po_app = typer.Typer(
    help="Purchase orders: draft, approve, send, receive, close.", no_args_is_help=True
)
app.add_typer(supplier_app, name="supplier")
app.add_typer(po_app, name="po")

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"[0-9]+")


def _money(amount: Decimal, currency: str) -> str:
    return f"{money_str(amount, currency)} {currency}"


def _rate(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _bad(option: str, item: str, index: int, shape: str) -> ValidationFailed:
    return ValidationFailed(
        f"{option} {item!r}: write {shape}",
        fields=[FieldError(f"lines.{index}", shape)],
    )


# -- suppliers ---------------------------------------------------------------------------


@supplier_app.command("create")
def create_supplier(
    code: str = typer.Argument(..., help="short code, e.g. ACME"),
    name: str = typer.Option(..., "--name"),
    currency: str | None = typer.Option(None, "--currency", help="default: the shop's"),
    email: str = typer.Option("", "--email", help="purchase orders are emailed here"),
    contact: str = typer.Option("", "--contact", help="contact person"),
    phone: str = typer.Option("", "--phone"),
    terms: int = typer.Option(30, "--terms", help="payment terms in days"),
    notes: str = typer.Option("", "--notes"),
) -> None:
    """Add a supplier."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = suppliers.create_supplier(
            uow,
            code=code,
            name=name,
            currency=currency,
            email=email,
            contact_name=contact,
            phone=phone,
            payment_terms_days=terms,
            notes=notes,
        )
    console.print(f"created supplier {view.code} ({view.id})")


@supplier_app.command("list")
def list_suppliers(
    q: str | None = typer.Option(None, "-q", help="in code or name"),
    active: bool | None = typer.Option(None, "--active/--inactive"),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
) -> None:
    """Suppliers by code."""
    with database() as db, db.reader() as session:
        rows, _more = queries.list_suppliers(session, q=q, active=active, limit=limit)
    table = Table("code", "name", "currency", "terms", "email", "active")
    for s in rows:
        table.add_row(
            s.code,
            s.name,
            s.currency,
            f"{s.payment_terms_days} days",
            s.email,
            "yes" if s.active else "no",
        )
    console.print(table)


@supplier_app.command("show")
def show_supplier(supplier: str = typer.Argument(..., help="code or id")) -> None:
    """A supplier, the products it supplies and its scorecard."""
    with database() as db, db.reader() as session:
        view = queries.get_supplier(session, supplier)
        products = queries.supplier_products(session, supplier_id=view.id)
        card = supplier_scorecard(session, view.id)
    console.print(styled((view.code, "bold"), f"  {view.name} ({view.currency})"))
    contact = ", ".join(x for x in (view.contact_name, view.email, view.phone) if x)
    console.print(f"  {contact or 'no contact'}; {view.payment_terms_days} days net")
    table = Table("sku", "supplier sku", "cost", "lead time", "moq", "pack", "preferred")
    for p in products:
        table.add_row(
            p.sku,
            p.supplier_sku,
            _money(p.unit_cost, p.currency),
            f"{p.lead_time_days} days",
            str(p.min_order_quantity),
            str(p.pack_multiple),
            "yes" if p.preferred else "",
        )
    console.print(table)
    _print_scorecard(card)


def _print_scorecard(card: Scorecard) -> None:
    lead = (
        "-"
        if card.lead_time_median_days is None
        else f"median {card.lead_time_median_days} days, p90 {card.lead_time_p90_days} days "
        f"(quoted median {card.quoted_lead_time_median_days} days)"
    )
    console.print(
        f"  on time {_rate(card.on_time_rate)} ({card.on_time_receipt_lines} of "
        f"{card.receipt_lines} receipt lines); fill rate {_rate(card.fill_rate)} "
        f"({card.received_quantity} of {card.ordered_quantity} units)"
    )
    console.print(f"  lead time {lead}")
    console.print(
        f"  price variance {_money(card.price_variance, card.currency)} "
        f"({_rate(card.price_variance_rate)} of {_money(card.quoted_value, card.currency)})"
    )


@supplier_app.command("add-product")
def add_product(
    supplier: str = typer.Argument(..., help="code or id"),
    sku: str = typer.Argument(..., help="our SKU"),
    cost: str = typer.Option(..., "--cost", help='unit cost in the supplier\'s currency, "2.40"'),
    lead_time_days: int = typer.Option(..., "--lead-time-days"),
    supplier_sku: str = typer.Option("", "--supplier-sku"),
    moq: int = typer.Option(1, "--moq", help="minimum order quantity"),
    pack: int = typer.Option(1, "--pack", help="order in multiples of this"),
    preferred: bool = typer.Option(False, "--preferred", help="the product's preferred supplier"),
) -> None:
    """The supplier supplies a product."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = suppliers.add_supplier_product(
            uow,
            supplier=supplier,
            sku=sku,
            unit_cost=cost,
            lead_time_days=lead_time_days,
            supplier_sku=supplier_sku,
            min_order_quantity=moq,
            pack_multiple=pack,
            preferred=preferred,
        )
    console.print(
        f"{view.supplier} supplies {view.sku} at {_money(view.unit_cost, view.currency)}, "
        f"{view.lead_time_days} days" + (" (preferred)" if view.preferred else "")
    )


# -- purchase orders ---------------------------------------------------------------------


def _po_line(index: int, item: str) -> LineInput:
    """``SKU=QTY[@UNIT_COST][@YYYY-MM-DD]``."""
    shape = "SKU=QUANTITY[@UNIT_COST][@YYYY-MM-DD], e.g. A-1=24@2.40@2026-12-01"
    sku, _, rest = item.rpartition("=")
    quantity, *extras = rest.split("@")
    if not sku.strip() or not _WHOLE.fullmatch(quantity.strip()) or len(extras) > 2:
        raise _bad("--line", item, index, shape)
    cost: str | None = None
    day: date | None = None
    for extra in extras:
        if _DAY.fullmatch(extra.strip()):
            try:
                day = date.fromisoformat(extra.strip())
            except ValueError:
                raise _bad("--line", item, index, shape) from None
        else:
            cost = extra.strip()
    return LineInput(sku.strip(), int(quantity), cost, day)


def _receipt_line(index: int, item: str) -> ReceiptLineInput:
    """``LINE_NO=QTY[@UNIT_COST]``."""
    shape = "LINE_NO=QUANTITY[@INVOICED_UNIT_COST], e.g. 1=12@2.35"
    number, _, rest = item.partition("=")
    quantity, _, cost = rest.partition("@")
    if not (_WHOLE.fullmatch(number.strip()) and _WHOLE.fullmatch(quantity.strip())):
        raise _bad("--line", item, index, shape)
    return ReceiptLineInput(int(number), int(quantity), cost.strip() or None)


def _po_summary(view: PurchaseOrderView) -> str:
    return (
        f"{view.number}: {view.status}, {view.supplier} → {view.warehouse}, "
        f"{len(view.lines)} lines, total {_money(view.total, view.currency)}"
    )


@po_app.command("create")
def create_po(
    supplier: str = typer.Option(..., "--supplier", help="code or id"),
    warehouse: str = typer.Option(..., "--warehouse", help="deliver to (code)"),
    line: list[str] = typer.Option(
        ..., "--line", help="SKU=QTY[@UNIT_COST][@YYYY-MM-DD], repeatable"
    ),
    notes: str = typer.Option("", "--notes"),
) -> None:
    """A draft purchase order."""
    lines = [_po_line(i, item) for i, item in enumerate(line)]
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = services.create_purchase_order(
            uow, supplier=supplier, warehouse=warehouse, lines=lines, notes=notes
        )
    console.print(_po_summary(view))


Act = Callable[[UnitOfWork, uuid.UUID], PurchaseOrderView]


def _act(purchase_order: str, act: Act) -> None:
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = act(uow, queries.purchase_order_id(uow.session, purchase_order))
    console.print(_po_summary(view))


@po_app.command("approve")
def approve(purchase_order: str = typer.Argument(..., help="number or id")) -> None:
    """draft → approved."""
    _act(purchase_order, lambda uow, po: services.approve_purchase_order(uow, purchase_order_id=po))


@po_app.command("send")
def send(
    purchase_order: str = typer.Argument(..., help="number or id"),
    email: bool = typer.Option(True, "--email/--no-email", help="mail the PDF to the supplier"),
) -> None:
    """approved → sent (the worker emails the PDF to the supplier)."""
    _act(
        purchase_order,
        lambda uow, po: services.send_purchase_order(uow, purchase_order_id=po, email=email),
    )


@po_app.command("receive")
def receive(
    purchase_order: str = typer.Argument(..., help="number or id"),
    line: list[str] = typer.Option(
        [], "--line", help="LINE_NO=QTY[@INVOICED_UNIT_COST], repeatable; none: all open"
    ),
    delivery_note: str = typer.Option("", "--delivery-note"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Receive a delivery into the order's warehouse (backorders are allocated)."""
    lines = [_receipt_line(i, item) for i, item in enumerate(line)] or None
    _act(
        purchase_order,
        lambda uow, po: receiving.receive_purchase_order(
            uow, purchase_order_id=po, lines=lines, delivery_note=delivery_note, note=note
        ),
    )


@po_app.command("close")
def close(
    purchase_order: str = typer.Argument(..., help="number or id"),
    reason: str = typer.Option("", "--reason", help="required to short-close"),
) -> None:
    """Close a received order, or short-close a partly received one."""
    _act(
        purchase_order,
        lambda uow, po: services.close_purchase_order(uow, purchase_order_id=po, reason=reason),
    )


@po_app.command("cancel")
def cancel(
    purchase_order: str = typer.Argument(..., help="number or id"),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Cancel an order that has received nothing."""
    _act(
        purchase_order,
        lambda uow, po: services.cancel_purchase_order(uow, purchase_order_id=po, reason=reason),
    )


@po_app.command("list")
def list_pos(
    status: PurchaseOrderStatus | None = typer.Option(None, "--status"),
    supplier: str | None = typer.Option(None, "--supplier", help="code or id"),
    warehouse: str | None = typer.Option(None, "--warehouse", help="code"),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
) -> None:
    """Purchase orders, newest first."""
    with database() as db, db.reader() as session:
        flt = queries.PurchaseOrderFilter(
            status=status,
            supplier_id=queries.get_supplier(session, supplier).id if supplier else None,
            warehouse_id=get_warehouse(session, warehouse).id if warehouse else None,
        )
        rows, _more = queries.list_purchase_orders(session, flt, limit=limit)
    table = Table("number", "status", "supplier", "warehouse", "total", "created")
    for r in rows:
        table.add_row(
            r.number,
            r.status,
            r.supplier,
            r.warehouse,
            _money(r.total, r.currency),
            r.created_at.date().isoformat(),
        )
    console.print(table)


@po_app.command("show")
def show(purchase_order: str = typer.Argument(..., help="number or id")) -> None:
    """Lines, receipts and what may be done next."""
    with database() as db, db.reader() as session:
        view = queries.get_purchase_order(session, purchase_order)
    console.print(styled((view.number, "bold"), "  " + _po_summary(view).split(": ", 1)[1]))
    table = Table("#", "sku", "supplier sku", "qty", "received", "unit cost", "amount", "expected")
    for ln in view.lines:
        table.add_row(
            str(ln.line_no),
            ln.sku,
            ln.supplier_sku,
            str(ln.quantity),
            str(ln.received_quantity),
            money_str(ln.unit_cost, view.currency),
            money_str(ln.amount, view.currency),
            ln.expected_date.isoformat(),
        )
    console.print(table)
    for r in view.receipts:
        got = ", ".join(f"line {x.line_no}: {x.quantity}" for x in r.lines)
        note = f" (delivery note {r.delivery_note})" if r.delivery_note else ""
        console.print(f"  received {r.received_at.isoformat(timespec='minutes')}{note}: {got}")
    if view.close_reason or view.cancel_reason:
        console.print(f"  reason: {view.close_reason or view.cancel_reason}")
    console.print(f"  next: {', '.join(view.allowed_actions) or 'nothing'}")


@po_app.command("pdf")
def pdf(
    purchase_order: str = typer.Argument(..., help="number or id"),
    out: Path | None = typer.Option(None, "--out", help="default: <number>.pdf"),
) -> None:
    """Write the purchase order as a PDF."""
    with database() as db, db.reader() as session:
        po_id = queries.purchase_order_id(session, purchase_order)
        number = queries.get_purchase_order(session, po_id).number
        content = purchase_order_pdf_bytes(session, db.settings, po_id)
    target = out or Path(f"{number}.pdf")
    target.write_bytes(content)
    console.print(f"wrote {target}")
