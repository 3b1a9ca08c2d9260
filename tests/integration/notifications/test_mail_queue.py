"""The mail queue: retries while the SMTP server is down, dead letters and replay,
leases of stopped workers, and concurrent workers that never send a message twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from ordersmith import clock
from ordersmith.adapters.mail import SmtpMailer
from ordersmith.customers.services import create_customer
from ordersmith.ids import new_id
from ordersmith.jobs.mailing import lease_for, send_batch
from ordersmith.jobs.worker import replay_dead, run_once, run_worker
from ordersmith.notifications.models import MessageKind
from ordersmith.notifications.services import claim_due_messages, mark_sent, queue_message
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.notifications.conftest import communications, received_context
from tests.smtp import SmtpServer


def _queue(db, customer_id, count):
    with db.unit_of_work(actor="test") as uow:
        for n in range(count):
            queue_message(
                uow,
                kind=MessageKind.ORDER_RECEIVED,
                customer_id=customer_id,
                context=received_context(f"SO-TEST-{n}"),
                source_event_id=new_id(),
            )


def test_while_smtp_is_down_orders_succeed_and_their_mail_is_retried_until_the_server_is_up(
    shop, smtp_port
):
    # given nothing listens where the mail should go
    mailer = SmtpMailer("127.0.0.1", smtp_port, timeout_seconds=5)
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    # when an order is placed and the worker tries to send its mail
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    before = clock.now()
    first = run_once(shop.db, mailer=mailer)
    after = clock.now()
    # then the order stands, and the mail waits 30 seconds (plus up to a tenth)
    assert order.status == "placed"
    assert (first.events_failed, first.messages_sent, first.messages_failed) == (0, 0, 1)
    [message] = communications(shop.db)
    assert (message.status, message.attempts) == ("queued", 1)
    assert f"127.0.0.1:{smtp_port}" in message.last_error
    assert before + timedelta(seconds=30) <= message.next_attempt_at
    assert message.next_attempt_at <= after + timedelta(seconds=33)
    t0 = message.next_attempt_at - timedelta(seconds=30)
    # when the worker polls before that, nothing is tried
    assert run_once(shop.db, mailer=mailer, now=t0 + timedelta(seconds=29)).messages_failed == 0
    # when the second try fails too, the wait doubles
    t1 = t0 + timedelta(minutes=1)
    run_once(shop.db, mailer=mailer, now=t1)
    [message] = communications(shop.db)
    assert message.attempts == 2
    assert t1 + timedelta(seconds=60) <= message.next_attempt_at <= t1 + timedelta(seconds=66)
    # when the server comes up and the retry is due
    server = SmtpServer(smtp_port).start()
    try:
        last = run_once(shop.db, mailer=mailer, now=t1 + timedelta(minutes=5))
        # then
        [mail] = server.wait_for(1)
    finally:
        server.stop()
    assert last.messages_sent == 1
    assert mail["Subject"] == f"We have received your order {order.number}"
    [message] = communications(shop.db)
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, "")


def test_a_message_that_fails_every_try_is_dead_and_a_replay_sends_it(shop, smtp_port, reconnect):
    # given at most two tries, and no SMTP server
    db = reconnect(shop.db, outbox_max_attempts=2)
    mailer = SmtpMailer("127.0.0.1", smtp_port, timeout_seconds=5)
    _queue(db, shop.cash.id, 1)
    t0 = clock.now()
    # when both tries fail
    run_once(db, mailer=mailer, now=t0)
    run_once(db, mailer=mailer, now=t0 + timedelta(hours=1))
    # then the message is dead and no longer tried
    [message] = communications(db)
    assert (message.status, message.attempts) == ("dead", 2)
    assert "cannot send" in message.last_error
    assert run_once(db, mailer=mailer, now=t0 + timedelta(days=3)).messages_failed == 0
    # when the server is back and an operator replays the dead letters
    server = SmtpServer(smtp_port).start()
    try:
        replayed = replay_dead(db, actor="test")
        report = run_once(db, mailer=mailer)
        # then
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()
    assert replayed == (0, 1)
    assert report.messages_sent == 1
    [message] = communications(db)
    assert (message.status, message.attempts) == ("sent", 1)


def test_a_recipient_the_server_refuses_for_good_is_dead_at_once(quiet_shop, smtp_server):
    # given
    with quiet_shop.db.unit_of_work(actor="test") as uow:
        customer = create_customer(
            uow, name="Gone", email="bounce@example.com", account_type="cash"
        )
    _queue(quiet_shop.db, customer.id, 1)
    # when
    report = run_once(quiet_shop.db, mailer=smtp_server.mailer())
    # then
    assert report.messages_failed == 1
    [message] = communications(quiet_shop.db)
    assert (message.status, message.attempts) == ("dead", 1)
    assert "550" in message.last_error
    assert smtp_server.messages == []


def test_a_message_left_sending_by_a_stopped_worker_is_sent_again_when_its_lease_runs_out(
    quiet_shop, smtp_server
):
    # given a worker that claimed a message and stopped before sending it
    db = quiet_shop.db
    _queue(db, quiet_shop.cash.id, 1)
    lease = lease_for(db.settings)
    with db.unit_of_work(actor="worker-that-dies") as uow:
        claim_due_messages(uow, now=clock.now(), lease=lease, limit=10, max_attempts=10)
    # when another worker polls while the lease holds, then after it ran out
    during = run_once(db, mailer=smtp_server.mailer())
    after = run_once(db, mailer=smtp_server.mailer(), now=clock.now() + lease)
    # then
    assert during.messages_sent == 0
    assert after.messages_sent == 1
    assert len(smtp_server.wait_for(1)) == 1
    [message] = communications(db)
    assert (message.status, message.attempts) == ("sent", 2)


def test_a_worker_whose_lease_ran_out_cannot_record_over_the_worker_that_took_over(quiet_shop):
    # given worker A's claim ran out and worker B claimed the message again
    db = quiet_shop.db
    _queue(db, quiet_shop.cash.id, 1)
    t0 = clock.now()
    lease = timedelta(minutes=5)
    with db.unit_of_work(actor="a") as uow:
        [by_a] = claim_due_messages(uow, now=t0, lease=lease, limit=1, max_attempts=10)
    with db.unit_of_work(actor="b") as uow:
        [by_b] = claim_due_messages(uow, now=t0 + lease, lease=lease, limit=1, max_attempts=10)
    # when A finishes late
    with db.unit_of_work(actor="a") as uow:
        recorded_by_a = mark_sent(uow, by_a, now=t0 + lease)
    # then only B's claim may finish the message
    assert recorded_by_a is False
    with db.unit_of_work(actor="b") as uow:
        assert mark_sent(uow, by_b, now=t0 + lease) is True
    [message] = communications(db)
    assert (message.status, message.attempts) == ("sent", 2)


def test_two_workers_sending_at_once_never_send_one_message_twice(
    quiet_shop, smtp_server, reconnect
):
    # given 30 queued messages and two workers with their own connections
    _queue(quiet_shop.db, quiet_shop.cash.id, 30)
    workers = [quiet_shop.db, reconnect(quiet_shop.db)]
    start = threading.Barrier(2)

    def work(db):
        start.wait()
        sent = 0
        while (batch := send_batch(db, smtp_server.mailer(), limit=3)).claimed:
            sent += batch.done
        return sent

    # when
    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(work, workers))
    # then
    assert sum(sent) == 30
    ids = [m["Message-ID"] for m in smtp_server.wait_for(30)]
    assert len(ids) == len(set(ids)) == 30
    assert {m.status for m in communications(quiet_shop.db)} == {"sent"}
    assert {m.attempts for m in communications(quiet_shop.db)} == {1}


def test_the_worker_loop_delivers_as_orders_come_in_and_stops_cleanly(shop, smtp_server):
    # given a running worker
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(shop.db,),
        kwargs={"stop": stop, "poll_ms": 20, "mailer": smtp_server.mailer()},
    )
    thread.start()
    try:
        # when an order is placed
        stock_up(shop.db, {("MAIN", "A-1"): 10})
        order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
        # then its mail arrives without anyone calling the worker
        [mail] = smtp_server.wait_for(1)
        assert order.number in mail["Subject"]
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
