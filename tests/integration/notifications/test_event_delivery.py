"""Outbox delivery: handlers in savepoints, retries with backoff, dead letters, replay."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import ClassVar

import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.events import DomainEvent
from ordersmith.ids import new_id
from ordersmith.jobs.handlers import default_handlers
from ordersmith.jobs.worker import deliver_batch, deliver_events, replay_dead
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import queue_message
from ordersmith.orders.events import OrderPlaced
from ordersmith.outbox.models import OutboxEvent
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.notifications.conftest import (
    Pinged,
    communications,
    outbox,
    received_context,
    record,
)


def _flaky(customer_id):
    """A handler that queues a message, then breaks for events sent with fail=True."""

    def handler(uow, event):
        queue_message(
            uow,
            kind=MessageKind.ORDER_RECEIVED,
            customer_id=customer_id,
            context=received_context(),
            source_event_id=event.id,
        )
        if event.payload["fail"]:
            raise RuntimeError("the handler broke")

    return handler


def _breaks(uow, event):
    raise RuntimeError("still broken")


def test_a_failing_handler_does_not_stop_the_other_events_in_its_batch(quiet_shop):
    # given three events, the middle one makes its handler fail
    first, middle, last = (Pinged(aggregate_id=new_id(), fail=f) for f in (False, True, False))
    record(quiet_shop.db, first, middle, last)
    handlers = {"test.pinged": [_flaky(quiet_shop.cash.id)]}
    # when
    delivered = deliver_events(quiet_shop.db, handlers=handlers, limit=10)
    # then
    assert delivered == 2
    rows = {row.aggregate_id: row for row in outbox(quiet_shop.db, "test.pinged")}
    assert rows[first.aggregate_id].delivered_at is not None
    assert rows[last.aggregate_id].delivered_at is not None
    failed = rows[middle.aggregate_id]
    assert failed.delivered_at is None
    assert failed.attempts == 1
    assert failed.last_error == "RuntimeError: the handler broke"
    # the failed handler's own writes were rolled back with its savepoint
    sources = {m.source_event_id for m in communications(quiet_shop.db)}
    assert sources == {rows[first.aggregate_id].id, rows[last.aggregate_id].id}


def test_a_failing_event_waits_longer_after_each_try_then_is_dead_and_can_be_replayed(
    db, reconnect
):
    # given at most three tries
    db = reconnect(db, outbox_max_attempts=3)
    record(db, Pinged(aggregate_id=new_id(), fail=True))
    broken = {"test.pinged": [_breaks]}
    t0 = clock.now() + timedelta(seconds=1)
    # when the first try fails
    deliver_events(db, handlers=broken, limit=10, now=t0)
    # then the next try waits 30 seconds (plus up to a tenth)
    [row] = outbox(db)
    assert (row.attempts, row.dead_at, row.last_error) == (1, None, "RuntimeError: still broken")
    assert t0 + timedelta(seconds=30) <= row.next_attempt_at <= t0 + timedelta(seconds=33)
    assert deliver_batch(db, handlers=broken, limit=10, now=t0 + timedelta(seconds=29)).claimed == 0
    # when the second try fails, the wait doubles
    t1 = t0 + timedelta(hours=1)
    deliver_events(db, handlers=broken, limit=10, now=t1)
    [row] = outbox(db)
    assert row.attempts == 2
    assert t1 + timedelta(seconds=60) <= row.next_attempt_at <= t1 + timedelta(seconds=66)
    # when the third and last try fails, the event is dead and never tried again
    t2 = t0 + timedelta(hours=2)
    deliver_events(db, handlers=broken, limit=10, now=t2)
    [row] = outbox(db)
    assert (row.attempts, row.dead_at, row.delivered_at) == (3, t2, None)
    assert deliver_batch(db, handlers=broken, limit=10, now=t0 + timedelta(days=9)).claimed == 0
    # when an operator replays it after the fix
    assert replay_dead(db, actor="test") == (1, 0)
    delivered = deliver_events(db, handlers={"test.pinged": []}, limit=10)
    # then
    [row] = outbox(db)
    assert delivered == 1
    assert row.delivered_at is not None
    assert row.dead_at is None


def test_an_event_handled_again_queues_its_message_only_once(shop):
    # given an order whose placement was delivered and its mail queued
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    deliver_events(shop.db, handlers=default_handlers(), limit=100)
    [placed] = outbox(shop.db, "order.placed")
    # when the same event is delivered again (a replay, or a second worker after a crash)
    with shop.db.unit_of_work(actor="test") as uow:
        events = table_of(OutboxEvent)
        uow.session.execute(
            sa.update(events).where(events.c.id == placed.id).values(delivered_at=None)
        )
    again = deliver_events(shop.db, handlers=default_handlers(), limit=100)
    # then
    assert again == 1
    [message] = communications(shop.db)
    assert message.source_event_id == placed.id


def test_a_draft_order_gets_no_order_received_mail(quiet_shop):
    # given
    draft = OrderPlaced(
        aggregate_id=new_id(),
        number="SO-DRAFT-1",
        customer_id=quiet_shop.cash.id,
        channel="phone",
        status="draft",
        total="0.00",
        currency="EUR",
        backordered=False,
    )
    record(quiet_shop.db, draft)
    # when
    delivered = deliver_events(quiet_shop.db, handlers=default_handlers(), limit=10)
    # then
    assert delivered == 1
    assert communications(quiet_shop.db) == []


@dataclasses.dataclass(frozen=True, kw_only=True)
class OldOrderPlaced(DomainEvent):
    """order.placed as an old version wrote it: the number only."""

    aggregate_type: ClassVar[str] = "order"
    number: str

    @classmethod
    def event_type(cls) -> str:
        return "order.placed"


def test_an_old_order_placed_event_without_customer_or_totals_still_gets_its_mail(quiet_shop):
    # given
    stock_up(quiet_shop.db, {("MAIN", "A-1"): 10})
    order = place(quiet_shop.db, order_request(quiet_shop.cash.id, ("A-1", 2)))
    record(quiet_shop.db, OldOrderPlaced(aggregate_id=order.id, number=order.number))
    # when
    deliver_events(quiet_shop.db, handlers=default_handlers(), limit=10)
    # then both events were handled; the old one's message was filled from the order
    messages = communications(quiet_shop.db)
    assert len(messages) == 2
    assert {m.recipient for m in messages} == {"ann@example.com"}
    assert all(f"{order.total} EUR" in m.body_text for m in messages)
    assert all("2 x Anvil (A-1)" in m.body_text for m in messages)


def test_events_nobody_handles_and_payloads_that_name_no_customer_are_delivered_quietly(quiet_shop):
    # given
    record(
        quiet_shop.db,
        Pinged(aggregate_id=new_id()),
        OldOrderPlaced(aggregate_id=new_id(), number="SO-GONE"),
    )
    # when
    delivered = deliver_events(quiet_shop.db, handlers=default_handlers(), limit=10)
    # then
    assert delivered == 2
    assert communications(quiet_shop.db) == []
    assert all(row.delivered_at is not None for row in outbox(quiet_shop.db))


def test_events_are_delivered_oldest_first_in_batches_of_the_limit(quiet_shop):
    # given
    pings = [Pinged(aggregate_id=new_id()) for _ in range(5)]
    for ping in pings:
        record(quiet_shop.db, ping)
    seen = []
    # when
    batches = [
        deliver_events(
            quiet_shop.db,
            handlers={"test.pinged": [lambda uow, e: seen.append(e.aggregate_id)]},
            limit=2,
        )
        for _ in range(4)
    ]
    # then
    assert batches == [2, 2, 1, 0]
    assert seen == [p.aggregate_id for p in pings]


def _bad_sql(uow, event):
    if event.payload["fail"]:
        uow.session.execute(sa.text("SELECT * FROM no_such_table"))


def test_a_handler_whose_sql_fails_leaves_the_transaction_usable_for_the_others(quiet_shop):
    # given (on PostgreSQL a failed statement aborts the transaction, up to the savepoint)
    good, bad, also_good = (Pinged(aggregate_id=new_id(), fail=f) for f in (False, True, False))
    record(quiet_shop.db, good, bad, also_good)
    # when
    delivered = deliver_events(quiet_shop.db, handlers={"test.pinged": [_bad_sql]}, limit=10)
    # then
    assert delivered == 2
    rows = {row.aggregate_id: row for row in outbox(quiet_shop.db, "test.pinged")}
    assert rows[bad.aggregate_id].delivered_at is None
    assert "no_such_table" in rows[bad.aggregate_id].last_error
    assert rows[also_good.aggregate_id].delivered_at is not None
