"""Writing the generated demo business into an empty database, through the services.

Warehouses, carriers, back-office users, products, price lists, customers, bins and
reorder points go through the areas' own services; the opening balances are one
set-based posting to the stock ledger (``adjustment`` movements, reason
``opening_balance``), so ``ordersmith check`` finds projection == ledger. The order
history goes through ``orders.history_import`` in transactions of ``HISTORY_BATCH``
orders and moves no stock: it is history from a previous system, and the stock on hand
is the opening balance. The open orders go
through ``place_order`` and the lifecycle services, so they reserve stock like any
real order. Each phase commits on its own: a load that fails part-way leaves what
it wrote (and the database is then no longer empty).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ordersmith import clock
from ordersmith.billing.models import PaymentMethod
from ordersmith.billing.payments import record_payment
from ordersmith.catalog.queries import list_products
from ordersmith.catalog.services import PriceItemInput, create_price_list, create_product
from ordersmith.config import BackorderPolicy
from ordersmith.customers.models import AddressKind
from ordersmith.customers.services import AddressInput, create_customers, prepare_customer
from ordersmith.demo.carriers import CARRIERS, create_demo_carriers
from ordersmith.demo.generator import DemoConfig, DemoData, DemoOrder, generate
from ordersmith.demo.loyalty import load_tiers
from ordersmith.demo.master_data import CURRENCY
from ordersmith.demo.opening import DemoOpenOrder
from ordersmith.demo.people import Address, DemoCustomer
from ordersmith.demo.staff import create_demo_staff
from ordersmith.demo.suppliers import SuppliersLoaded, create_demo_suppliers
from ordersmith.errors import Conflict
from ordersmith.inventory import ledger
from ordersmith.inventory.events import StockAdjusted
from ordersmith.inventory.ledger import Entry
from ordersmith.inventory.models import AdjustmentReason, MovementKind
from ordersmith.inventory.services import create_warehouse, set_stock_settings
from ordersmith.orders.history_import import (
    HistoricalLine,
    HistoricalOrder,
    import_historical_orders,
)
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.queries import OrderFilter, list_orders
from ordersmith.orders.services import confirm_order, hold_order, release_order
from ordersmith.orders.status import HoldReason
from ordersmith.orders.views import OrderView
from ordersmith.uow import Database, UnitOfWork

ACTOR = "demo"
HISTORY_BATCH = 1000
Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; phases: catalog, suppliers, customers, stock, history,
open orders, tiers."""


class DatabaseNotEmpty(Conflict):
    code = "database_not_empty"
    title = "The database already has data"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    warehouses: int
    carriers: int
    products: int
    price_lists: int
    suppliers: int
    supplier_products: int
    customers: int
    stock_rows: int
    historical_orders: int
    open_orders: int
    seconds: float  # float-ok: elapsed time, not an amount


def has_business_data(db: Database) -> bool:
    """True when the database already has products or orders."""
    with db.reader() as session:
        products, _more = list_products(session, limit=1)
        return bool(products or list_orders(session, OrderFilter(), limit=1))


def check_empty(db: Database) -> None:
    """Raise DatabaseNotEmpty when the database already has products or orders."""
    if has_business_data(db):
        raise DatabaseNotEmpty("the demo loads only into a database without products or orders")


def load_demo(
    db: Database,
    *,
    seed: int = 42,
    history_days: int = 730,
    customers: int = 300,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate the demo business for ``seed`` and write it; raises DatabaseNotEmpty
    (and writes nothing) when the database already has products or orders."""
    started = time.perf_counter()
    config = DemoConfig(seed=seed, history_days=history_days, customers=customers)
    config.validate()
    check_empty(db)
    report = progress or _silent
    data = generate(config, today=clock.today())
    _catalog(db, data, report)
    supply = _suppliers(db, data, seed, report)
    customer_ids = _customers(db, data.customers, report)
    _stock(db, data, report)
    _history(db, data.orders, customer_ids, report)
    _open_orders(db, data.open_orders, customer_ids, report)
    report("tiers", 0, 1)
    load_tiers(db, data.products, data.price_lists)  # on the history just loaded
    report("tiers", 1, 1)
    return DemoSummary(
        warehouses=len(data.warehouses),
        carriers=len(CARRIERS),
        products=len(data.products),
        price_lists=len(data.price_lists) + 1,  # and the loyalty tier's (demo.loyalty)
        suppliers=supply.suppliers,
        supplier_products=supply.supplier_products,
        customers=len(data.customers),
        stock_rows=len(data.stock),
        historical_orders=len(data.orders),
        open_orders=len(data.open_orders),
        seconds=round(time.perf_counter() - started, 2),
    )


def _silent(_phase: str, _done: int, _total: int) -> None:
    pass


def _catalog(db: Database, data: DemoData, report: Progress) -> None:
    total = len(data.warehouses) + len(data.products) + len(data.price_lists)
    with db.unit_of_work(actor=ACTOR) as uow:
        for w in data.warehouses:
            create_warehouse(
                uow, code=w.code, name=w.name, address=w.address.as_dict(), priority=w.priority
            )
        create_demo_carriers(uow)
        create_demo_staff(uow)  # one back-office user per role (README: demo passwords)
        report("catalog", len(data.warehouses), total)
        for i, p in enumerate(data.products, start=1):
            create_product(
                uow,
                sku=p.sku,
                name=p.name,
                price=p.price,
                currency=CURRENCY,
                category=p.category,
                unit=p.unit,
                tax_category=p.tax_category,
                tax_rate=p.tax_rate,
                weight_kg=p.weight_kg,
                stocked=p.stocked,
                status=p.status,
                barcode=p.barcode,
            )
            if i % 20 == 0:
                report("catalog", len(data.warehouses) + i, total)
        for price_list in data.price_lists:
            create_price_list(
                uow,
                code=price_list.code,
                name=price_list.name,
                customer_group=price_list.customer_group,
                currency=CURRENCY,
                priority=price_list.priority,
                items=[PriceItemInput(i.sku, i.price, i.min_quantity) for i in price_list.items],
            )
    report("catalog", total, total)


def _suppliers(db: Database, data: DemoData, seed: int, report: Progress) -> SuppliersLoaded:
    report("suppliers", 0, 1)
    with db.unit_of_work(actor=ACTOR) as uow:
        loaded = create_demo_suppliers(uow, data.products, random.Random(f"suppliers:{seed}"))
    report("suppliers", 1, 1)
    return loaded


def _address(kind: AddressKind, address: Address) -> AddressInput:
    return AddressInput(
        kind=kind,
        name=address.name,
        line1=address.line1,
        city=address.city,
        postcode=address.postcode,
        country=address.country,
        is_default=True,
    )


def _customers(
    db: Database, customers: Sequence[DemoCustomer], report: Progress
) -> list[uuid.UUID]:
    """All customers in one unit of work (``create_customers`` numbers them up front)."""
    report("customers", 0, len(customers))
    prepared = [
        prepare_customer(
            default_currency=CURRENCY,
            name=c.name,
            email=c.email,
            account_type=c.account_type,
            company=c.company,
            phone=c.phone,
            customer_group=c.customer_group,
            payment_terms_days=c.payment_terms_days if c.is_trade else None,
            credit_limit=c.credit_limit,
            currency=CURRENCY,
            addresses=[
                _address(AddressKind.BILLING, c.billing),
                _address(AddressKind.SHIPPING, c.shipping),
            ],
        )
        for c in customers
    ]
    with db.unit_of_work(actor=ACTOR) as uow:
        views = create_customers(uow, customers=prepared)
    report("customers", len(customers), len(customers))
    return [v.id for v in views]


def _stock(db: Database, data: DemoData, report: Progress) -> None:
    """Bin and reorder point per row (the service), then every opening balance as one
    set-based ledger posting of ``adjustment`` movements (reason ``opening_balance``)."""
    total = len(data.stock)
    with db.unit_of_work(actor=ACTOR) as uow:
        entries, events = [], []
        for i, row in enumerate(data.stock, start=1):
            level = set_stock_settings(
                uow,
                warehouse=row.warehouse,
                sku=row.sku,
                reorder_point=row.reorder_point,
                bin_location=row.bin_location,
            )
            if row.on_hand:
                entries.append(
                    Entry(
                        level.warehouse_id,
                        level.product_id,
                        MovementKind.ADJUSTMENT,
                        on_hand_delta=row.on_hand,
                        reason=f"{AdjustmentReason.OPENING_BALANCE.value}: demo data",
                        source_type="adjustment",
                    )
                )
                events.append(
                    StockAdjusted(
                        aggregate_id=level.product_id,
                        warehouse_id=level.warehouse_id,
                        warehouse=row.warehouse,
                        sku=row.sku,
                        delta=row.on_hand,
                        on_hand=row.on_hand,
                        reason=AdjustmentReason.OPENING_BALANCE.value,
                    )
                )
            if i % 25 == 0:
                report("stock", i, total)
        ledger.post(uow.session, entries, actor=uow.actor)
        uow.record(*events)
    report("stock", total, total)


def _history(
    db: Database,
    orders: Sequence[DemoOrder],
    customer_ids: list[uuid.UUID],
    report: Progress,
) -> None:
    report("history", 0, len(orders))
    for start in range(0, len(orders), HISTORY_BATCH):
        batch = [_historical(o, customer_ids) for o in orders[start : start + HISTORY_BATCH]]
        with db.unit_of_work(actor=ACTOR) as uow:
            import_historical_orders(uow, batch)
        report("history", start + len(batch), len(orders))


def _historical(order: DemoOrder, customer_ids: list[uuid.UUID]) -> HistoricalOrder:
    return HistoricalOrder(
        customer_id=customer_ids[order.customer],
        channel=order.channel,
        external_ref=order.ref,
        created_at=order.created_at,
        status=order.status,
        lines=[
            HistoricalLine(
                ln.sku, ln.quantity, ln.unit_price, ln.discount, ln.tax_rate, ln.price_source
            )
            for ln in order.lines
        ],
        shipping_amount=order.totals.shipping_total,
        total=order.totals.total,
    )


def _open_orders(
    db: Database,
    orders: Sequence[DemoOpenOrder],
    customer_ids: list[uuid.UUID],
    report: Progress,
) -> None:
    """Each order in its own unit of work (placement takes a number before any SQL)."""
    for i, order in enumerate(orders, start=1):
        backorder = order.state == "backordered"
        with db.unit_of_work(actor=ACTOR) as uow:
            placed = place_order(
                uow,
                PlaceOrder(
                    customer_id=customer_ids[order.customer],
                    channel=order.channel,
                    lines=[LineRequest(sku, quantity) for sku, quantity in order.lines],
                    external_ref=order.ref,
                    backorder_policy=BackorderPolicy.BACKORDER if backorder else None,
                ),
            )
        if order.state in ("confirmed", "on_hold"):
            with db.unit_of_work(actor=ACTOR) as uow:
                _confirm(uow, placed)
        if order.state == "on_hold":
            with db.unit_of_work(actor=ACTOR) as uow:
                hold_order(
                    uow,
                    order_id=placed.id,
                    reason=HoldReason.MANUAL,
                    note="Customer asked us to wait until the site is ready",
                )
        report("open orders", i, len(orders))


def _confirm(uow: UnitOfWork, order: OrderView) -> None:
    """Confirm the order. A cash sale waiting for its money is paid by card instead
    (billing then releases and confirms it); another hold is released first."""
    if order.hold_reason == HoldReason.AWAITING_PAYMENT:
        record_payment(
            uow,
            customer_id=order.customer_id,
            method=PaymentMethod.CARD.value,
            amount=order.total,
            currency=order.currency,
            reference=f"card payment for {order.number}",
            order_id=order.id,
        )
        return
    if order.hold_reason is not None:
        release_order(uow, order_id=order.id, note="Checked with the customer")
    confirm_order(uow, order_id=order.id)
