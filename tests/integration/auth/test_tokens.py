"""API tokens: names that fit wherever the token's actor is recorded, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ordersmith.auth.models import Role
from ordersmith.auth.services import MAX_NAME_LENGTH, authenticate, create_token
from ordersmith.errors import ValidationFailed
from ordersmith.inventory.models import StockMovement
from ordersmith.inventory.services import receive_stock
from ordersmith.orders.models import Order
from ordersmith.orders.queries import order_history
from ordersmith.outbox.models import OutboxEvent
from ordersmith.uow import Database
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop


def _create(db: Database, name: str) -> str:
    with db.unit_of_work(actor="test") as uow:
        _info, plaintext = create_token(uow, name=name, role=Role.ADMIN)
    return plaintext


def test_a_token_with_the_longest_name_can_write_everywhere_its_actor_is_recorded(
    shop: Shop,
) -> None:
    # given a token whose name has the most characters allowed
    plaintext = _create(shop.db, "n" * MAX_NAME_LENGTH)
    with shop.db.reader() as session:
        actor = authenticate(session, plaintext).actor
    # when it receives stock and places an order (movements, orders, history, outbox)
    with shop.db.unit_of_work(actor=actor) as uow:
        receive_stock(uow, warehouse="MAIN", sku="A-1", quantity=5, reference="PO-1")
    order = place(shop.db, order_request(shop.cash.id, ("A-1", 2)), actor=actor)
    # then the whole actor is stored in every actor column
    with shop.db.reader() as session:
        assert order_history(session, order.number)[0].actor == actor
        assert session.scalar(sa.select(Order.created_by).where(Order.id == order.id)) == actor
        assert set(session.scalars(sa.select(StockMovement.actor))) == {actor}
        assert actor in set(session.scalars(sa.select(OutboxEvent.actor)))


def test_a_token_name_longer_than_the_limit_is_refused_naming_the_field(db: Database) -> None:
    # when
    with pytest.raises(ValidationFailed) as refused:
        _create(db, "n" * (MAX_NAME_LENGTH + 1))
    # then
    assert [(f.field, f.message) for f in refused.value.fields] == [
        ("name", f"must be at most {MAX_NAME_LENGTH} characters")
    ]


@pytest.mark.parametrize("name", ["a\x00b", "a\x1b[31mb", "line\nbreak", "tab\there", "\x7f"])
def test_a_token_name_with_control_characters_is_refused(db: Database, name: str) -> None:
    # when
    with pytest.raises(ValidationFailed) as refused:
        _create(db, name)
    # then
    assert [f.field for f in refused.value.fields] == ["name"]


@pytest.mark.parametrize("name", ["", "   ", "\udcff"])
def test_an_empty_or_non_unicode_token_name_is_refused(db: Database, name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _create(db, name)
    assert [f.field for f in refused.value.fields] == ["name"]


def test_a_token_name_is_stored_without_surrounding_spaces(db: Database) -> None:
    # given
    plaintext = _create(db, "  ci [/oops]  ")
    # when
    with db.reader() as session:
        principal = authenticate(session, plaintext)
    # then
    assert (principal.name, principal.actor) == ("ci [/oops]", "token:ci [/oops]")
