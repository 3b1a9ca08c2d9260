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
