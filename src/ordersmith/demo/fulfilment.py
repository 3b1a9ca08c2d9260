"""Weeks of fulfilment played on the demo database in seconds: ``simulate_fulfilment``.

Day by day over the last ``days`` days (ending on the last weekday before today, at
18:00), every action runs at its own simulated time (``clock.simulated``) through the
real services: customers place orders, sales confirms them (now and then one is
cancelled), the warehouse picks in two waves a day (sometimes short), packs (sometimes
two boxes, sometimes a customer's orders together), prints labels and packing slips (a
few are forgotten), hands the parcels to the van fleet or ParcelNet at 16:00, and the
carriers report their scans: mostly on time, some late, some after an exception, two
stuck in a hub, one returned to the sender. After-sales (``demo.aftersales``): returns
in every state, customer service cases, orders changed and split before picking, and a
duplicate customer merged. Goods-in receives supplier deliveries that
release backorders; the worker sends each day's mail at night. Account customers pay
their invoices (``demo.billing``), from a billing history that starts months before
the first day (``demo.billing_story``), so the receivables end in every state and age.

The last day ends with work in every state: orders placed and not yet confirmed,
confirmed and allocated, backordered and partially shipped, on an open pick list,
picked, packed with and without a label, dispatched, in transit, delivered, cancelled.
The same seed on the same demo database tells the same story.
"""

from __future__ import annotations

import random
import time as timer
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.catalog.queries import get_products_by_sku
from ordersmith.db import table_of
from ordersmith.demo import master_data as md
from ordersmith.demo.aftersales_report import AfterSalesSummary, aftersales_summary
from ordersmith.demo.billing_report import BillingSummary, billing_summary
from ordersmith.demo.carriers import create_demo_carriers
from ordersmith.demo.demand import load_shop
from ordersmith.demo.schedule import Simulation
from ordersmith.errors import Conflict, FieldError, ValidationFailed
from ordersmith.fulfillment.kpi_report import kpi_report
from ordersmith.inventory.queries import list_warehouses
from ordersmith.jobs.worker import run_once
from ordersmith.orders.models import Order
from ordersmith.shipping.models import Shipment
from ordersmith.shipping.queries import list_shipments
from ordersmith.uow import Database

ACTOR = "demo"
MAX_DAYS = 365
Progress = Callable[[str, int, int], None]
"""``progress("fulfilment", days done, days)``."""


class FulfilmentAlreadySimulated(Conflict):
    code = "fulfilment_already_simulated"
    title = "Fulfilment was simulated already"


class NotADemoDatabase(Conflict):
    code = "not_a_demo_database"
    title = "This is not the demo database"


@dataclass(frozen=True, slots=True)
class FulfilmentSummary:
    first_day: date
    last_day: date
    orders: int
    """Orders the simulation placed."""
    order_statuses: dict[str, int]
    fulfilment_statuses: dict[str, int]
    shipment_statuses: dict[str, int]
    tracking_events: int
    purchase_orders: int
    stock_receipts: int
    """Supplier deliveries received against purchase orders."""
    short_picks: int
    damage_reports: int
    emails: int
    """Messages the worker sent (or wrote to ``<data_dir>/mail``) during the simulation."""
    perfect_order_rate: Decimal | None
    """Over the simulated days (``fulfillment.kpi_facts.kpi_report``)."""
    billing: BillingSummary
    """Order to cash on the last day (``demo.billing_report``)."""
    aftersales: AfterSalesSummary
    """Returns, cases, tiers, merges and order changes at the end (``demo.aftersales``)."""
    seconds: float  # float-ok: elapsed time, not an amount


def has_shipments(db: Database) -> bool:
    with db.reader() as session:
        return bool(list_shipments(session, limit=1))


def is_demo_database(db: Database) -> bool:
    """True when the demo's warehouses and products are there (``ordersmith demo``)."""
    skus = [p.sku for p in md.products(random.Random(0))[:3]]
    with db.reader() as session:
        codes = {w.code for w in list_warehouses(session)}
        found = get_products_by_sku(session, skus)
    return {w.code for w in md.WAREHOUSES} <= codes and set(found) == set(skus)


def check_days(days: int) -> None:
    if isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(
            "invalid simulation length", fields=[FieldError("days", f"from 1 to {MAX_DAYS}")]
        )


def last_working_day(today: date) -> date:
    """The last weekday before ``today``: the simulation's story ends there."""
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def simulate_fulfilment(
    db: Database, *, days: int = 42, seed: int = 42, progress: Progress | None = None
) -> FulfilmentSummary:
    """Play ``days`` days of fulfilment on the demo database (see the module docstring).
    Refuses a database that is not the demo's or already has shipments."""
    check_days(days)
    if not is_demo_database(db):
        raise NotADemoDatabase("fulfilment is simulated only on the demo database")
    if has_shipments(db):
        raise FulfilmentAlreadySimulated("the database has shipments already")
    started = timer.perf_counter()
    last_day = last_working_day(clock.today())
    first_day = last_day - timedelta(days=days - 1)
    emails = run_once(db).messages_sent  # what was queued before goes out first
    rng = random.Random(seed)
    start = datetime.combine(first_day, time(6), tzinfo=UTC)
    with clock.simulated(start), db.unit_of_work(actor=ACTOR) as uow:
        create_demo_carriers(uow)
    with db.reader() as session:
        shop = load_shop(session, rng)
    simulation = Simulation(db, rng, shop, first_day, last_day, progress, seed)
    simulation.run()
    emails += simulation.emails + simulation.billing.emails
    with db.reader() as session:
        orders = list(simulation.story.orders)
        return FulfilmentSummary(
            first_day=first_day,
            last_day=last_day,
            orders=len(orders),
            order_statuses=_count(session, Order, "status", orders),
            fulfilment_statuses=_count(session, Order, "fulfilment_status", orders),
            shipment_statuses=_count(session, Shipment, "status", None),
            tracking_events=simulation.deliveries.events,
            damage_reports=simulation.deliveries.damage_reports
            + simulation.aftersales.damage_reports,
            purchase_orders=simulation.supply.purchase_orders,
            stock_receipts=simulation.supply.receipts,
            short_picks=simulation.story.short_picks,
            emails=emails,
            perfect_order_rate=_perfect_order_rate(session, first_day, last_day),
            billing=billing_summary(session, as_of=last_day, currency=db.settings.default_currency),
            aftersales=aftersales_summary(session, simulation.end),
            seconds=round(timer.perf_counter() - started, 2),
        )


def _count(
    session: Session, model: type[Any], column: str, ids: Iterable[uuid.UUID] | None
) -> dict[str, int]:
    """Rows per value of ``column`` (of the rows with these ``ids``, or all)."""
    table = table_of(model)
    counts: Counter[str] = Counter()
    wanted = None if ids is None else sorted(ids)
    chunks = [None] if wanted is None else [wanted[i : i + 500] for i in range(0, len(wanted), 500)]
    for chunk in chunks:
        query = sa.select(table.c[column], sa.func.count()).group_by(table.c[column])
        if chunk is not None:
            query = query.where(table.c.id.in_(chunk))
        counts.update({str(value): int(n) for value, n in session.execute(query)})
    return dict(sorted(counts.items()))


def _perfect_order_rate(session: Session, first_day: date, last_day: date) -> Decimal | None:
    """The perfect-order rate over the simulated days (None: nothing delivered)."""
    report = kpi_report(session, date_from=first_day, date_to=last_day, as_of=last_day)
    return report.perfect_order.rate
