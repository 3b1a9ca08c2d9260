"""Product lifecycle: draft -> active -> discontinued (and back to active if re-listed)."""

from __future__ import annotations

from enum import StrEnum

from ordersmith.errors import InvalidTransition


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    DISCONTINUED = "discontinued"


TRANSITIONS: dict[ProductStatus, frozenset[ProductStatus]] = {
    ProductStatus.DRAFT: frozenset({ProductStatus.ACTIVE, ProductStatus.DISCONTINUED}),
    ProductStatus.ACTIVE: frozenset({ProductStatus.DISCONTINUED}),
    ProductStatus.DISCONTINUED: frozenset({ProductStatus.ACTIVE}),
}


def check_transition(current: ProductStatus, target: ProductStatus) -> None:
    if current != target and target not in TRANSITIONS[current]:
        raise InvalidTransition(f"a {current} product cannot become {target}")
