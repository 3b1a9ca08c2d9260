"""The demo generator: deterministic, the shape asked for, seasons and money that add up."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ordersmith.customers.models import AccountType
from ordersmith.demo.generator import (
    DemoConfig,
    DemoData,
    DemoOrder,
    customer_price,
    generate,
    price_table,
)
from ordersmith.demo.master_data import DemoProduct
from ordersmith.errors import ValidationFailed
from ordersmith.orders.models import Channel
from ordersmith.orders.status import OrderStatus

TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def data() -> DemoData:
    """The default business (two years of history), generated once for this module."""
    return generate(DemoConfig(), today=TODAY)


def _units_by_month(data: DemoData, category: str) -> Counter[int]:
    category_of = {p.sku: p.category for p in data.products}
    units: Counter[int] = Counter()
    for order in data.orders:
        for line in order.lines:
            if category_of[line.sku] == category:
                units[order.created_at.month] += line.quantity
    return units


def test_the_same_seed_gives_the_same_business():
    # given
    config = DemoConfig(seed=7, history_days=60, customers=40)
    # when
    first, second = generate(config, today=TODAY), generate(config, today=TODAY)
    # then
    assert first == second


def test_another_seed_gives_another_business():
    # given
    days = {"history_days": 60, "customers": 40}
    # when
    first = generate(DemoConfig(seed=1, **days), today=TODAY)
    second = generate(DemoConfig(seed=2, **days), today=TODAY)
    # then
    assert first.orders != second.orders
    assert first.customers != second.customers


def test_the_default_business_has_the_shape_asked_for(data):
    # given the default configuration
    statuses = Counter(p.status for p in data.products)
    # then
    assert [w.code for w in data.warehouses] == ["MAIN", "NORTH", "SOUTH"]
    assert 90 <= len(data.products) <= 110
    assert statuses["draft"] >= 2
    assert 1 <= statuses["discontinued"] <= 2
    assert {p.tax_rate for p in data.products} == {Decimal("0.2000"), Decimal("0.0500")}
    assert [pl.code for pl in data.price_lists] == ["WHOLESALE", "VIP"]
    assert any(item.min_quantity > 1 for item in data.price_lists[0].items)
    assert len(data.customers) == 300
    assert {c.account_type for c in data.customers} == {AccountType.CASH, AccountType.ACCOUNT}
    assert 12_000 <= len(data.orders) <= 18_000
    assert {o.channel for o in data.orders} == set(Channel)
    assert {o.status for o in data.orders} == {OrderStatus.COMPLETED, OrderStatus.CANCELLED}
    assert all(1 <= len(o.lines) <= 8 for o in data.orders)


def test_the_history_ends_yesterday_and_covers_the_days_asked_for(data):
    # given
    days = {o.created_at.date() for o in data.orders}
    # then
    assert max(days) == TODAY - timedelta(days=1)
    assert min(days) == TODAY - timedelta(days=730)


def test_trade_customers_buy_on_account_with_terms_and_a_credit_limit(data):
    # given
    trade = [c for c in data.customers if c.account_type is AccountType.ACCOUNT]
    cash = [c for c in data.customers if c.account_type is AccountType.CASH]
    # then
    assert {c.payment_terms_days for c in trade} == {30, 60}
    assert all(c.credit_limit is not None and c.credit_limit > 0 for c in trade)
    assert {c.customer_group for c in trade} == {"wholesale", "vip"}
    assert all(c.credit_limit is None and c.payment_terms_days == 0 for c in cash)


def test_names_emails_companies_skus_and_barcodes_are_unique(data):
    # given
    companies = [c.company for c in data.customers if c.company]
    barcodes = [p.barcode for p in data.products if p.barcode]
    # then
    assert len({c.name for c in data.customers}) == len(data.customers)
    assert len({c.email for c in data.customers}) == len(data.customers)
    assert len(set(companies)) == len(companies)
    assert len({p.sku for p in data.products}) == len(data.products)
    assert len(set(barcodes)) == len(barcodes)


def test_garden_sells_more_in_june_than_in_january(data):
    # when
    units = _units_by_month(data, "Garden")
    # then
    assert units[6] > 2 * units[1]


def test_heating_sells_more_in_january_than_in_july(data):
    # when
    units = _units_by_month(data, "Heating and climate")
    # then
    assert units[1] > 2 * units[7]


def test_weekdays_are_busier_than_weekends(data):
    # when
    per_weekday = Counter(o.created_at.weekday() for o in data.orders)
    # then
    assert min(per_weekday[d] for d in range(5)) > 1.5 * max(per_weekday[5], per_weekday[6])


def test_the_business_grows_year_on_year(data):
    # given
    split = TODAY - timedelta(days=365)
    # when
    recent = sum(o.created_at.date() >= split for o in data.orders)
    older = len(data.orders) - recent
    # then
    assert 1.1 < recent / older < 1.35


def test_a_promotion_lifts_its_category_while_it_runs(data):
    # given
    promo = next(p for p in data.promotions if p.category == "Power tools")
    category_of = {p.sku: p.category for p in data.products}

    def units(start: date) -> int:
        end = start + timedelta(days=promo.days)
        return sum(
            line.quantity
            for o in data.orders
            if start <= o.created_at.date() < end
            for line in o.lines
            if category_of[line.sku] == promo.category
        )

    # when
    during, before = units(promo.start), units(promo.start - timedelta(days=promo.days))
    # then
    assert during > 1.5 * before


def test_discontinued_products_stop_selling_when_discontinued(data):
    # given
    gone = [p for p in data.products if p.status == "discontinued"]
    # when
    last_sale = {
        line.sku: o.created_at.date()
        for o in data.orders
        for line in o.lines
        if line.sku in {p.sku for p in gone}
    }
    # then
    for product in gone:
        assert last_sale[product.sku] < TODAY - timedelta(days=product.discontinued_days_ago)


def test_slow_movers_sell_on_few_days_only(data):
    # given
    slow = {p.sku for p in data.products if p.popularity < 0.2}
    # when
    days_with_sales = Counter(
        sku
        for sku, _day in {
            (line.sku, o.created_at.date())
            for o in data.orders
            for line in o.lines
            if line.sku in slow
        }
    )
    # then
    assert len(slow) >= 3
    assert all(0 < days_with_sales[sku] < 730 / 5 for sku in slow)


def test_draft_products_never_sold(data):
    # given
    drafts = {p.sku for p in data.products if p.status == "draft"}
    # then
    assert not any(line.sku in drafts for o in data.orders for line in o.lines)


def test_every_order_total_is_the_sum_of_its_lines(data):
    # given
    def adds_up(order: DemoOrder) -> bool:
        net = sum((ln.quantity * ln.unit_price - ln.discount for ln in order.lines), Decimal(0))
        totals = order.totals
        return (
            totals.subtotal - totals.discount_total == net
            and totals.total == net + totals.tax_total + totals.shipping_total
        )

    # when
    wrong = [o.ref for o in data.orders if not adds_up(o)]
    # then
    assert wrong == []


def test_amounts_are_decimals_never_floats(data):
    # when
    amounts = [v for o in data.orders for ln in o.lines for v in (ln.unit_price, ln.discount)]
    amounts += [p.price for p in data.products]
    amounts += [i.price for pl in data.price_lists for i in pl.items]
    # then
    assert all(isinstance(a, Decimal) for a in amounts)


def test_a_customer_price_takes_the_largest_quantity_break_reached(data):
    # given a bulk product on the wholesale list with breaks at 10 and 50
    wholesale = data.price_lists[0]
    sku = next(i.sku for i in wholesale.items if i.min_quantity == 50)
    product: DemoProduct = next(p for p in data.products if p.sku == sku)
    table = price_table(data.price_lists)
    prices = {i.min_quantity: i.price for i in wholesale.items if i.sku == sku}
    # when
    quoted = {q: customer_price(table, product, "wholesale", q) for q in (9, 10, 120)}
    retail = customer_price(table, product, "retail", 120)
    # then
    assert quoted[9] == (prices[1], "price_list:WHOLESALE")
    assert quoted[10][0] == prices[10]
    assert quoted[120][0] == prices[50]
    assert retail == (product.price, "list_price")


def test_some_stock_is_low_and_one_product_is_out_of_stock(data):
    # given
    on_hand: Counter[str] = Counter()
    for row in data.stock:
        on_hand[row.sku] += row.on_hand
    # then
    assert sum(0 < r.on_hand <= r.reorder_point for r in data.stock) >= 3
    assert sum(total == 0 for total in on_hand.values()) == 1
    assert all(r.bin_location[0].isalpha() and r.bin_location.count("-") == 2 for r in data.stock)


def test_open_orders_fit_the_stock_except_the_one_backorder(data):
    # given
    available: Counter[str] = Counter()
    for row in data.stock:
        available[row.sku] += row.on_hand
    # when
    wanted: Counter[str] = Counter()
    for order in data.open_orders:
        if order.state != "backordered":
            wanted.update(dict(order.lines))
    # then
    assert len(data.open_orders) == 20
    assert Counter(o.state for o in data.open_orders)["on_hold"] == 1
    assert Counter(o.state for o in data.open_orders)["backordered"] == 1
    assert all(wanted[sku] <= available[sku] for sku in wanted)
    assert len({o.customer for o in data.open_orders}) == len(data.open_orders)


@pytest.mark.parametrize(
    ("field", "value"), [("history_days", -1), ("customers", 5), ("customers", 100_000)]
)
def test_settings_out_of_range_are_refused(field, value):
    # given
    config = DemoConfig(**{field: value})
    # when
    with pytest.raises(ValidationFailed) as error:
        generate(config, today=TODAY)
    # then
    assert error.value.fields[0].field == field
