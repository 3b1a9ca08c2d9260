"""Dispatch, delivery and backorder mails, from events shaped like the shipping and
backorder areas' (recorded here by type string and payload)."""

from __future__ import annotations

from ordersmith.ids import new_id
from ordersmith.jobs.worker import run_once
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.notifications.conftest import (
    OrderBackordered,
    ShipmentDelivered,
    ShipmentDispatched,
    communications,
    record,
)


def _two_orders(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    first = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    second = place(shop.db, order_request(shop.cash.id, ("A-1", 2)))
    run_once(shop.db)  # their order-received mails go to data/mail, out of the way
    return first, second


def _parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_the_dispatch_mail_names_the_carrier_the_tracking_number_and_links_to_tracking(
    shop, smtp_server
):
    # given one shipment for two orders
    first, second = _two_orders(shop)
    shipment = ShipmentDispatched(
        aggregate_id=new_id(),
        number="SH-2026-000007",
        customer_id=shop.cash.id,
        order_ids=[str(first.id), str(second.id)],
        order_numbers=[first.number, second.number],
    )
    record(shop.db, shipment)
    # when
    run_once(shop.db, mailer=smtp_server.mailer())
    # then
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == f"On its way: your orders {first.number}, {second.number}"
    text, html = _parts(mail)
    assert "Hello Ann Cash," in text
    assert "Carrier: DHL Parcel (standard)" in text
    assert "Tracking number: JJD0099887766" in text
    assert "Track your parcel: https://track.example.com/JJD0099887766?lang=en&x=1" in text
    assert "Expected delivery: Tuesday 3 March 2026" in text
    assert '<a href="https://track.example.com/JJD0099887766?lang=en&amp;x=1"' in html
    assert "DHL Parcel" in html
    assert "JJD0099887766" in html
    message = next(m for m in communications(shop.db) if m.kind == "order_dispatched")
    assert (message.shipment_id, message.order_id) == (shipment.aggregate_id, first.id)
    assert message.status == "sent"


def test_a_tracking_link_that_is_not_a_web_address_is_left_out(shop, smtp_server):
    # given
    first, _second = _two_orders(shop)
    record(
        shop.db,
        ShipmentDispatched(
            aggregate_id=new_id(),
            number="SH-1",
            customer_id=shop.cash.id,
            order_ids=[str(first.id)],
            order_numbers=[first.number],
            tracking_url="javascript:alert(document.cookie)",
        ),
    )
    # when
    run_once(shop.db, mailer=smtp_server.mailer())
    # then
    text, html = _parts(smtp_server.wait_for(1)[0])
    assert "javascript" not in html
    assert "javascript" not in text
    assert "Tracking number: JJD0099887766" in text


def test_the_delivery_mail_names_the_orders_and_the_day(shop, smtp_server):
    # given
    first, _second = _two_orders(shop)
    shipment = ShipmentDelivered(
        aggregate_id=new_id(),
        number="SH-2026-000007",
        customer_id=shop.cash.id,
        order_ids=[str(first.id)],
        order_numbers=[first.number],
    )
    record(shop.db, shipment)
    # when
    run_once(shop.db, mailer=smtp_server.mailer())
    # then
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == f"Delivered: your order {first.number}"
    text, _html = _parts(mail)
    assert f"your order {first.number} has been delivered on Tuesday 3 March 2026" in text
    message = next(m for m in communications(shop.db) if m.kind == "order_delivered")
    assert (message.shipment_id, message.order_id) == (shipment.aggregate_id, first.id)


def test_the_backorder_mail_lists_the_late_items_with_their_expected_dates(shop, smtp_server):
    # given
    first, _second = _two_orders(shop)
    record(
        shop.db,
        OrderBackordered(
            aggregate_id=first.id,
            number=first.number,
            customer_id=shop.cash.id,
            lines=[
                {"sku": "A-1", "name": "Anvil", "quantity": 3, "expected_date": "2026-04-01"},
                {"sku": "B-2", "name": "Bolt <M8>", "quantity": 50, "expected_date": None},
            ],
        ),
    )
    # when
    run_once(shop.db, mailer=smtp_server.mailer())
    # then
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == f"Part of your order {first.number} will arrive later"
    text, html = _parts(mail)
    assert "3 x Anvil (A-1): expected Wednesday 1 April 2026" in text
    assert "50 x Bolt <M8> (B-2): date not known yet" in text
    assert "Bolt &lt;M8&gt;" in html
    message = next(m for m in communications(shop.db) if m.kind == "backorder_delay")
    assert message.order_id == first.id


def test_a_shipment_event_with_missing_or_unknown_orders_still_mails_the_customer(
    shop, smtp_server
):
    # given an event from an older version: no order ids, no carrier name, no date
    record(
        shop.db,
        ShipmentDispatched(
            aggregate_id=new_id(),
            number="SH-9",
            customer_id=shop.cash.id,
            order_ids=["not-a-uuid", str(new_id())],
            order_numbers=["SO-OLD-1"],
            carrier_name="",
            carrier="ups",
            promised_delivery_date=None,
        ),
    )
    # when
    report = run_once(shop.db, mailer=smtp_server.mailer())
    # then
    assert report.events_failed == 0
    text, _html = _parts(smtp_server.wait_for(1)[0])
    assert "Carrier: ups (standard)" in text
    assert "Expected delivery" not in text
    [message] = communications(shop.db)
    assert message.order_id is None


def test_a_real_dispatch_through_the_warehouse_mails_carrier_tracking_number_and_link(
    shop, smtp_server
):
    # given an order picked and packed by the warehouse services
    from tests.factories.fulfillment import (
        confirm,
        label_and_dispatch,
        make_courier,
        pack,
        pick,
        wave,
    )

    courier = make_courier(shop.db)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = confirm(shop.db, place(shop.db, order_request(shop.cash.id, ("A-1", 2))))
    pick(shop.db, wave(shop.db))
    shipment = pack(shop.db, order)
    # when it is dispatched and the worker runs
    tracking_number = label_and_dispatch(shop.db, shipment.id)
    run_once(shop.db, mailer=smtp_server.mailer())
    # then
    dispatched = [m for m in smtp_server.wait_for(2) if m["Subject"].startswith("On its way")]
    [mail] = dispatched
    text, html = _parts(mail)
    assert order.number in mail["Subject"]
    assert courier.name in text
    assert f"Tracking number: {tracking_number}" in text
    assert "Track your parcel: http" in text
    assert '<a href="http' in html
    message = next(m for m in communications(shop.db) if m.kind == "order_dispatched")
    assert (message.shipment_id, message.order_id) == (shipment.id, order.id)
