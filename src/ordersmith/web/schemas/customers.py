"""Customer request and response models. Amounts travel as decimal strings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from ordersmith.customers.contacts import ContactView
from ordersmith.customers.duplicates import DuplicateGroup
from ordersmith.customers.merge import MergeView
from ordersmith.customers.models import AccountType, AddressKind
from ordersmith.customers.overview import CustomerOverview
from ordersmith.customers.queries import AddressView, CustomerView
from ordersmith.customers.services import AddressInput
from ordersmith.customers.tiers import TierStanding, TierView
from ordersmith.money import money_str
from ordersmith.validation import MAX_QUANTITY
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
    tier: str | None = Field(None, description="loyalty tier code")
    tier_since: datetime | None = None
    merged_into_id: uuid.UUID | None = Field(None, description="set once merged into another")

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
        "tier": view.tier,
        "tier_since": view.tier_since,
        "merged_into_id": view.merged_into_id,
    }


# --- CRM: contacts, loyalty tiers, duplicates, merges, the customer 360 (ADR 0022) ---


class ContactIn(Input):
    name: str = Field(..., examples=["Grace Hopper"])
    role: str = Field("", examples=["buyer"])
    email: str = ""
    phone: str = ""
    is_primary: bool = Field(False, description="the first contact always is")


class ContactOut(BaseModel):
    id: uuid.UUID
    name: str
    role: str
    email: str
    phone: str
    is_primary: bool
    created_at: datetime

    @classmethod
    def from_view(cls, view: ContactView) -> ContactOut:
        return cls(
            id=view.id,
            name=view.name,
            role=view.role,
            email=view.email,
            phone=view.phone,
            is_primary=view.is_primary,
            created_at=view.created_at,
        )


class TierIn(Input):
    name: str
    rank: int = Field(..., ge=0, le=MAX_QUANTITY, description="higher ranks are better; unique")
    period_days: int = Field(365, description="spend and orders count over these last days")
    min_spend: str | None = Field(None, examples=["1000.00"], description="in `currency`")
    min_orders: int | None = Field(None, ge=0, le=MAX_QUANTITY)
    currency: str | None = Field(None, description="default: the settings' currency")
    price_list_code: str | None = Field(None, description="competes with the group's lists")
    free_express_shipping: bool = False
    return_window_days: int | None = Field(None, description="used when longer than the default")


class TierOut(BaseModel):
    code: str
    name: str
    rank: int
    period_days: int
    min_spend: str | None
    min_orders: int | None
    currency: str
    price_list_code: str | None
    free_express_shipping: bool
    return_window_days: int | None

    @classmethod
    def from_view(cls, t: TierView) -> TierOut:
        return cls(
            code=t.code,
            name=t.name,
            rank=t.rank,
            period_days=t.period_days,
            min_spend=None if t.min_spend is None else money_str(t.min_spend, t.currency),
            min_orders=t.min_orders,
            currency=t.currency,
            price_list_code=t.price_list_code,
            free_express_shipping=t.free_express_shipping,
            return_window_days=t.return_window_days,
        )


class TierRecalcIn(Input):
    as_of: datetime | None = Field(None, description="default: now; from 1900 to a day ahead")


class TierRunOut(BaseModel):
    as_of: datetime
    evaluated: int
    upgraded: int
    downgraded: int
    by_tier: dict[str, int]


class StandingOut(BaseModel):
    tier: str
    spend: str
    orders: int
    qualifies: bool

    @classmethod
    def from_view(cls, s: TierStanding) -> StandingOut:
        return cls(
            tier=s.tier.code,
            spend=money_str(s.spend, s.tier.currency),
            orders=s.orders,
            qualifies=s.qualifies,
        )


class DuplicateMemberOut(BaseModel):
    id: uuid.UUID
    number: str
    name: str
    email: str
    phone: str


class DuplicateGroupOut(BaseModel):
    rule: str = Field(..., examples=["email"])
    key: str
    customers: list[DuplicateMemberOut]

    @classmethod
    def from_view(cls, g: DuplicateGroup) -> DuplicateGroupOut:
        return cls(
            rule=g.rule,
            key=g.key,
            customers=[
                DuplicateMemberOut(
                    id=m.id, number=m.number, name=m.name, email=m.email, phone=m.phone
                )
                for m in g.customers
            ],
        )


class MergeIn(Input):
    duplicate_id: uuid.UUID
    reason: str = Field(..., examples=["same person, ordered by phone and on the web"])


class UndoMergeIn(Input):
    reason: str


class MergeOut(BaseModel):
    id: uuid.UUID
    survivor_id: uuid.UUID
    duplicate_id: uuid.UUID
    reason: str
    moved: dict[str, int] = Field(..., description="rows moved per table.column")
    merged_by: str
    merged_at: datetime
    undone_by: str
    undone_at: datetime | None
    undo_reason: str

    @classmethod
    def from_view(cls, m: MergeView) -> MergeOut:
        return cls(**{name: getattr(m, name) for name in cls.model_fields})


class OrderSummaryOut(BaseModel):
    count: int
    open: int
    cancelled: int
    first_order_at: datetime | None
    last_order_at: datetime | None
    spend_last_12_months: str
    lifetime_value: str
    average_order_value: str | None
    currency: str


class OverviewOut(BaseModel):
    customer: CustomerDetailOut
    contacts: list[ContactOut]
    tier: StandingOut | None
    standings: list[StandingOut]
    orders: OrderSummaryOut
    recent_orders: list[dict[str, Any]]
    balances: list[dict[str, Any]]
    recent_payments: list[dict[str, Any]]
    returns_count: int
    recent_returns: list[dict[str, Any]]
    cases_count: int
    recent_cases: list[dict[str, Any]]
    recent_communications: list[dict[str, Any]]
    history: list[dict[str, Any]]

    @classmethod
    def from_view(cls, v: CustomerOverview) -> OverviewOut:
        cur = v.customer.currency
        o = v.orders
        return cls(
            customer=CustomerDetailOut.of(v.customer, v.addresses),
            contacts=[ContactOut.from_view(c) for c in v.contacts],
            tier=StandingOut.from_view(v.tier) if v.tier else None,
            standings=[StandingOut.from_view(s) for s in v.standings],
            orders=OrderSummaryOut(
                count=o.count,
                open=o.open,
                cancelled=o.cancelled,
                first_order_at=o.first_order_at,
                last_order_at=o.last_order_at,
                spend_last_12_months=money_str(o.spend_last_12_months, cur),
                lifetime_value=money_str(o.lifetime_value, cur),
                average_order_value=(
                    None if o.average_order_value is None else money_str(o.average_order_value, cur)
                ),
                currency=cur,
            ),
            recent_orders=[
                {
                    "id": str(r.id),
                    "number": r.number,
                    "status": r.status,
                    "fulfilment_status": r.fulfilment_status,
                    "total": money_str(r.total, r.currency),
                    "currency": r.currency,
                    "created_at": r.created_at.isoformat(),
                }
                for r in v.recent_orders
            ],
            balances=[
                {
                    "currency": b.currency,
                    "balance": money_str(b.balance, b.currency),
                    "open_invoices": money_str(b.open_invoices, b.currency),
                    "overdue": money_str(b.overdue, b.currency),
                    "unallocated_payments": money_str(b.unallocated_payments, b.currency),
                    "unapplied_credit": money_str(b.unapplied_credit, b.currency),
                }
                for b in v.balances
            ],
            recent_payments=[
                {
                    "id": str(p.id),
                    "number": p.number,
                    "amount": money_str(p.amount, p.currency),
                    "currency": p.currency,
                    "method": p.method,
                    "received_on": p.received_on.isoformat(),
                }
                for p in v.recent_payments
            ],
            returns_count=v.returns_count,
            recent_returns=[
                {
                    "id": str(r.id),
                    "number": r.number,
                    "status": r.status.value,
                    "order_number": r.order_number,
                    "created_at": r.created_at.isoformat(),
                }
                for r in v.recent_returns
            ],
            cases_count=v.cases_count,
            recent_cases=[
                {
                    "id": str(c.id),
                    "number": c.number,
                    "status": str(c.status),
                    "type": c.type,
                    "subject": c.subject,
                    "breached": c.breached,
                    "created_at": c.created_at.isoformat(),
                }
                for c in v.recent_cases
            ],
            recent_communications=[
                {
                    "id": str(m.id),
                    "kind": str(m.kind),
                    "subject": m.subject,
                    "status": str(m.status),
                    "created_at": m.created_at.isoformat(),
                }
                for m in v.recent_communications
            ],
            history=[
                {
                    "at": h.at.isoformat(),
                    "actor": h.actor,
                    "action": h.action,
                    "details": h.details,
                }
                for h in v.history
            ],
        )
