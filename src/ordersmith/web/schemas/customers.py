"""Customer request and response models. Amounts travel as decimal strings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from ordersmith.customers.models import AccountType, AddressKind
from ordersmith.customers.queries import AddressView, CustomerView
from ordersmith.customers.services import AddressInput
from ordersmith.money import money_str
from ordersmith.web.schemas.common import AddressIn, Input


class CustomerAddressIn(AddressIn):
    kind: AddressKind
    is_default: bool = Field(
        False, description="make it the default of its kind (the first of a kind always is)"
    )

    def to_input(self) -> AddressInput:
        return AddressInput(**self.model_dump())


class CustomerCreate(Input):
    name: str = Field(..., examples=["Ada Lovelace"])
    email: str = Field(..., examples=["ada@example.com"])
    account_type: AccountType = Field(
        ..., description="cash: pays on order; account: invoiced with payment terms"
    )
    company: str = ""
    phone: str = ""
    customer_group: str = Field("retail", description="selects the price lists that apply")
    payment_terms_days: int | None = Field(
        None, description="account customers: default 30; cash customers: 0"
    )
    credit_limit: str | None = Field(
        None, examples=["5000.00"], description="account customers only; a decimal string"
    )
    currency: str | None = Field(None, description="default: the settings' currency")
    addresses: list[CustomerAddressIn] = Field(default_factory=list)


class CustomerUpdate(Input):
    """Only the fields sent change; the number never does. Moving to cash clears terms
    and credit limit; moving to account gives 30 days unless sent."""

    name: str | None = None
    email: str | None = None
    account_type: AccountType | None = None
    company: str | None = None
    phone: str | None = None
    customer_group: str | None = None
    payment_terms_days: int | None = None
    credit_limit: str | None = None
    currency: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _number_is_immutable(cls, data: Any) -> Any:
        if isinstance(data, dict) and "number" in data:
            raise ValueError("a customer's number cannot be changed")
        return data


class AddressOut(BaseModel):
    id: uuid.UUID
    kind: AddressKind
    is_default: bool
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postcode: str
    country: str
    created_at: datetime

    @classmethod
    def from_view(cls, view: AddressView) -> AddressOut:
        return cls(
            id=view.id,
            kind=view.kind,
            is_default=view.is_default,
            name=view.name,
            line1=view.line1,
            line2=view.line2,
            city=view.city,
            region=view.region,
            postcode=view.postcode,
            country=view.country,
            created_at=view.created_at,
        )


class CustomerOut(BaseModel):
    id: uuid.UUID
    number: str = Field(..., examples=["CUST-000123"])
    name: str
    company: str
    email: str
    phone: str
    customer_group: str
    account_type: AccountType
    payment_terms_days: int
    credit_limit: str | None
    currency: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_view(cls, view: CustomerView) -> CustomerOut:
        return cls(**_customer_fields(view))


class CustomerDetailOut(CustomerOut):
    addresses: list[AddressOut]

    @classmethod
    def of(cls, view: CustomerView, addresses: Sequence[AddressView]) -> CustomerDetailOut:
        return cls(**_customer_fields(view), addresses=[AddressOut.from_view(a) for a in addresses])


def _customer_fields(view: CustomerView) -> dict[str, Any]:
    return {
        "id": view.id,
        "number": view.number,
        "name": view.name,
        "company": view.company,
        "email": view.email,
        "phone": view.phone,
        "customer_group": view.customer_group,
        "account_type": view.account_type,
        "payment_terms_days": view.payment_terms_days,
        "credit_limit": (
            None if view.credit_limit is None else money_str(view.credit_limit, view.currency)
        ),
        "currency": view.currency,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }
