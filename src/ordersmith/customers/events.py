"""Customer domain events (delivered through the outbox)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from ordersmith.customers.models import AccountType, AddressKind
from ordersmith.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CustomerCreated(DomainEvent):
    aggregate_type: ClassVar[str] = "customer"
    number: str
    name: str
    email: str
    customer_group: str
    account_type: AccountType


@dataclass(frozen=True, kw_only=True)
class CustomerUpdated(DomainEvent):
    """``changes`` maps each changed field to its new value."""

    aggregate_type: ClassVar[str] = "customer"
    number: str
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class CustomerAddressAdded(DomainEvent):
    aggregate_type: ClassVar[str] = "customer"
    number: str
    address_id: uuid.UUID
    kind: AddressKind
    is_default: bool


@dataclass(frozen=True, kw_only=True)
class CustomerTierChanged(DomainEvent):
    aggregate_type: ClassVar[str] = "customer"
    number: str
    from_tier: str | None
    to_tier: str | None
    spend: str
    orders: int


@dataclass(frozen=True, kw_only=True)
class CustomerMerged(DomainEvent):
    """``aggregate_id`` is the survivor."""

    aggregate_type: ClassVar[str] = "customer"
    number: str
    merge_id: uuid.UUID
    duplicate_id: uuid.UUID
    duplicate_number: str
    moved: dict[str, int]
    reason: str


@dataclass(frozen=True, kw_only=True)
class CustomerUnmerged(DomainEvent):
    aggregate_type: ClassVar[str] = "customer"
    number: str
    merge_id: uuid.UUID
    duplicate_id: uuid.UUID
    duplicate_number: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class CustomerContactAdded(DomainEvent):
    aggregate_type: ClassVar[str] = "customer"
    number: str
    contact_id: uuid.UUID
    name: str
    is_primary: bool
