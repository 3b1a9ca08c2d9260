"""Inventory, catalog and KPI pages in a real browser: a stock adjustment and its ledger
row, a refused adjustment, the low-stock filter, a role that may look but not change
stock, a product and a price list edited by purchasing, and the KPI report's chart and
tables. Each test takes a screenshot of the page it checks (ORDERSMITH_ARTEFACTS)."""

from __future__ import annotations

from typing import Any

import pytest

from ordersmith.catalog.services import PriceItemInput
from ordersmith.errors import Forbidden
from ordersmith.inventory.models import AdjustmentReason
from ordersmith.inventory.queries import stock_levels
from ordersmith.inventory.services import adjust_stock
from ordersmith.staff.roles import permissions_of
from ordersmith.uow import Database
from tests.browser.screenshots import screenshot_dir
from tests.factories.catalog import make_price_list, make_product
from tests.factories.inventory import stock_up
from tests.factories.kpi import SetClock, at, week_of_orders
from tests.integration.conftest import make_shop


@pytest.fixture(scope="module")
def shop(live_server: Any) -> Any:
    return make_shop(live_server.db)


def screenshot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)


def stocked_product(live_server: Any, sku: str, on_hand: int, name: str = "") -> None:
    """A product with ``on_hand`` units in MAIN."""
    with live_server.db.unit_of_work(actor="test") as uow:
        make_product(uow, sku=sku, name=name or f"Product {sku}")
    stock_up(live_server.db, {("MAIN", sku): on_hand})


def on_hand(live_server: Any, sku: str) -> int:
    with live_server.db.reader() as session:
        return sum(r.on_hand for r in stock_levels(session, sku=sku) if r.warehouse == "MAIN")


def click(page: Any, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def level(page: Any, warehouse: str, value: str) -> str:
    row = page.get_by_test_id("levels").locator(f'tr[data-warehouse="{warehouse}"]')
    text: str = row.locator(f'[data-value="{value}"]').inner_text()
    return text


def listed(page: Any) -> list[str]:
    return page.locator("#results tbody tr[data-stock]").evaluate_all(
        "rows => rows.map(r => r.dataset.stock)"
    )


def test_a_warehouse_user_adjusts_stock_down_and_the_ledger_shows_the_movement(
    page, live_server, signed_in, shop
):
    # given: 10 units of W-ADJ in MAIN
    stocked_product(live_server, "W-ADJ", 10)
    signed_in(page, "warehouse")
    page.goto(live_server.url("/inventory/W-ADJ"))
    # when: three are damaged
    page.get_by_label("Warehouse", exact=True).select_option("MAIN")
    page.get_by_label("Units to add (use - to take off)").fill("-3")
    page.get_by_label("Reason").select_option("damage")
    page.get_by_label("Note (optional)", exact=True).fill("dropped pallet")
    click(page, "Adjust stock")
    # then: the level fell and the newest ledger row says why
    assert page.get_by_role("status").inner_text() == "The adjustment is recorded."
    assert level(page, "MAIN", "on_hand") == "7"
    newest = page.get_by_test_id("ledger").locator("tbody tr").first
    assert newest.get_attribute("data-kind") == "adjustment"
    assert newest.locator('[data-value="on_hand_delta"]').inner_text() == "-3"
    assert newest.locator('[data-value="reason"]').inner_text() == "damage: dropped pallet"
    assert on_hand(live_server, "W-ADJ") == 7
    assert all(url.startswith(live_server.base_url) for url in page.recorded.urls)
    screenshot(page, "inventory-sku")


def test_an_adjustment_below_zero_shows_the_code_and_changes_nothing(
    page, live_server, signed_in, shop
):
    # given: 5 units of W-NEG in MAIN
    stocked_product(live_server, "W-NEG", 5)
    signed_in(page, "warehouse")
    page.goto(live_server.url("/inventory/W-NEG"))
    # when: 8 are taken off
    page.get_by_label("Units to add (use - to take off)").fill("-8")
    page.get_by_label("Reason").select_option("loss")
    click(page, "Adjust stock")
    # then: the service's message and code; the level and the ledger are unchanged
    error = page.get_by_test_id("action-error").inner_text()
    assert "stock_would_go_negative" in error
    assert "W-NEG in MAIN has 5 on hand" in error
    assert level(page, "MAIN", "on_hand") == "5"
    assert page.get_by_label("Units to add (use - to take off)").input_value() == "-8"
    kinds = (
        page.get_by_test_id("ledger")
        .locator("tbody tr")
        .evaluate_all("rows => rows.map(r => r.dataset.kind)")
    )
    assert kinds == ["receipt"]
    assert on_hand(live_server, "W-NEG") == 5


def test_the_low_stock_filter_lists_a_sku_below_its_reorder_point(
    page, live_server, signed_in, shop
):
    # given: W-LOW has 3 units, W-FULL 50; the warehouse sets W-LOW's reorder point to 5
    stocked_product(live_server, "W-LOW", 3)
    stocked_product(live_server, "W-FULL", 50)
    signed_in(page, "warehouse")
    page.goto(live_server.url("/inventory/W-LOW"))
    page.get_by_label("Reorder point").fill("5")
    page.get_by_label("Bin location").fill("A-01-02")
    click(page, "Save settings")
    assert level(page, "MAIN", "reorder_point") == "5"
    # when: the list, at or below the reorder point, searched by the SKUs' start
    page.goto(live_server.url("/inventory?q=w-&low=1"))
    # then
    assert listed(page) == ["W-LOW@MAIN"]
    # when: the same search without the filter (HTMX follows the checkbox)
    page.get_by_label("At or below the reorder point").uncheck()
    page.wait_for_function("!location.search.includes('low=1')")
    page.wait_for_load_state("networkidle")
    # then
    assert {"W-LOW@MAIN", "W-FULL@MAIN"} <= set(listed(page))
    # when: on a warehouse phone, 390 pixels wide
    page.set_viewport_size({"width": 390, "height": 844})
    # then: the page itself does not scroll sideways (wide tables scroll in their box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "inventory-list")


def test_a_sales_user_sees_levels_but_may_not_adjust(page, live_server, signed_in, shop):
    # given: 4 units of W-SAL
    stocked_product(live_server, "W-SAL", 4)
    signed_in(page, "sales")
    # when: the list and the SKU's page
    page.goto(live_server.url("/inventory?q=W-SAL"))
    assert listed(page) == ["W-SAL@MAIN"]
    page.get_by_role("link", name="W-SAL", exact=True).click()
    page.wait_for_load_state()
    # then: the levels, no forms
    assert level(page, "MAIN", "available") == "4"
    assert page.get_by_role("region", name="Change stock").count() == 0
    # when: an adjustment is forged with the user's own valid token
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    forged = page.request.post(
        live_server.url("/inventory/W-SAL/adjust"),
        form={"csrf_token": token, "warehouse": "MAIN", "delta": "-4", "reason": "loss"},
        headers={"accept": "text/html"},
    )
    # then: the 403 page, and the service refuses the role as well
    assert forged.status == 403
    with (
        pytest.raises(Forbidden),
        live_server.db.unit_of_work(
            actor="staff:sales", permissions=permissions_of("sales")
        ) as uow,
    ):
        adjust_stock(uow, warehouse="MAIN", sku="W-SAL", delta=-4, reason=AdjustmentReason.LOSS)
    assert on_hand(live_server, "W-SAL") == 4


def test_a_transfer_is_dispatched_and_received_in_part_through_the_pages(
    page, live_server, signed_in, shop
):
    # given: 6 units of W-TRF in MAIN
    stocked_product(live_server, "W-TRF", 6)
    signed_in(page, "warehouse")
    page.goto(live_server.url("/inventory/transfers/new"))
    # when: 4 leave for EAST at once
    page.get_by_label("From warehouse").select_option("MAIN")
    page.get_by_label("To warehouse").select_option("EAST")
    page.get_by_label("SKU of line 1").fill("W-TRF")
    page.get_by_label("Units of line 1").fill("4")
    page.get_by_label("The goods leave now (dispatch at once)").check()
    click(page, "Create transfer")
    # then
    assert page.get_by_test_id("status").inner_text() == "in transit"
    assert on_hand(live_server, "W-TRF") == 2
    # when: more arrive than were sent
    page.get_by_label("Units of W-TRF arrived").fill("5")
    click(page, "Book receipt")
    # then: refused with its code, nothing booked
    assert "receipt_exceeds_outstanding" in page.get_by_test_id("action-error").inner_text()
    assert page.get_by_test_id("status").inner_text() == "in transit"
    # when: 3 arrive
    page.get_by_label("Units of W-TRF arrived").fill("3")
    click(page, "Book receipt")
    # then
    assert page.get_by_test_id("status").inner_text() == "partially received"
    lines = page.get_by_test_id("lines")
    assert lines.locator('tr[data-line="W-TRF"] [data-value="received"]').inner_text() == "3"
    screenshot(page, "inventory-transfer")


def test_a_purchasing_user_edits_a_products_name_and_a_price_list_item(
    page, live_server, signed_in, shop
):
    # given: product C-EDIT at 9.00 in price list PL-EDIT
    with live_server.db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="C-EDIT", name="Clamp", price="12.00")
        make_price_list(uow, code="PL-EDIT", items=[PriceItemInput("C-EDIT", "9.00")])
    signed_in(page, "purchasing")
    page.goto(live_server.url("/catalog?q=c-ed"))
    page.get_by_role("link", name="C-EDIT", exact=True).click()
    page.wait_for_load_state()
    # when: a price that is not an amount
    page.get_by_label("List price").fill("twelve")
    click(page, "Save product")
    # then: refused with its code, nothing changed
    assert "validation_error" in page.get_by_test_id("action-error").inner_text()
    assert page.get_by_test_id("list-price").inner_text() == "12.00 EUR"
    # when: the name, with the price put right
    page.get_by_label("List price").fill("12.00")
    page.get_by_label("Name").fill("Clamp, heavy duty")
    click(page, "Save product")
    # then
    assert page.get_by_role("status").inner_text() == "The product is saved."
    assert page.get_by_test_id("product-name").inner_text() == "Clamp, heavy duty"
    screenshot(page, "catalog-product")
    # when: the price list's item gets a new price, and a tier from 10 units is added
    page.get_by_test_id("prices").get_by_role("link", name="PL-EDIT").click()
    page.wait_for_load_state()
    page.get_by_label("New price of C-EDIT from 1").fill("8.50")
    click(page, "Replace")
    page.get_by_label("SKU").fill("C-EDIT")
    page.get_by_label("From units").fill("10")
    page.get_by_label("Price per unit (EUR)").fill("8.00")
    click(page, "Save price")
    # then
    items = page.get_by_test_id("items")
    assert items.locator('tr[data-item="C-EDIT:1"] [data-value="price"]').inner_text() == "8.50"
    assert items.locator('tr[data-item="C-EDIT:10"] [data-value="price"]').inner_text() == "8.00"
    screenshot(page, "catalog-price-list")


def test_a_purchasing_user_adds_a_product_and_finds_it_by_its_barcode(
    page, live_server, signed_in, shop
):
    # given
    signed_in(page, "purchasing")
    page.goto(live_server.url("/catalog"))
    page.get_by_role("link", name="New product").click()
    page.wait_for_load_state()
    # when
    page.get_by_label("SKU").fill("C-NEW")
    page.get_by_label("Name").fill("Chisel")
    page.get_by_label("List price").fill("7.25")
    page.get_by_label("Barcode").fill("4006381333931")
    click(page, "Add product")
    # then
    assert page.get_by_role("status").inner_text() == "The product is added."
    assert page.get_by_test_id("list-price").inner_text() == "7.25 EUR"
    # when: the catalog searched by the barcode
    page.goto(live_server.url("/catalog?q=4006381333931"))
    # then
    rows = page.locator("#results tbody tr[data-product]").evaluate_all(
        "rows => rows.map(r => r.dataset.product)"
    )
    assert rows == ["C-NEW"]
    screenshot(page, "catalog-list")


def test_a_price_for_an_unknown_sku_is_refused_with_its_code(page, live_server, signed_in, shop):
    # given
    with live_server.db.unit_of_work(actor="test") as uow:
        make_price_list(uow, code="PL-BAD")
    signed_in(page, "purchasing")
    page.goto(live_server.url("/catalog/price-lists/PL-BAD"))
    # when
    page.get_by_label("SKU").fill("NO-SUCH")
    page.get_by_label("Price per unit (EUR)").fill("1.00")
    click(page, "Save price")
    # then
    error = page.get_by_test_id("action-error").inner_text()
    assert "validation_error" in error
    assert "no product with sku 'NO-SUCH'" in error
    assert page.get_by_test_id("items").locator("tr[data-item]").count() == 0


def test_the_kpi_page_draws_its_chart_and_tables_with_the_components(
    page, live_server, signed_in, shop, monkeypatch
):
    # given: the week of tests/factories/kpi.py (orders of one customer, no duplicates)
    settings = live_server.db.settings.model_copy(update={"duplicate_window_minutes": 0})
    db = Database.connect(settings)
    try:
        week = week_of_orders(db, SetClock(monkeypatch, at(2, 9)), shop.cash.id)
    finally:
        db.dispose()
    signed_in(page, "sales")
    # when
    page.goto(live_server.url("/kpis?from=2026-03-01&to=2026-03-31"))
    page.wait_for_load_state("networkidle")
    # then: the chart is drawn, the components are in the table, the failures link
    assert page.evaluate("!!Chart.getChart(document.getElementById('chart-perfect'))")
    components = page.get_by_test_id("components")
    assert components.locator('tr[data-component="complete"] td').last.inner_text() == "67 %"
    assert components.locator('tr[data-component="on_time"] td').last.inner_text() == "83 %"
    assert page.locator('[data-kpi="perfect-order"] [data-value="rate"]').inner_text() == "17 %"
    late = page.get_by_test_id("failing-on_time")
    assert "late_by_2_days" in late.inner_text()
    assert late.get_by_role("link").first.inner_text() == week.number("late")
    assert "2026-03-02" in page.get_by_test_id("weeks").inner_text()
    screenshot(page, "kpis")
    # when: a window that ends before it starts
    page.get_by_label("From (first day)").fill("2026-03-31")
    page.get_by_label("To (last day, included)").fill("2026-03-01")
    click(page, "Show")
    # then
    assert "starts (2026-03-31) after it ends" in page.get_by_test_id("action-error").inner_text()
