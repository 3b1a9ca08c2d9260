"""The open work a run starts with, written through the services after ``bench.dataset``.

Per warehouse, with every line of these orders pinned to that warehouse:

- **Invoices to pay.** ``opening_invoiced_per_warehouse`` account customers (by default
  every account customer of the warehouse's share) each place one order. It is
  confirmed (allocated), picked, packed and dispatched, so it is invoiced
  (``billing.policy``). Payments have invoices to pay from the first second. These
  shipments carry the carrier's own label: the loader prints none, to save the PDF
  rendering time. The mix prints a label for every shipment.
- **Orders to fulfil.** ``opening_confirmed_per_warehouse`` more orders of account
  customers are placed and confirmed. They are the first fulfil batches' work.
"""

from __future__ import annotations

import random
import time
import uuid

from bench.dataset import Dataset, Progress
from bench.order_to_cash import ServiceWarehouse, fulfil_op
from bench.recorder import Recorder, Steps
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder, place_order
from ordersmith.orders.services import confirm_order
from ordersmith.uow import Database

ACTOR = "bench:loader"
WAVE = 50


def open_books(db: Database, data: Dataset, *, progress: Progress | None = None) -> None:
    """Write the opening invoices and confirmed orders; time it in ``data.timings``."""
    started = time.perf_counter()
    scale = data.scale
    rng = random.Random(scale.seed + 3)
    accounts = [c for c in data.customers if c in data.accounts]
    warehouse = ServiceWarehouse(db, data.carrier)
    count = len(data.warehouses)
    for index, (code, _id) in enumerate(data.warehouses):
        share = accounts[index::count] or accounts
        invoiced = scale.opening_invoiced_per_warehouse
        payers = share[: len(share) if invoiced is None else invoiced]
        if progress is not None:
            progress(f"opening {code}: {len(payers)} invoiced orders")
        shipped = [_place_confirmed(db, data, rng, customer, code) for customer in payers]
        scratch = Recorder()
        for start in range(0, len(shipped), WAVE):
            chunk = shipped[start : start + WAVE]
            fulfil_op(
                warehouse,
                scratch,
                Steps(scratch),
                code,
                max_orders=len(chunk),
                order_ids=chunk,
                label=False,
            )
        if scratch.errors or scratch.orders_shipped != len(shipped):
            raise RuntimeError(f"the opening shipments failed: {scratch.error_samples}")
        if progress is not None:
            progress(f"opening {code}: {scale.opening_confirmed_per_warehouse} confirmed orders")
        for _ in range(scale.opening_confirmed_per_warehouse):
            _place_confirmed(db, data, rng, rng.choice(share), code)
    data.timings["opening"] = round(time.perf_counter() - started, 2)


def _place_confirmed(
    db: Database, data: Dataset, rng: random.Random, customer: uuid.UUID, code: str
) -> uuid.UUID:
    lines = [
        LineRequest(sku, rng.randint(1, 10), warehouse=code)
        for sku in rng.sample(data.skus, rng.randint(5, 15))
    ]
    with db.unit_of_work(actor=ACTOR) as uow:
        view = place_order(
            uow, PlaceOrder(customer_id=customer, channel=Channel.PHONE, lines=lines)
        )
        confirm_order(uow, order_id=view.id)
    return view.id
