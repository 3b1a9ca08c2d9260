"""`ordersmith demo`: load a realistic demo business into an empty database, and
(``--simulate-fulfilment``) play six weeks of warehouse and carrier work on it, with
months of invoices, payments, credit notes and reminders before and during them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ordersmith.cli.common import console, database
from ordersmith.demo.aftersales_report import AfterSalesSummary
from ordersmith.demo.billing_report import DSO_DAYS, BillingSummary
from ordersmith.demo.fulfilment import (
    FulfilmentSummary,
    check_days,
    has_shipments,
    is_demo_database,
    simulate_fulfilment,
)
from ordersmith.demo.generator import DemoConfig
from ordersmith.demo.loader import DemoSummary, check_empty, has_business_data, load_demo
from ordersmith.demo.portal import create_demo_portal_accounts
from ordersmith.money import money_str
from ordersmith.uow import Database

AGING = {
    "current": "current",
    "days_1_30": "1-30 days",
    "days_31_60": "31-60 days",
    "days_61_90": "61-90 days",
    "over_90": "over 90 days",
}


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    seed: int = typer.Option(42, "--seed", help="random seed: the same seed gives the same data"),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="do nothing when the database already has products or orders"
    ),
    history_days: int = typer.Option(
        730, "--history-days", help="days of completed order history, ending yesterday"
    ),
    simulate: bool = typer.Option(
        False,
        "--simulate-fulfilment",
        help="then play weeks of picking, packing, shipping and tracking on the demo data, "
        "and months of invoices, payments and credit notes "
        "(once: skipped when the database has shipments)",
    ),
    fulfilment_days: int = typer.Option(
        42,
        "--fulfilment-days",
        help="days of fulfilment to simulate, up to the last weekday before today",
    ),
) -> None:
    """Load a demo wholesale business: warehouses, carriers, products, price lists,
    customers, stock, two years of order history and some open orders; with
    --simulate-fulfilment, then weeks of warehouse and carrier work on them, and the
    invoices, payments, credit notes and reminders of order to cash."""
    if simulate:
        check_days(fulfilment_days)
    with database() as db:
        if has_business_data(db):
            if not (if_empty or (simulate and is_demo_database(db))):
                check_empty(db)  # refuses: the database has products or orders
            console.print("The database already has products or orders: demo data not loaded.")
        else:
            DemoConfig(seed=seed, history_days=history_days).validate()
            with _bars() as report:
                summary = load_demo(db, seed=seed, history_days=history_days, progress=report)
            _print_summary(summary)
        if simulate:
            _simulate(db, seed, fulfilment_days)
        for email in create_demo_portal_accounts(db):  # after the simulation: richer history
            console.print(f"customer portal demo account: {email} (docs/portal.md)")


@contextmanager
def _bars() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar per phase; yields ``report(phase, done, total)``."""
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bars.add_task(phase, total=total)
            bars.update(tasks[phase], completed=done, total=total)

        yield report


def _simulate(db: Database, seed: int, days: int) -> None:
    if not is_demo_database(db):
        console.print("This is not the demo database: fulfilment not simulated.")
        return
    if has_shipments(db):
        console.print("The database has shipments already: fulfilment not simulated again.")
        return
    with _bars() as report:
        summary = simulate_fulfilment(db, days=days, seed=seed, progress=report)
    _print_fulfilment(summary)
    _print_billing(summary.billing)
    _print_aftersales(summary.aftersales)


def _print_summary(summary: DemoSummary) -> None:
    table = Table(title=f"Demo data loaded in {summary.seconds:.1f} s", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in (
        ("warehouses", summary.warehouses),
        ("carriers", summary.carriers),
        ("products", summary.products),
        ("price lists", summary.price_lists),
        ("suppliers", summary.suppliers),
        ("supplied products", summary.supplier_products),
        ("customers", summary.customers),
        ("stock rows", summary.stock_rows),
        ("orders (history)", summary.historical_orders),
        ("open orders", summary.open_orders),
    ):
        table.add_row(label, f"{count:,}")
    console.print(table)


def _print_fulfilment(summary: FulfilmentSummary) -> None:
    title = (
        f"Fulfilment from {summary.first_day} to {summary.last_day} "
        f"simulated in {summary.seconds:.1f} s"
    )
    table = Table(title=title, show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [("orders placed", summary.orders)]
    rows += [(f"  order {status}", n) for status, n in summary.order_statuses.items()]
    rows += [(f"  fulfilment {status}", n) for status, n in summary.fulfilment_statuses.items()]
    rows.append(("shipments", sum(summary.shipment_statuses.values())))
    rows += [(f"  shipment {status}", n) for status, n in summary.shipment_statuses.items()]
    rows += [
        ("tracking events", summary.tracking_events),
        ("purchase orders", summary.purchase_orders),
        ("supplier deliveries", summary.stock_receipts),
        ("short-picked lines", summary.short_picks),
        ("damage reports", summary.damage_reports),
        ("emails written", summary.emails),
    ]
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    if summary.perfect_order_rate is not None:
        table.add_row("perfect-order rate", f"{summary.perfect_order_rate * 100:.1f} %")
    console.print(table)


def _print_aftersales(summary: AfterSalesSummary) -> None:
    table = Table(title="After-sales at the end", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [("returns", sum(summary.returns.values()))]
    rows += [(f"  return {status}", n) for status, n in summary.returns.items()]
    rows.append(("cases", sum(summary.cases.values())))
    rows += [(f"  case {status}", n) for status, n in summary.cases.items()]
    rows.append(("  past their SLA", summary.cases_breached))
    rows += [(f"customers tier {tier}", n) for tier, n in summary.tiers.items()]
    rows += [
        ("customers merged", summary.customer_merges),
        ("order changes", summary.order_changes),
        ("  orders changed", summary.changed_orders),
    ]
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    console.print(table)


def _print_billing(summary: BillingSummary) -> None:
    currency = summary.currency

    def money(amount: Decimal) -> str:
        return f"{money_str(amount, currency)} {currency}"

    table = Table(title=f"Order to cash on {summary.as_of}", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows: list[tuple[str, str]] = [("invoices (account)", f"{sum(summary.invoices.values()):,}")]
    rows += [(f"  invoice {status}", f"{n:,}") for status, n in summary.invoices.items()]
    rows += [
        ("  of them overdue", f"{summary.overdue:,}"),
        ("receipts (cash sales)", f"{summary.receipts:,}"),
        ("payments", f"{sum(summary.payments.values()):,}"),
    ]
    rows += [(f"  payment {method}", f"{n:,}") for method, n in summary.payments.items()]
    rows += [
        ("  received", money(summary.received)),
        ("refunds", f"{summary.refunds:,} ({money(summary.refunded)})"),
        ("credit notes", f"{sum(summary.credit_notes.values()):,}"),
    ]
    rows += [(f"  credit note {reason}", f"{n:,}") for reason, n in summary.credit_notes.items()]
    rows += [
        ("  credited", money(summary.credited)),
        ("customer credit used", f"{summary.credit_used:,}"),
    ]
    rows += [(f"aging {AGING[bucket]}", money(a)) for bucket, a in summary.aging.items()]
    rows += [
        (f"DSO ({DSO_DAYS} days)", "-" if summary.dso is None else f"{summary.dso} days"),
        ("payment reminders mailed", f"{summary.reminders:,}"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
