"""The order timeline answers "where is my order?" in one list: history, emails,
shipments and tracking, invoices, payments, credit notes, refunds, returns, cases and
their notes — in time order, with a fixed number of statements."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from ordersmith.billing.models import Invoice
from ordersmith.billing.payments import refund_payment
from ordersmith.customer_service.timeline import OrderTimeline, order_timeline
from ordersmith.db import table_of
from ordersmith.jobs.handlers import default_handlers
from ordersmith.jobs.worker import deliver_events
from ordersmith.orders.errors import OrderNotFound
from ordersmith.uow import Database
from tests.factories.billing import credit, pay
from tests.factories.cases import make_case, note
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.returns import ask, delivered_order
from tests.integration.conftest import Shop

ALL_KINDS = {
    "history",
    "email",
    "shipment",
    "tracking",
    "invoice",
    "payment",
    "credit_note",
    "refund",
    "return",
    "case",
    "case_note",
}


@pytest.fixture
def story(shop: Shop) -> tuple[Shop, Any, Any]:
    """Bob's order of 3 anvils: placed, shipped, delivered and invoiced; the mail about
    it queued; the invoice paid, then 5.00 credited and refunded; one anvil asked back;
    a case with an internal note and an answer to Bob."""
    db = shop.db
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    order = delivered_order(db, shop.trade.id, ("A-1", 3))
    while deliver_events(db, handlers=default_handlers(), limit=1000):
        pass
    with db.reader() as session:
        invoice_id = session.scalar(sa.select(table_of(Invoice).c.id))
    payment = pay(db, shop.trade.id, "45.00")
    credit(db, invoice_id, amount=Decimal("5.00"))
    with db.unit_of_work(actor="user:clerk") as uow:
        refund_payment(uow, payment_id=payment.id, amount=Decimal("5.00"), reason="goodwill")
    ask(db, order, (1, 1, "no_longer_needed"))
    case = make_case(db, shop.trade.id, order_id=order.id, subject="Where is the rest?")
    note(db, case, "asked the carrier")
    note(db, case, "All three anvils were delivered on Monday.", "customer")
    return shop, order, case


def _timeline(db: Database, ref: str, **kw: Any) -> OrderTimeline:
    with db.reader() as session:
        return order_timeline(session, ref, **kw)


def test_the_timeline_joins_every_source_in_time_order(story: tuple[Shop, Any, Any]) -> None:
    # given
    shop, order, case = story
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    # when
    sa.event.listen(shop.db.engine, "before_cursor_execute", count)
    try:
        timeline = _timeline(shop.db, order.number)
    finally:
        sa.event.remove(shop.db.engine, "before_cursor_execute", count)
    # then every source is there, oldest first
    kinds = [e.kind for e in timeline.entries]
    assert set(kinds) == ALL_KINDS
    times = [e.at for e in timeline.entries]
    assert times == sorted(times)
    titles = [e.title for e in timeline.entries]
    assert (kinds[0], titles[0]) == ("history", "place (new → placed)")
    assert timeline.entries[-1].kind in ("case_note", "email")
    assert f"Case {case.number} opened: Where is the rest?" in titles
    assert any(t.startswith("Invoice INV-") for t in titles)
    assert any(t.startswith("Refund of 5.00 EUR from PAY-") for t in titles)
    assert any(t.startswith("Tracking ") and t.endswith(": delivered") for t in titles)
    assert f"Email: [{case.number}] Where is the rest?" in titles
    # and a fixed number of statements: the order, then one per source
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 13


def test_the_timeline_runs_newest_first_with_a_limit_and_hides_internal_notes(
    story: tuple[Shop, Any, Any],
) -> None:
    # given
    shop, order, _case = story
    # when
    everything = _timeline(shop.db, str(order.id))
    newest = _timeline(shop.db, order.number, newest_first=True, limit=3)
    customers = _timeline(shop.db, order.number, customer_view=True)
    # then
    assert newest.entries == list(reversed(everything.entries))[:3]
    notes = [e.detail for e in customers.entries if e.kind == "case_note"]
    assert notes == ["All three anvils were delivered on Monday."]
    with pytest.raises(OrderNotFound):
        _timeline(shop.db, order.number, customer_id=shop.cash.id)
