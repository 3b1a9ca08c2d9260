"""Printing a shipment's label: booked in a unit of work, drawn after its commit.

The label PDF takes tens of milliseconds of CPU to draw. Drawn inside the unit of work,
it held SQLite's write lock (and PostgreSQL's lock on the shipment row) all that time,
so every other writer waited behind it (ADR 0036).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import ordersmith.adapters.carriers as carrier_adapters
from ordersmith.errors import Conflict, InvalidTransition
from ordersmith.shipping.dispatch import cancel_shipment, dispatch_shipment
from ordersmith.shipping.errors import LabelNotRendered
from ordersmith.shipping.labels import book_label, label_booking, print_label, render_label
from ordersmith.shipping.queries import get_shipment
from ordersmith.shipping.shipments import lock_shipment
from ordersmith.uow import Database
from tests.conftest import make_settings
from tests.factories.fulfillment import (
    confirm,
    label_drawing_fails_once,
    make_courier,
    pack,
    pick,
    wave,
)
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.unit.documents.samples import page_sizes_mm, pdf_pages

PACKER = "user:packer"


def _packed_shipment(shop, units: int = 2):
    make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", units))))
    pick(shop.db, wave(shop.db))
    return pack(shop.db, order)


def _packer(db: Database):
    return lambda: db.unit_of_work(actor=PACKER)


def _shipment(db: Database, shipment_id):
    with db.reader() as session:
        return get_shipment(session, str(shipment_id))


def test_printing_a_label_books_a_tracking_number_and_returns_its_label(shop):
    # given
    shipment = _packed_shipment(shop)
    # when
    number, pdf = print_label(_packer(shop.db), shipment_id=shipment.id)
    # then
    stored = _shipment(shop.db, shipment.id)
    assert (stored.status, stored.tracking_number) == ("label_printed", number)
    assert stored.tracking_url == f"https://track.example.com/{number}"
    (page,) = pdf_pages(pdf)
    assert number in page
    assert "Ann Cash" in page
    assert page_sizes_mm(pdf) == [(100, 150)]


def test_booking_a_label_stores_the_booking_and_draws_nothing(shop, monkeypatch):
    # given: drawing a label would fail the test
    shipment = _packed_shipment(shop)
    monkeypatch.setattr(carrier_adapters, "shipping_label_pdf", _never)
    # when
    with shop.db.unit_of_work(actor=PACKER) as uow:
        booking = book_label(uow, shipment_id=shipment.id)
    # then
    stored = _shipment(shop.db, shipment.id)
    assert (stored.status, stored.tracking_number) == ("label_printed", booking.tracking_number)
    assert stored.label_printed_at is not None


def test_another_writer_commits_while_the_label_is_drawn(shop, monkeypatch):
    # given: while the label is drawn, the shipment is dispatched by another unit of
    # work (it locks the shipment row and, on SQLite, takes the write lock)
    shipment = _packed_shipment(shop)
    dispatched: list[str] = []

    def dispatch_meanwhile() -> None:
        with shop.db.unit_of_work(actor="user:driver") as uow:
            dispatched.append(dispatch_shipment(uow, shipment_id=shipment.id))

    real = carrier_adapters.shipping_label_pdf

    def draw_while_another_writes(labels):
        other = threading.Thread(target=dispatch_meanwhile, daemon=True)
        other.start()
        other.join(timeout=20)
        assert dispatched == ["dispatched"], "the other writer waited for the label"
        return real(labels)

    monkeypatch.setattr(carrier_adapters, "shipping_label_pdf", draw_while_another_writes)
    # when
    number, pdf = print_label(_packer(shop.db), shipment_id=shipment.id)
    # then
    assert number in pdf_pages(pdf)[0]
    assert _shipment(shop.db, shipment.id).status == "dispatched"


def test_a_reprint_gives_the_same_label_without_a_write_transaction(shop, tmp_path: Path):
    # given: a booked shipment, and another unit of work holding its row (and, on
    # SQLite, the write lock); this database gives up on a lock after half a second
    shipment = _packed_shipment(shop)
    number, first = print_label(_packer(shop.db), shipment_id=shipment.id)
    before = _shipment(shop.db, shipment.id)
    impatient = Database.connect(
        make_settings(
            tmp_path / "impatient",
            str(shop.db.settings.effective_database_url),
            sqlite_busy_timeout_ms=500,
            db_lock_timeout_ms=500,
        )
    )
    try:
        with shop.db.unit_of_work(actor="user:other") as holder:
            lock_shipment(holder, shipment.id)
            # when
            again, pdf = print_label(
                lambda: impatient.unit_of_work(actor=PACKER), shipment_id=shipment.id
            )
    finally:
        impatient.dispose()
    # then
    assert again == number
    assert pdf_pages(pdf) == pdf_pages(first)
    after = _shipment(shop.db, shipment.id)
    assert (after.status, after.label_printed_at) == ("label_printed", before.label_printed_at)


def test_a_label_that_fails_to_draw_keeps_its_booking_and_prints_again(shop, monkeypatch):
    # given: the first drawing fails (a broken font, a renderer out of memory)
    shipment = _packed_shipment(shop)
    label_drawing_fails_once(monkeypatch)
    # when
    with pytest.raises(LabelNotRendered) as failed:
        print_label(_packer(shop.db), shipment_id=shipment.id)
    # then: the booking stays, and the error says so
    booked = _shipment(shop.db, shipment.id)
    assert booked.status == "label_printed"
    assert booked.tracking_number
    assert failed.value.code == "label_not_rendered"
    assert failed.value.status == 503
    assert booked.tracking_number in failed.value.detail
    assert failed.value.extra["tracking_number"] == booked.tracking_number
    # when: printed again
    number, pdf = print_label(_packer(shop.db), shipment_id=shipment.id)
    # then: the same booking's label
    assert number == booked.tracking_number
    assert number in pdf_pages(pdf)[0]


def test_a_stored_booking_draws_its_label_from_a_reader(shop):
    # given
    shipment = _packed_shipment(shop)
    with shop.db.unit_of_work(actor=PACKER) as uow:
        booked = book_label(uow, shipment_id=shipment.id)
    # when
    with shop.db.reader() as session:
        stored = label_booking(session, shop.db.settings, shipment.id)
    pdf = render_label(stored)
    # then
    assert stored == booked
    assert booked.tracking_number in pdf_pages(pdf)[0]


def test_a_shipment_not_booked_has_no_stored_label(shop):
    # given
    shipment = _packed_shipment(shop)
    # when
    with shop.db.reader() as session, pytest.raises(Conflict) as refused:
        label_booking(session, shop.db.settings, shipment.id)
    # then
    assert refused.value.code == "label_not_printed"


def test_a_cancelled_shipment_prints_no_label(shop):
    # given
    shipment = _packed_shipment(shop)
    with shop.db.unit_of_work(actor=PACKER) as uow:
        cancel_shipment(uow, shipment_id=shipment.id, reason="wrong box")
    # when
    with pytest.raises(InvalidTransition) as refused:
        print_label(_packer(shop.db), shipment_id=shipment.id)
    # then
    assert refused.value.extra["action"] == "print_label"
    assert _shipment(shop.db, shipment.id).tracking_number == ""


def _never(labels):
    raise AssertionError("a label was drawn inside the unit of work")
