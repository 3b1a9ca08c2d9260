"""A week of warehouse work for the KPI tests, through the real services, on a set clock.

Promised dates come from the time of confirmation, and a carrier's scan may not be
stamped in the future, so a late delivery needs time to pass: ``SetClock`` moves
``ordersmith.clock`` (the one source of "now") to the moment each step happens.

``week_of_orders`` builds, for one customer (warehouse MAIN, product A-1; every order
placed and confirmed on Monday 2 March 2026 at 09:00 UTC, so promised to leave on
Tuesday 3 March and to arrive on Wednesday 4 March):

    perfect   2 units, left Mon 14:00, delivered Tue 11:00, slip printed
    late      1 unit,  left Tue 10:00, delivered Fri 12:00 (two days late)
    split     3 units, 2 left Tue 10:00 and 1 Tue 16:00, delivered Wed 09:00 and 11:00
    short     2 units, none found at the first pick, re-allocated; left Tue 12:00,
              delivered Wed 11:00
    damaged   1 unit,  left Tue 10:00, delivered Wed 10:00, damage reported Fri
    no_slip   1 unit,  left Wed 09:00 (a day late) without a packing slip, delivered
              Wed 17:00; its invoice corrected Fri
    waiting   1 unit,  allocated, never picked
    cancelled 1 unit,  confirmed then cancelled (never measured)

Every order but the cancelled one is invoiced when confirmed (a cash sale's receipt), so
the invoice is never the missing document. The week leaves the clock at Friday 6 March
13:00. Several orders have the same lines: run it
with ``duplicate_window_minutes=0`` so that none is held as a suspected duplicate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from ordersmith import clock
from ordersmith.billing.invoices import invoice_order
from ordersmith.fulfillment.incidents import record_document_correction, report_damage
from ordersmith.orders.services import cancel_order
from ordersmith.orders.views import OrderView
from ordersmith.shipping.documents import print_packing_slip
from ordersmith.shipping.packing import PackageInput
from ordersmith.shipping.tracking import TrackingInput, record_tracking
from ordersmith.uow import Database
from tests.factories.fulfillment import (
    BOX,
    confirm,
    label_and_dispatch,
    make_courier,
    pack,
    pick,
    wave,
)
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADDRESS = {"name": "Ann Cash", "line1": "1 Main St", "city": "Berlin", "country": "DE"}


def at(day: int, hour: int) -> datetime:
    """``day`` of March 2026 at ``hour``:00 UTC."""
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


class SetClock:
    """``ordersmith.clock.now()`` answers ``self.now`` until the test ends."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
        self.now = now
        monkeypatch.setattr(clock, "now", lambda: self.now)

    def set(self, now: datetime) -> None:
        self.now = now


@dataclass(frozen=True)
class Week:
    orders: dict[str, OrderView]

    def number(self, name: str) -> str:
        return self.orders[name].number

    def id(self, name: str) -> uuid.UUID:
        return self.orders[name].id


def week_of_orders(db: Database, clock_: SetClock, customer_id: uuid.UUID) -> Week:
    clock_.set(MONDAY)
    make_courier(db, transit_days=1)
    stock_up(db, {("MAIN", "A-1"): 20})
    units = {"perfect": 2, "late": 1, "split": 3, "short": 2, "damaged": 1, "no_slip": 1}
    units |= {"waiting": 1, "cancelled": 1}
    orders = {
        name: confirm(
            db, place(db, order_request(customer_id, ("A-1", n), shipping_address=ADDRESS))
        )
        for name, n in units.items()
    }
    with db.unit_of_work(actor="user:sam") as uow:
        cancel_order(uow, order_id=orders["cancelled"].id, reason="changed their mind")
    for name in units.keys() - {"cancelled"}:  # a cash sale's receipt, issued on order
        with db.unit_of_work(actor="user:sam") as uow:
            invoice_order(uow, order_id=orders[name].id)
    pick(db, wave(db, order_ids=[orders["short"].id]), {1: 0})  # re-allocated at MAIN

    clock_.set(at(2, 14))
    pick(db, wave(db, order_ids=[orders["perfect"].id]))
    sent = {"perfect": _ship(db, orders["perfect"])}

    clock_.set(at(3, 10))
    todays = ("late", "split", "short", "damaged", "no_slip")
    pick(db, wave(db, order_ids=[orders[name].id for name in todays]))
    split_line = orders["split"].lines[0].id
    first_part = PackageInput(**_measures(), contents={split_line: 2})
    sent |= {name: _ship(db, orders[name]) for name in ("late", "damaged")}
    sent["split"] = _ship(db, orders["split"], packages=[first_part])
    clock_.set(at(3, 12))
    sent["short"] = _ship(db, orders["short"])
    clock_.set(at(3, 16))
    sent["split_rest"] = _ship(db, orders["split"])
    clock_.set(at(4, 9))
    sent["no_slip"] = _ship(db, orders["no_slip"], slip=False)

    clock_.set(at(6, 13))
    delivered = {
        "perfect": at(3, 11),
        "late": at(6, 12),
        "split": at(4, 9),
        "split_rest": at(4, 11),
        "short": at(4, 11),
        "damaged": at(4, 10),
        "no_slip": at(4, 17),
    }
    with db.unit_of_work(actor="carrier:LOCAL") as uow:
        record_tracking(
            uow,
            carrier="LOCAL",
            events=[
                TrackingInput(f"ev-{name}", sent[name], "delivered", when)
                for name, when in delivered.items()
            ],
            source="api",
        )
    with db.unit_of_work(actor="user:sam") as uow:
        report_damage(uow, order_id=orders["damaged"].id, note="box crushed", line_no=1, quantity=1)
    with db.unit_of_work(actor="user:sam") as uow:
        record_document_correction(
            uow, order_id=orders["no_slip"].id, document="invoice", note="wrong VAT number"
        )
    return Week(orders)


def _measures() -> dict[str, int]:
    return {
        "weight_grams": BOX.weight_grams,
        "length_mm": BOX.length_mm,
        "width_mm": BOX.width_mm,
        "height_mm": BOX.height_mm,
    }


def _ship(
    db: Database,
    order: OrderView,
    *,
    packages: list[PackageInput] | None = None,
    slip: bool = True,
) -> str:
    """Pack what is picked of ``order``, print its slip (unless told), label and dispatch;
    the tracking number."""
    shipment = pack(db, order, packages=packages)
    if slip:
        with db.unit_of_work(actor="user:packer") as uow:
            print_packing_slip(uow, shipment_id=shipment.id)
    return label_and_dispatch(db, shipment.id)
