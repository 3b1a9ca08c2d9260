"""`ordersmith fulfil` and `ordersmith ship`: the warehouse path from a terminal."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ordersmith.orders.queries import get_order
from tests.e2e.test_cli import run
from tests.factories.fulfillment import confirm
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop, make_shop


@pytest.fixture
def warehouse(db) -> Shop:
    """The service-built shop of the integration tests (tests/e2e's `shop` is built by API)."""
    return make_shop(db)


def test_a_warehouse_worker_picks_packs_labels_and_dispatches_from_the_cli(warehouse, tmp_path):
    # given
    db, shop = warehouse.db, warehouse
    stock_up(db, {("MAIN", "A-1"): 5})
    order = confirm(db, place(db, order_request(shop.cash.id, ("A-1", 2))))
    added = run(
        db,
        "ship",
        "add-carrier",
        "CITY",
        "--name",
        "City Couriers",
        "--service",
        "standard:1",
        "--service",
        "express:0",
    )
    assert added.exit_code == 0, added.output
    # when
    waved = run(db, "fulfil", "wave", "MAIN", "--pdf", str(tmp_path / "pick.pdf"))
    number = waved.stdout.split()[0]
    picked = run(db, "fulfil", "pick", number)
    packed = run(
        db,
        "ship",
        "pack",
        order.number,
        "--warehouse",
        "MAIN",
        "--carrier",
        "CITY",
        "--weight-grams",
        "800",
    )
    shipment = packed.stdout.split(":")[0]
    labelled = run(db, "ship", "label", shipment, "--out", str(tmp_path / "label.pdf"))
    slipped = run(db, "ship", "slip", shipment, "--out", str(tmp_path / "slip.pdf"))
    dispatched = run(db, "ship", "dispatch", shipment)
    delivered = run(db, "ship", "track", shipment, "--status", "delivered")
    # then
    for result in (waved, picked, packed, labelled, slipped, dispatched, delivered):
        assert result.exit_code == 0, result.output
    assert number.startswith("PL-")
    slip = PdfReader(io.BytesIO((tmp_path / "slip.pdf").read_bytes())).pages[0].extract_text()
    assert order.number in slip
    assert "delivered" in delivered.stdout
    with db.reader() as session:
        assert get_order(session, order.number).status == "completed"
    traced = run(db, "fulfil", "trace", order.number)
    assert "MAIN" in traced.stdout


def test_bad_cli_input_exits_non_zero_with_a_coded_error(warehouse):
    # when
    bad_size = run(
        warehouse.db,
        "ship",
        "pack",
        "SO-1",
        "--warehouse",
        "MAIN",
        "--carrier",
        "X",
        "--weight-grams",
        "5",
        "--size-mm",
        "big",
    )
    unknown_list = run(warehouse.db, "fulfil", "pick", "PL-999999")
    bad_short = run(warehouse.db, "fulfil", "pick", "PL-000001", "--short", "three")
    # then
    assert bad_size.exit_code != 0
    assert bad_size.exception.code == "validation_error"
    assert unknown_list.exit_code != 0
    assert unknown_list.exception.code == "pick_list_not_found"
    assert bad_short.exit_code != 0
    assert bad_short.exception.code == "validation_error"
