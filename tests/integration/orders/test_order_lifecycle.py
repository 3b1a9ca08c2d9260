import pytest
import sqlalchemy as sa

from ordersmith.checks import run_checks
from ordersmith.errors import InvalidTransition, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory.errors import InsufficientStock
from ordersmith.inventory.queries import stock_levels
from ordersmith.orders.drafts import place_draft
from ordersmith.orders.errors import OrderNotFound
from ordersmith.orders.queries import get_order, order_history
from ordersmith.orders.services import cancel_order, confirm_order, hold_order, release_order
from ordersmith.orders.status import HoldReason
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place


def _act(db, service, **kwargs):
    with db.unit_of_work(actor="user:carol") as uow:
        return service(uow, **kwargs)


def test_confirming_a_placed_order_is_recorded_in_its_history_with_who(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    # when
    confirmed = _act(shop.db, confirm_order, order_id=order.id)
    # then
    assert confirmed.status == "confirmed"
    with shop.db.reader() as session:
        history = order_history(session, order.number)
    assert [(h.action, h.from_status, h.to_status, h.actor) for h in history] == [
        ("place", None, "placed", "test"),
        ("confirm", "placed", "confirmed", "user:carol"),
        ("allocate", "confirmed", "confirmed", "user:carol"),
    ]


def test_a_manual_hold_needs_a_note_and_a_release_returns_to_confirmed(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    _act(shop.db, confirm_order, order_id=order.id)
    with pytest.raises(ValidationFailed):
        _act(shop.db, hold_order, order_id=order.id, reason=HoldReason.MANUAL, note="")
    # when
    held = _act(shop.db, hold_order, order_id=order.id, reason=HoldReason.MANUAL, note="address?")
    released = _act(shop.db, release_order, order_id=order.id, note="customer called back")
    # then
    assert (held.status, held.hold_reason) == ("on_hold", "manual")
    assert (released.status, released.hold_reason) == ("confirmed", None)


def test_a_release_needs_a_reason(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    _act(shop.db, hold_order, order_id=order.id, reason=HoldReason.CREDIT)
    with pytest.raises(ValidationFailed):
        _act(shop.db, release_order, order_id=order.id, note=" ")


def test_cancelling_releases_every_reserved_unit_and_the_ledger_still_closes(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 3, ("EAST", "A-1"): 3, ("MAIN", "B-2"): 10})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 5), ("B-2", 2)))
    # when
    cancelled = _act(shop.db, cancel_order, order_id=order.id, reason="customer changed mind")
    # then
    assert cancelled.status == "cancelled"
    assert all(line.reserved_quantity == 0 for line in cancelled.lines)
    with shop.db.reader() as session:
        assert all(level.reserved == 0 for level in stock_levels(session))
        assert not any(run_checks(session).values())
        kinds = session.execute(
            sa.text("SELECT kind FROM stock_movements WHERE kind = 'release'")
        ).all()
    assert len(kinds) == 3


def test_a_cancelled_order_cannot_be_cancelled_again(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    _act(shop.db, cancel_order, order_id=order.id)
    with pytest.raises(InvalidTransition):
        _act(shop.db, cancel_order, order_id=order.id)


def test_acting_on_an_unknown_order_is_not_found(shop):
    with pytest.raises(OrderNotFound):
        _act(shop.db, confirm_order, order_id=new_id())


def test_an_order_can_be_found_by_number_or_id(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    with shop.db.reader() as session:
        assert get_order(session, order.number).id == get_order(session, str(order.id)).id


def test_every_change_records_an_event_in_the_outbox_in_the_same_transaction(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    # when
    _act(shop.db, confirm_order, order_id=order.id)
    _act(shop.db, cancel_order, order_id=order.id)
    # then
    with shop.db.reader() as session:
        events = (
            session.execute(
                sa.text("SELECT event_type FROM outbox_events WHERE aggregate_type = 'order'")
            )
            .scalars()
            .all()
        )
    assert sorted(events) == [
        "order.allocated",
        "order.cancelled",
        "order.confirmed",
        "order.placed",
    ]


def test_a_draft_reserves_nothing_until_it_is_placed_at_that_moments_stock(shop):
    # given
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    draft = place(shop.db, order_request(shop.cash.id, ("A-1", 2), ("A-1", 1), draft=True))
    with shop.db.reader() as session:
        assert stock_levels(session, sku="A-1")[0].reserved == 0
    # when
    placed = _act(shop.db, place_draft, order_id=draft.id)
    # then
    assert (draft.status, placed.status) == ("draft", "placed")
    assert placed.number == draft.number
    assert [line.reserved_quantity for line in placed.lines] == [2, 1]
    with shop.db.reader() as session:
        assert stock_levels(session, sku="A-1")[0].reserved == 3
        assert [
            (h.action, h.from_status, h.to_status) for h in order_history(session, draft.number)
        ] == [
            ("draft", None, "draft"),
            ("place", "draft", "placed"),
        ]
        assert not any(run_checks(session).values())


def test_a_draft_that_cannot_be_reserved_stays_a_draft(shop):
    draft = place(shop.db, order_request(shop.cash.id, ("A-1", 2), draft=True))
    with pytest.raises(InsufficientStock):
        _act(shop.db, place_draft, order_id=draft.id)
    with shop.db.reader() as session:
        assert get_order(session, draft.number).status == "draft"


def test_a_placed_order_cannot_be_placed_again(shop):
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    with pytest.raises(InvalidTransition):
        _act(shop.db, place_draft, order_id=order.id)


@pytest.mark.parametrize("bad", ["stop\x00", "\x1b[31mred", "x" * 2001])
def test_a_reason_with_control_characters_or_too_long_is_refused_naming_the_field(shop, bad):
    stock_up(shop.db, {("MAIN", "A-1"): 5})
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 1)))
    with pytest.raises(ValidationFailed) as caught:
        _act(shop.db, cancel_order, order_id=order.id, reason=bad)
    assert [f.field for f in caught.value.fields] == ["reason"]
    with pytest.raises(ValidationFailed) as held:
        _act(shop.db, hold_order, order_id=order.id, reason=HoldReason.MANUAL, note=bad)
    assert [f.field for f in held.value.fields] == ["note"]
