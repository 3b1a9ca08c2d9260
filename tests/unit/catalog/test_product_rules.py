"""Pure catalog rules: product field checks, status transitions, event names.

The shared amount rules are tested in tests/unit/core/test_validation.py.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from ordersmith.catalog.events import PriceListItemsReplaced, ProductCreated, ProductStatusChanged
from ordersmith.catalog.services import check_product_fields
from ordersmith.catalog.status import ProductStatus, check_transition
from ordersmith.errors import InvalidTransition, ValidationFailed


def test_product_checks_list_every_problem_at_once() -> None:
    # given
    fields = {"sku": "A 1", "name": " ", "price": "1.00001", "currency": "euro", "status": "gone"}
    # when
    with pytest.raises(ValidationFailed) as caught:
        check_product_fields(fields)
    # then
    assert {f.field for f in caught.value.fields} == {"sku", "name", "price", "currency", "status"}


def test_product_checks_normalise_text_and_currency() -> None:
    # given
    fields = {"sku": " A-1 ", "name": " Anvil ", "currency": "eur", "barcode": ""}
    # when
    values = check_product_fields(fields)
    # then
    assert values == {"sku": "A-1", "name": "Anvil", "currency": "EUR", "barcode": None}


@pytest.mark.parametrize("name", ["Anvil\x00", "Anvil\x1b[31m"])
def test_control_characters_are_refused_in_names(name: str) -> None:
    with pytest.raises(ValidationFailed):
        check_product_fields({"name": name})


def test_a_description_may_span_several_lines() -> None:
    assert check_product_fields({"description": "one\ntwo"}) == {"description": "one\ntwo"}


def test_a_field_the_product_does_not_have_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_product_fields({"colour": "red"})
    assert caught.value.fields[0].field == "colour"


def test_a_discontinued_product_can_be_relisted_but_not_sent_back_to_draft() -> None:
    # when / then
    check_transition(ProductStatus.DISCONTINUED, ProductStatus.ACTIVE)
    with pytest.raises(InvalidTransition):
        check_transition(ProductStatus.DISCONTINUED, ProductStatus.DRAFT)
    with pytest.raises(InvalidTransition):
        check_transition(ProductStatus.ACTIVE, ProductStatus.DRAFT)


def test_catalog_events_are_named_in_the_past_tense_under_their_aggregate() -> None:
    # given
    event = ProductCreated(
        aggregate_id=uuid.uuid4(),
        sku="A-1",
        name="Anvil",
        price=Decimal("12.50"),
        currency="EUR",
        status=ProductStatus.ACTIVE,
    )
    # then
    assert ProductCreated.event_type() == "product.created"
    assert ProductStatusChanged.event_type() == "product.status_changed"
    assert PriceListItemsReplaced.event_type() == "price_list.items_replaced"
    assert event.payload()["price"] == "12.50"
    assert event.payload()["status"] == "active"
