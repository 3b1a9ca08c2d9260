"""`ordersmith customers overview|show|contacts|tiers|duplicates|merge|unmerge|merges`:
the customer record (ADR 0022), through the same services as the API."""

from __future__ import annotations

import uuid
from datetime import datetime

import typer
from rich.table import Table

from ordersmith import clock
from ordersmith.cli.common import cli_actor, console, database, progress_bar
from ordersmith.customers import tiers
from ordersmith.customers.contacts import add_contact, list_contacts, remove_contact
from ordersmith.customers.duplicates import RULES, find_duplicates
from ordersmith.customers.merge import MergeView, list_merges, merge_customers, unmerge_customer
from ordersmith.customers.overview import CustomerOverview, customer_overview
from ordersmith.customers.queries import get_customer
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.money import money_str

contacts_app = typer.Typer(help="A customer's contacts: add, list, remove.", no_args_is_help=True)
tiers_app = typer.Typer(help="Loyalty tiers: list, set, remove, recalculate.", no_args_is_help=True)


def print_overview(view: CustomerOverview) -> None:
    c, o = view.customer, view.orders
    console.print(f"{c.number}  {c.name}  {c.company}".rstrip())
    console.print(f"email {c.email}  phone {c.phone or '-'}  group {c.customer_group}")
    console.print(f"account {c.account_type.value}  currency {c.currency}")
    if c.merged_into_id:
        console.print(f"merged into {c.merged_into_id}")
    if view.tier:
        t = view.tier
        console.print(
            f"tier {t.tier.code} ({t.tier.name}) since {c.tier_since:%Y-%m-%d}: "
            f"{money_str(t.spend, t.tier.currency)} {t.tier.currency} and {t.orders} orders "
            f"in the last {t.tier.period_days} days"
        )
    else:
        console.print("tier: none")
    console.print(
        f"orders {o.count} ({o.open} open, {o.cancelled} cancelled); lifetime value "
        f"{money_str(o.lifetime_value, o.currency)} {o.currency}; last 12 months "
        f"{money_str(o.spend_last_12_months, o.currency)}; first "
        f"{o.first_order_at:%Y-%m-%d}, last {o.last_order_at:%Y-%m-%d}"
        if o.first_order_at and o.last_order_at
        else f"orders {o.count}"
    )
    for b in view.balances:
        console.print(f"balance {money_str(b.balance, b.currency)} {b.currency}")
    for contact in view.contacts:
        flag = " (primary)" if contact.is_primary else ""
        console.print(
            f"contact {contact.name}{flag} {contact.role} {contact.email} {contact.phone}"
        )
    for a in view.addresses:
        console.print(f"{a.kind.value} address: {a.line1}, {a.postcode} {a.city}, {a.country}")
    for r in view.recent_orders:
        console.print(f"order {r.number} {r.status} {money_str(r.total, r.currency)} {r.currency}")
    console.print(f"returns {view.returns_count}; cases {view.cases_count}")
    for m in view.recent_communications:
        console.print(f"sent {m.created_at:%Y-%m-%d} {m.kind} {m.subject}")


def overview(customer: str = typer.Argument(..., help="number or id")) -> None:
    """The customer 360: profile, tier and why, orders, balance, returns, cases, mail."""
    with database() as db, db.reader() as session:
        view = customer_overview(session, customer)
    print_overview(view)


@contacts_app.command("list")
def contacts_list(customer: str = typer.Argument(..., help="number or id")) -> None:
    """A customer's contacts, the primary first."""
    with database() as db, db.reader() as session:
        items = list_contacts(session, get_customer(session, customer).id)
    table = Table("id", "name", "role", "email", "phone", "primary")
    for c in items:
        table.add_row(str(c.id), c.name, c.role, c.email, c.phone, "yes" if c.is_primary else "")
    console.print(table)


@contacts_app.command("add")
def contacts_add(
    customer: str = typer.Argument(..., help="number or id"),
    name: str = typer.Option(..., help="the person's name"),
    role: str = typer.Option("", help="buyer, accounts, goods in ..."),
    email: str = typer.Option(""),
    phone: str = typer.Option(""),
    primary: bool = typer.Option(False, "--primary", help="make them the primary contact"),
) -> None:
    """Add a contact (the first one is the primary)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = add_contact(
            uow,
            customer=customer,
            name=name,
            role=role,
            email=email,
            phone=phone,
            is_primary=primary,
        )
    console.print(f"added contact {view.name} ({view.id})")


@contacts_app.command("remove")
def contacts_remove(
    customer: str = typer.Argument(..., help="number or id"),
    contact_id: str = typer.Argument(..., help="the contact's id"),
) -> None:
    """Remove a contact."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        remove_contact(uow, customer=customer, contact_id=_uuid("contact_id", contact_id))
    console.print("removed")


def _uuid(name: str, value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ValidationFailed(
            f"{name} {value!r} is not an id", fields=[FieldError(name, "not an id")]
        ) from exc


@tiers_app.command("list")
def tiers_list() -> None:
    """Every tier, highest rank first."""
    with database() as db, db.reader() as session:
        items = tiers.list_tiers(session)
    table = Table(
        "code",
        "name",
        "rank",
        "period",
        "min spend",
        "min orders",
        "price list",
        "free express",
        "return window",
    )
    for t in items:
        table.add_row(
            t.code,
            t.name,
            str(t.rank),
            f"{t.period_days} days",
            "-" if t.min_spend is None else f"{money_str(t.min_spend, t.currency)} {t.currency}",
            "-" if t.min_orders is None else str(t.min_orders),
            t.price_list_code or "-",
            "yes" if t.free_express_shipping else "",
            "-" if t.return_window_days is None else f"{t.return_window_days} days",
        )
    console.print(table)


@tiers_app.command("set")
def tiers_set(
    code: str = typer.Argument(...),
    name: str = typer.Option(...),
    rank: int = typer.Option(..., help="higher is better; unique"),
    period_days: int = typer.Option(365),
    min_spend: str | None = typer.Option(None),
    min_orders: int | None = typer.Option(None),
    currency: str | None = typer.Option(None),
    price_list: str | None = typer.Option(None, help="price list code"),
    free_express_shipping: bool = typer.Option(False, "--free-express-shipping"),
    return_window_days: int | None = typer.Option(None),
) -> None:
    """Create or replace a tier (customers move at the next recalculation)."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        t = tiers.save_tier(
            uow,
            code=code,
            name=name,
            rank=rank,
            period_days=period_days,
            min_spend=min_spend,
            min_orders=min_orders,
            currency=currency,
            price_list_code=price_list,
            free_express_shipping=free_express_shipping,
            return_window_days=return_window_days,
        )
    console.print(f"tier {t.code} saved (rank {t.rank})")


@tiers_app.command("remove")
def tiers_remove(code: str = typer.Argument(...)) -> None:
    """Remove a tier nobody holds."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        tiers.delete_tier(uow, code=code)
    console.print(f"tier {code} removed")


@tiers_app.command("recalc")
def tiers_recalc(
    as_of: datetime | None = typer.Option(None, help="default: now (UTC)"),
) -> None:
    """Give every customer the highest tier they qualify for."""
    at = clock.as_utc(as_of) if as_of else None
    with (
        database() as db,
        progress_bar("customers re-tiered") as report,
        db.unit_of_work(actor=cli_actor()) as uow,
    ):
        run = tiers.recalculate_tiers(uow, as_of=at, progress=report)
    console.print(f"evaluated {run.evaluated} customers: {run.upgraded} up, {run.downgraded} down")


def duplicates(
    rule: str | None = typer.Option(None, help="email, phone or name_postcode"),
    limit: int = typer.Option(50, min=1, max=500),
) -> None:
    """Possible duplicate customers, grouped by the key they share."""
    if rule is not None and rule not in RULES:
        raise ValidationFailed(
            f"unknown rule {rule!r}", fields=[FieldError("rule", "email, phone or name_postcode")]
        )
    with database() as db, db.reader() as session:
        groups, more = find_duplicates(session, rule=rule, limit=limit)
    table = Table("rule", "key", "customers")
    for g in groups:
        table.add_row(g.rule, g.key, ", ".join(f"{m.number} {m.name}" for m in g.customers))
    console.print(table)
    if more:
        console.print(f"showing the first {limit} groups; raise --limit")


def _print_merge(m: MergeView) -> None:
    moved = ", ".join(f"{k} {v}" for k, v in sorted(m.moved.items())) or "nothing"
    state = f"undone {m.undone_at:%Y-%m-%d %H:%M} by {m.undone_by}" if m.undone_at else "active"
    console.print(f"merge {m.id} ({state}): moved {moved}")


def merge(
    survivor: str = typer.Argument(..., help="the record that stays (number or id)"),
    duplicate: str = typer.Argument(..., help="the record merged into it (number or id)"),
    reason: str = typer.Option(..., help="why (kept in the audit trail)"),
) -> None:
    """Merge DUPLICATE into SURVIVOR: orders, invoices, payments, returns, cases,
    communications, addresses, contacts and history move; undo with `unmerge`."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        s, d = get_customer(uow.session, survivor), get_customer(uow.session, duplicate)
        view = merge_customers(uow, survivor_id=s.id, duplicate_id=d.id, reason=reason)
    _print_merge(view)


def unmerge(
    merge_id: str = typer.Argument(..., help="the merge's id (see `customers merges`)"),
    reason: str = typer.Option(..., help="why"),
) -> None:
    """Undo a merge: exactly the rows it moved go back, and the duplicate is active again."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = unmerge_customer(uow, merge_id=_uuid("merge_id", merge_id), reason=reason)
    _print_merge(view)


def merges(
    customer: str | None = typer.Option(None, help="survivor or duplicate"),
    limit: int = typer.Option(50, min=1, max=500),
) -> None:
    """Customer merges, newest first."""
    with database() as db, db.reader() as session:
        customer_id = get_customer(session, customer).id if customer else None
        items, _ = list_merges(session, customer_id=customer_id, limit=limit)
    for m in items:
        _print_merge(m)


def register(app: typer.Typer) -> None:
    app.command("overview")(overview)
    app.command("duplicates")(duplicates)
    app.command("merge")(merge)
    app.command("unmerge")(unmerge)
    app.command("merges")(merges)
    app.add_typer(contacts_app, name="contacts")
    app.add_typer(tiers_app, name="tiers")
