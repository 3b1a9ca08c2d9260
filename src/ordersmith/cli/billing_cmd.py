"""`ordersmith billing ...`: invoices, payments, refunds, credit notes, balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import typer
from rich.table import Table

from ordersmith.adapters.payments import ManualProvider
from ordersmith.billing import queries
from ordersmith.billing.card_payments import take_card_payment
from ordersmith.billing.credit import apply_customer_credit
from ordersmith.billing.credit_notes import issue_credit_note
from ordersmith.billing.invoices import invoice_order, invoice_shipment
from ordersmith.billing.models import InvoiceStatus, PaymentMethod
from ordersmith.billing.payments import record_payment, refund_payment
from ordersmith.billing.views import InvoiceView, PaymentView
from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.customers.queries import get_customer
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import money_str
from ordersmith.orders.queries import order_id
from ordersmith.shipping.queries import get_shipment
from ordersmith.validation import parse_amount, whole_number

app = typer.Typer(
    help="Billing: invoices, payments, refunds, credit notes, customer balances.",
    no_args_is_help=True,
)


def _money(amount: Decimal, currency: str) -> str:
    return f"{money_str(amount, currency)} {currency}"


def _invoice_line(view: InvoiceView) -> str:
    state = f"{view.status}{', overdue' if view.overdue else ''}"
    return (
        f"{view.number}: {view.kind} for {_money(view.total, view.currency)}, "
        f"due {view.due_date.isoformat()} ({state}), balance {_money(view.balance, view.currency)}"
    )


def _payment_line(view: PaymentView) -> str:
    allocated = ", ".join(
        f"{a.invoice_number} {money_str(a.amount, view.currency)}" for a in view.allocations
    )
    return (
        f"{view.number}: {_money(view.amount, view.currency)} by {view.method}"
        + (f", paid {allocated}" if allocated else "")
        + f"; unallocated {_money(view.unallocated, view.currency)}"
    )


@app.command()
def invoice(
    order: str | None = typer.Argument(None, help="order number or id: all not invoiced yet"),
    shipment: str | None = typer.Option(None, "--shipment", help="what a shipment carried"),
) -> None:
    """Invoice an order (everything not invoiced yet) or a dispatched shipment."""
    if (order is None) == (shipment is None):
        raise ValidationFailed(
            "give an ORDER or --shipment SHIPMENT (one of them)",
            fields=[FieldError("order", "or --shipment")],
        )
    with database() as db:
        with db.reader() as session:
            order_ref = order_id(session, order) if order else None
            shipment_ref = get_shipment(session, shipment).id if shipment else None
        with db.unit_of_work(actor=cli_actor()) as uow:
            if shipment_ref is not None:
                view = invoice_shipment(uow, shipment_id=shipment_ref)
            else:
                assert order_ref is not None
                view = invoice_order(uow, order_id=order_ref)
    console.print(_invoice_line(view))


@app.command("invoices")
def list_invoices(
    customer: str | None = typer.Option(None, "--customer", help="customer number or id"),
    status: InvoiceStatus | None = typer.Option(None, "--status"),
    overdue: bool = typer.Option(False, "--overdue", help="only open invoices past due"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
) -> None:
    """Invoices and receipts, newest first."""
    with database() as db, db.reader() as session:
        customer_id = get_customer(session, customer).id if customer else None
        rows = queries.list_invoices(
            session,
            customer_id=customer_id,
            status=status.value if status else None,
            overdue_only=overdue,
            limit=limit,
        )
    table = Table("number", "issued", "due", "status", "total", "balance")
    for row in rows:
        table.add_row(
            row.number,
            row.issue_date.isoformat(),
            row.due_date.isoformat(),
            f"{row.status}{' (overdue)' if row.overdue else ''}",
            _money(row.total, row.currency),
            money_str(row.balance, row.currency),
        )
    console.print(table)


@app.command()
def show(invoice: str = typer.Argument(..., help="invoice number or id")) -> None:
    """One invoice: lines, what paid it, credit notes, balance."""
    with database() as db, db.reader() as session:
        view = queries.get_invoice(session, invoice)
        notes = queries.list_credit_notes(session, invoice_id=view.id, limit=500)
    console.print(styled((view.number, "bold"), "  " + _invoice_line(view).split(": ", 1)[1]))
    name = view.billing.get("company") or view.billing.get("name", "")
    console.print(f"  to {name} ({view.billing.get('customer_number', '')})")
    table = Table("#", "sku", "name", "qty", "unit price", "discount", "net", "tax")
    for line in view.lines:
        table.add_row(
            str(line.line_no),
            line.sku,
            line.name,
            str(line.quantity),
            money_str(line.unit_price, view.currency),
            money_str(line.discount, view.currency),
            money_str(line.net_amount, view.currency),
            money_str(line.tax_amount, view.currency),
        )
    console.print(table)
    console.print(
        f"  subtotal {money_str(view.subtotal, view.currency)}  tax "
        f"{money_str(view.tax_total, view.currency)}  total {_money(view.total, view.currency)}"
    )
    for s in view.settlements:
        console.print(
            f"  {s.at.isoformat(timespec='minutes')} {s.kind} {s.number} "
            f"{money_str(s.amount, view.currency)}"
            + (f" (freed by {s.released_by})" if s.released_by else "")
        )
    for note in notes:
        console.print(
            f"  credit note {note.number} ({note.reason}) {_money(note.total, note.currency)}"
        )


@app.command()
def pay(
    customer: str = typer.Argument(..., help="customer number or id"),
    amount: str = typer.Option(..., "--amount", help='e.g. "45.00"'),
    method: PaymentMethod = typer.Option(..., "--method"),
    reference: str = typer.Option(
        "", "--reference", help="remittance reference; for a card: the terminal's reference"
    ),
    order: str | None = typer.Option(None, "--order", help="a prepayment for this order"),
    invoice: str | None = typer.Option(
        None, "--invoice", help="pay this invoice (what is left over stays as credit)"
    ),
    last4: str = typer.Option("", "--last4", help="card: the last 4 digits on the receipt"),
    currency: str | None = typer.Option(None, "--currency", help="default: the customer's"),
    received_on: str | None = typer.Option(None, "--received-on", help="YYYY-MM-DD"),
) -> None:
    """Record a payment; a card payment is the terminal's (--reference and --last4)."""
    day = _date("received_on", received_on)
    with database() as db:
        with db.reader() as session:
            payer = get_customer(session, customer)
            order_ref = order_id(session, order) if order else None
            allocate_to = None
            if invoice is not None:
                target = queries.get_invoice(session, invoice, customer_id=payer.id)
                allocate_to = [(target.id, _part(amount, target.balance))]
        with db.unit_of_work(actor=cli_actor()) as uow:
            if method is PaymentMethod.CARD:  # the terminal: its reference, the last 4 digits
                view = take_card_payment(
                    uow,
                    ManualProvider(),
                    customer_id=payer.id,
                    amount=amount,
                    currency=currency or payer.currency,
                    card_token=last4,
                    reference=reference,
                    order_id=order_ref,
                    received_on=day,
                    allocate_to=allocate_to,
                )
            else:
                view = record_payment(
                    uow,
                    customer_id=payer.id,
                    method=method.value,
                    amount=amount,
                    currency=currency or payer.currency,
                    reference=reference,
                    received_on=day,
                    order_id=order_ref,
                    allocate_to=allocate_to,
                )
    console.print(_payment_line(view))


def _part(amount: str, balance: Decimal) -> Decimal:
    """What of ``amount`` goes to an invoice with this balance (all of it if it is
    unreadable or the invoice has nothing left: the service then says why)."""
    try:
        value = parse_amount(amount)
    except ValueError:
        return Decimal(0) if balance <= 0 else balance
    return min(value, balance) if balance > 0 else value


def _date(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"--{name.replace('_', '-')} {value!r} is not a date (YYYY-MM-DD)",
            fields=[FieldError(name, "YYYY-MM-DD")],
        ) from None


@app.command()
def refund(
    payment: str = typer.Argument(..., help="payment number or id"),
    amount: str = typer.Option(..., "--amount"),
    reason: str = typer.Option(..., "--reason"),
    reference: str = typer.Option(
        "", "--reference", help="the card terminal's or the provider's id of the refund"
    ),
) -> None:
    """Pay back part of a payment's unallocated money (freed by a credit note, or
    overpaid); one refund per payment and --reference."""
    with database() as db:
        with db.reader() as session:
            payment_id = queries.get_payment(session, payment).id
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = refund_payment(
                uow,
                payment_id=payment_id,
                amount=amount,
                reason=reason,
                provider_reference=reference,
            )
    console.print(
        f"{view.number}: refunded {_money(view.amount_refunded, view.currency)} in all; "
        f"unallocated {_money(view.unallocated, view.currency)}"
    )


@app.command("credit-note")
def credit_note(
    invoice: str = typer.Argument(..., help="invoice number or id"),
    reason: str = typer.Option(
        ..., "--reason", help="return, damage, pricing_error, goodwill, documentation_error"
    ),
    amount: str | None = typer.Option(None, "--amount", help="tax included"),
    line: list[str] = typer.Option([], "--line", help="LINE_NO=QUANTITY, repeatable"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Credit an invoice: in full, by --line N=Q units, or by --amount."""
    lines = [_line(i, item) for i, item in enumerate(line)] or None
    with database() as db:
        with db.reader() as session:
            invoice_id = queries.get_invoice(session, invoice).id
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = issue_credit_note(
                uow, invoice_id=invoice_id, reason=reason, lines=lines, amount=amount, note=note
            )
    console.print(
        f"{view.number}: {_money(view.total, view.currency)} credited on {view.invoice_number}; "
        f"{_money(view.unapplied + view.freed, view.currency)} became customer credit"
    )
    for freed in view.releases:  # newest first
        console.print(
            f"  freed {money_str(freed.amount, view.currency)} of {freed.kind.replace('_', ' ')} "
            f"{freed.number}"
            + (" (refund it with `ordersmith billing refund`)" if freed.kind == "payment" else "")
        )


def _line(index: int, item: str) -> tuple[int, int]:
    number, _, quantity = item.partition("=")
    line_no, units = whole_number(number), whole_number(quantity)
    if line_no is None or units is None:
        raise ValidationFailed(
            f"--line {item!r}: write LINE_NO=QUANTITY, e.g. 1=2",
            fields=[FieldError(f"lines.{index}", "LINE_NO=QUANTITY")],
        )
    return line_no, units


@app.command("apply-credit")
def apply_credit(
    customer: str = typer.Argument(..., help="customer number or id"),
    invoice: str | None = typer.Option(None, "--invoice", help="only this invoice"),
) -> None:
    """Settle open invoices from the customer's credit (credit notes, then payments)."""
    with database() as db:
        with db.reader() as session:
            customer_id = get_customer(session, customer).id
            invoice_id = (
                queries.get_invoice(session, invoice, customer_id=customer_id).id
                if invoice
                else None
            )
        with db.unit_of_work(actor=cli_actor()) as uow:
            result = apply_customer_credit(uow, customer_id=customer_id, invoice_id=invoice_id)
    for kind, source, target, part in result.applications:
        console.print(f"  {kind} {source} -> {target} {money_str(part, result.currency)}")
    console.print(f"applied {_money(result.total, result.currency)}")


@app.command()
def balance(customer: str = typer.Argument(..., help="customer number or id")) -> None:
    """What the customer owes, per currency (negative: we owe them)."""
    with database() as db, db.reader() as session:
        found = get_customer(session, customer)
        rows = queries.customer_balance(session, found.id)
    table = Table("currency", "open invoices", "overdue", "unallocated", "credit", "balance")
    for row in rows:
        table.add_row(
            row.currency,
            *(
                money_str(v, row.currency)
                for v in (
                    row.open_invoices,
                    row.overdue,
                    row.unallocated_payments,
                    row.unapplied_credit,
                    row.balance,
                )
            ),
        )
    console.print(f"{found.number} {found.name}")
    console.print(table if rows else "  nothing invoiced or paid yet")
