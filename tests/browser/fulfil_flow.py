"""Fulfilling an order entirely through the warehouse pages, as a warehouse user would:
allocate (if it waits for stock) → pick list → confirm the pick → pack → label → dispatch.

    shipment_number = fulfil_through_pages(page, live_server, "SO-2026-000123")

``page`` must be signed in with ``fulfilment:write`` (warehouse or admin). The order
must be confirmed, with a shipping address, its units allocated (or allocatable) at
``warehouse`` and a carrier must exist. Ends on the shipment page (``/shipping/SH-…``).
"""

from __future__ import annotations

from typing import Any


def _click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _fail_on_error(page: Any, step: str) -> None:
    errors = page.get_by_test_id("action-error")
    assert errors.count() == 0, f"{step}: {errors.inner_text()}"


def allocate_if_waiting(page: Any, live_server: Any, order_number: str, warehouse: str) -> None:
    page.goto(live_server.url(f"/warehouse?warehouse={warehouse}"))
    waiting = page.get_by_role("button", name=f"Allocate {order_number}", exact=True)
    if waiting.count():
        waiting.click()
        page.wait_for_load_state()
        _fail_on_error(page, "allocate")


def pick_through_pages(page: Any, live_server: Any, order_number: str, warehouse: str) -> str:
    """A pick list of the warehouse's ready orders (ours among them), picked in full."""
    page.goto(live_server.url(f"/warehouse?warehouse={warehouse}"))
    page.get_by_label("Orders on the pick list (at most)").fill("500")
    _click(page, "Create pick list")
    _fail_on_error(page, "create the pick list")
    number = page.locator("h1").inner_text().split()[2]
    assert order_number in page.get_by_test_id("pick-lines").inner_text(), number
    _click(page, "Confirm pick")
    _fail_on_error(page, "confirm the pick")
    return str(number)


def pack_in_one_box(page: Any, live_server: Any, order_number: str) -> str:
    """Everything picked of the order in one box, the carrier's default service; ends on
    the shipment's packing page. Returns the shipment's number."""
    page.goto(live_server.url(f"/warehouse/pack/{order_number}"))
    page.get_by_label("Weight (g), box 1").fill("1500")
    page.get_by_label("Length (mm), box 1").fill("300")
    page.get_by_label("Width (mm), box 1").fill("200")
    page.get_by_label("Height (mm), box 1").fill("150")
    _click(page, "Pack into 1 box")
    _fail_on_error(page, "pack")
    return str(page.locator("h1").inner_text().split()[1])


def pack_label_and_dispatch(page: Any, live_server: Any, order_number: str) -> str:
    """Packed in one box, the carrier booked (label), dispatched; the shipment's number."""
    number = pack_in_one_box(page, live_server, order_number)
    _click(page, "Print label")
    _fail_on_error(page, "print the label")
    _click(page, "Dispatch")
    _fail_on_error(page, "dispatch")
    return number


def fulfil_through_pages(
    page: Any, live_server: Any, order_number: str, *, warehouse: str = "MAIN"
) -> str:
    """Allocate → pick → pack → label → dispatch through the pages; the shipment number."""
    allocate_if_waiting(page, live_server, order_number, warehouse)
    pick_through_pages(page, live_server, order_number, warehouse)
    return pack_label_and_dispatch(page, live_server, order_number)
