"""Factories for the fulfilment path, over the real services: carriers, confirm, pick, pack."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import pytest

import ordersmith.adapters.carriers as carrier_adapters
from ordersmith.documents import ShippingLabel
from ordersmith.fulfillment.picking import PickListRef, confirm_pick_list, create_pick_list
from ordersmith.orders.services import confirm_order
from ordersmith.orders.views import OrderView
from ordersmith.shipping.carriers import CarrierView, ServiceInput, create_carrier
from ordersmith.shipping.dispatch import dispatch_shipment
from ordersmith.shipping.labels import book_label
from ordersmith.shipping.packing import PackageInput, ShipmentRef, pack_shipment
from ordersmith.uow import Database

BOX = PackageInput(weight_grams=1200, length_mm=300, width_mm=200, height_mm=150)


def make_courier(db: Database, code: str = "LOCAL", *, transit_days: int = 1) -> CarrierView:
    with db.unit_of_work(actor="test") as uow:
        return create_carrier(
            uow,
            code=code,
            name="Local Courier",
            kind="local_courier",
            tracking_url_template="https://track.example.com/{tracking_number}",
            services=[
                ServiceInput("standard", "Standard", transit_days, is_default=True),
                ServiceInput("express", "Express", 0),
            ],
        )


def confirm(db: Database, order: OrderView, actor: str = "user:sam") -> OrderView:
    with db.unit_of_work(actor=actor) as uow:
        return confirm_order(uow, order_id=order.id)


def wave(db: Database, warehouse: str = "MAIN", **kwargs: object) -> PickListRef:
    with db.unit_of_work(actor="user:picker") as uow:
        return create_pick_list(uow, warehouse=warehouse, **kwargs)  # type: ignore[arg-type]


def pick(db: Database, pick_list: PickListRef, picked: Mapping[int, int] | None = None) -> None:
    with db.unit_of_work(actor="user:picker") as uow:
        confirm_pick_list(uow, pick_list_id=pick_list.id, picked=picked)


def pack(
    db: Database,
    *orders: OrderView,
    warehouse: str = "MAIN",
    carrier: str = "LOCAL",
    packages: list[PackageInput] | None = None,
) -> ShipmentRef:
    with db.unit_of_work(actor="user:packer") as uow:
        return pack_shipment(
            uow,
            order_ids=[o.id for o in orders],
            warehouse=warehouse,
            carrier=carrier,
            packages=packages or [BOX],
        )


def label_and_dispatch(db: Database, shipment_id: uuid.UUID) -> str:
    with db.unit_of_work(actor="user:packer") as uow:
        tracking_number = book_label(uow, shipment_id=shipment_id).tracking_number
        dispatch_shipment(uow, shipment_id=shipment_id)
    return tracking_number


def label_drawing_fails_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The carrier adapters' label renderer fails on its first call (a broken font),
    then draws as usual."""
    real = carrier_adapters.shipping_label_pdf
    calls: list[int] = []

    def fails_once(labels: Sequence[ShippingLabel]) -> bytes:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("cannot load font")
        return real(labels)

    monkeypatch.setattr(carrier_adapters, "shipping_label_pdf", fails_once)
