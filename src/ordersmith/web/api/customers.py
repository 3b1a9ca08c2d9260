"""Customer routes: customers and their addresses (history lives with orders)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.customers import queries, services, tiers
from ordersmith.customers.contacts import add_contact, list_contacts, remove_contact
from ordersmith.customers.duplicates import RULES, Rule, find_duplicates
from ordersmith.customers.merge import get_merge, list_merges, merge_customers, unmerge_customer
from ordersmith.customers.models import AccountType, AddressKind
from ordersmith.customers.overview import customer_overview
from ordersmith.errors import ValidationFailed
from ordersmith.uow import UnitOfWork
from ordersmith.web.deps import DbDep, require
from ordersmith.web.idempotent import create_once
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
    encode_time_cursor,
)
from ordersmith.web.schemas.common import Page
from ordersmith.web.schemas.customers import (
    AddressOut,
    ContactIn,
    ContactOut,
    CustomerAddressIn,
    CustomerCreate,
    CustomerDetailOut,
    CustomerOut,
    CustomerUpdate,
    DuplicateGroupOut,
    MergeIn,
    MergeOut,
    OverviewOut,
    TierIn,
    TierOut,
    TierRecalcIn,
    TierRunOut,
    UndoMergeIn,
)

router = APIRouter(tags=["customers"])
CanRead = Annotated[Principal, Depends(require(Permission.CUSTOMERS_READ))]
CanWrite = Annotated[Principal, Depends(require(Permission.CUSTOMERS_WRITE))]
CanMerge = Annotated[Principal, Depends(require(Permission.CUSTOMERS_MERGE))]
CanManageTiers = Annotated[Principal, Depends(require(Permission.LOYALTY_MANAGE))]


@router.post("/customers", status_code=201, response_model=CustomerDetailOut)
def create_customer(
    body: CustomerCreate, request: Request, db: DbDep, principal: CanWrite
) -> JSONResponse:
    """Add a customer (numbered CUST-000123) with optional addresses. Send
    `Idempotency-Key` to make retries safe."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = services.create_customer(
            uow,
            **body.model_dump(exclude={"addresses"}),
            addresses=[a.to_input() for a in body.addresses],
        )
        addresses = queries.list_addresses(uow.session, view.id)
        return CustomerDetailOut.of(view, addresses).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/customers", response_model=Page[CustomerOut])
def list_customers(
    db: DbDep,
    _principal: CanRead,
    q: Annotated[
        str | None, Query(max_length=200, description="in name, email, number or company")
    ] = None,
    account_type: AccountType | None = None,
    customer_group: str | None = None,
    sort: Annotated[
        Literal["newest", "number"], Query(description="newest first, or by number")
    ] = "newest",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Page[CustomerOut]:
    """Customers, newest first or by number."""
    newest = sort == "newest"
    with db.reader() as session:
        items, more = queries.list_customers(
            session,
            q=q,
            account_type=account_type,
            customer_group=customer_group,
            order=sort,
            after=decode_time_cursor(cursor) if cursor and newest else None,
            after_number=decode_cursor(cursor, 1)[0] if cursor and not newest else None,
            limit=limit,
        )
    next_cursor = None
    if more:
        last = items[-1]
        next_cursor = (
            encode_time_cursor(last.created_at, last.id) if newest else encode_cursor([last.number])
        )
    return Page(items=[CustomerOut.from_view(v) for v in items], next_cursor=next_cursor)


@router.get("/customers/duplicates", response_model=Page[DuplicateGroupOut])
def list_duplicates(
    db: DbDep,
    _principal: CanRead,
    rule: Annotated[
        Rule | None, Query(description="email, phone or name_postcode; default: all three")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Page[DuplicateGroupOut]:
    """Possible duplicate customers: groups of active customers with the same email,
    the same phone digits, or the same name and postcode (ADR 0022)."""
    after: tuple[Rule, str] | None = None
    if cursor:
        found_rule, key = decode_cursor(cursor, 2)
        if found_rule not in RULES:
            raise ValidationFailed("the cursor is not one this API returned", code="invalid_cursor")
        after = (found_rule, key)
    with db.reader() as session:
        groups, more = find_duplicates(session, rule=rule, after=after, limit=limit)
    next_cursor = encode_cursor([groups[-1].rule, groups[-1].key]) if more else None
    return Page(items=[DuplicateGroupOut.from_view(g) for g in groups], next_cursor=next_cursor)


@router.get("/customers/{id_or_number}", response_model=CustomerDetailOut)
def get_customer(id_or_number: str, db: DbDep, _principal: CanRead) -> CustomerDetailOut:
    """One customer by id or number, with addresses."""
    with db.reader() as session:
        view = queries.get_customer(session, id_or_number)
        return CustomerDetailOut.of(view, queries.list_addresses(session, view.id))


@router.patch("/customers/{id_or_number}", response_model=CustomerDetailOut)
def update_customer(
    id_or_number: str, body: CustomerUpdate, db: DbDep, principal: CanWrite
) -> CustomerDetailOut:
    """Change some fields of a customer."""
    with db.unit_of_work(actor=principal.actor) as uow:
        view = services.update_customer(
            uow, customer=id_or_number, **body.model_dump(exclude_unset=True)
        )
        return CustomerDetailOut.of(view, queries.list_addresses(uow.session, view.id))


@router.post("/customers/{id_or_number}/addresses", status_code=201, response_model=AddressOut)
def add_address(
    id_or_number: str, body: CustomerAddressIn, request: Request, db: DbDep, principal: CanWrite
) -> JSONResponse:
    """Add an address; the first of its kind, or one sent with `is_default`, becomes the
    default of its kind."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = services.add_address(uow, customer=id_or_number, address=body.to_input())
        return AddressOut.from_view(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/customers/{id_or_number}/addresses", response_model=Page[AddressOut])
def list_addresses(
    id_or_number: str, db: DbDep, _principal: CanRead, kind: AddressKind | None = None
) -> Page[AddressOut]:
    """All of a customer's addresses in one page: by kind, the default first."""
    with db.reader() as session:
        customer = queries.get_customer(session, id_or_number)
        addresses = queries.list_addresses(session, customer.id, kind=kind)
    return Page(items=[AddressOut.from_view(a) for a in addresses], next_cursor=None)


# --- CRM (ADR 0022): the customer 360, contacts, loyalty tiers, merges ---


@router.get("/customers/{id_or_number}/overview", response_model=OverviewOut)
def get_overview(id_or_number: str, db: DbDep, _principal: CanRead) -> OverviewOut:
    """The customer 360: profile, contacts, addresses, tier and why, orders and lifetime
    value, balance and payments, returns, cases, communications and the audit trail."""
    with db.reader() as session:
        return OverviewOut.from_view(customer_overview(session, id_or_number))


@router.get("/customers/{id_or_number}/contacts", response_model=Page[ContactOut])
def get_contacts(id_or_number: str, db: DbDep, _principal: CanRead) -> Page[ContactOut]:
    """All of a customer's contacts in one page, the primary first."""
    with db.reader() as session:
        customer = queries.get_customer(session, id_or_number)
        items = list_contacts(session, customer.id)
    return Page(items=[ContactOut.from_view(c) for c in items], next_cursor=None)


@router.post("/customers/{id_or_number}/contacts", status_code=201, response_model=ContactOut)
def post_contact(
    id_or_number: str, body: ContactIn, request: Request, db: DbDep, principal: CanWrite
) -> JSONResponse:
    """Add a contact; the first one, or one sent with `is_primary`, is the primary."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        view = add_contact(uow, customer=id_or_number, **body.model_dump())
        return ContactOut.from_view(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.delete("/customers/{id_or_number}/contacts/{contact_id}", status_code=204)
def delete_contact(
    id_or_number: str, contact_id: uuid.UUID, db: DbDep, principal: CanWrite
) -> Response:
    """Remove a contact."""
    with db.unit_of_work(actor=principal.actor) as uow:
        remove_contact(uow, customer=id_or_number, contact_id=contact_id)
    return Response(status_code=204)


@router.post("/customers/{id_or_number}/merge", status_code=201, response_model=MergeOut)
def post_merge(
    id_or_number: str, body: MergeIn, request: Request, db: DbDep, principal: CanMerge
) -> JSONResponse:
    """Merge `duplicate_id` into this customer: its orders, invoices, payments, returns,
    cases, communications, addresses, contacts and history move here; undo with
    `POST /customer-merges/{id}/undo`."""

    def action(uow: UnitOfWork) -> dict[str, Any]:
        survivor = queries.get_customer(uow.session, id_or_number)
        view = merge_customers(
            uow, survivor_id=survivor.id, duplicate_id=body.duplicate_id, reason=body.reason
        )
        return MergeOut.from_view(view).model_dump(mode="json")

    return create_once(request, db, principal, body.model_dump(mode="json"), action)


@router.get("/customer-merges", response_model=Page[MergeOut])
def get_merges(
    db: DbDep,
    _principal: CanRead,
    customer: Annotated[
        str | None, Query(description="survivor or duplicate, id or number")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Page[MergeOut]:
    """Customer merges, newest first."""
    with db.reader() as session:
        customer_id = queries.get_customer(session, customer).id if customer else None
        items, more = list_merges(
            session,
            customer_id=customer_id,
            before=decode_time_cursor(cursor) if cursor else None,
            limit=limit,
        )
    next_cursor = encode_time_cursor(items[-1].merged_at, items[-1].id) if more else None
    return Page(items=[MergeOut.from_view(m) for m in items], next_cursor=next_cursor)


@router.get("/customer-merges/{merge_id}", response_model=MergeOut)
def get_one_merge(merge_id: uuid.UUID, db: DbDep, _principal: CanRead) -> MergeOut:
    with db.reader() as session:
        return MergeOut.from_view(get_merge(session, merge_id))


@router.post("/customer-merges/{merge_id}/undo", response_model=MergeOut)
def undo_merge(merge_id: uuid.UUID, body: UndoMergeIn, db: DbDep, principal: CanMerge) -> MergeOut:
    """Move exactly the rows the merge moved back to the duplicate and reactivate it."""
    with db.unit_of_work(actor=principal.actor) as uow:
        return MergeOut.from_view(unmerge_customer(uow, merge_id=merge_id, reason=body.reason))


@router.get("/loyalty-tiers", response_model=Page[TierOut])
def get_tiers(db: DbDep, _principal: CanRead) -> Page[TierOut]:
    """Every loyalty tier, highest rank first (one page)."""
    with db.reader() as session:
        return Page(
            items=[TierOut.from_view(t) for t in tiers.list_tiers(session)], next_cursor=None
        )


@router.put("/loyalty-tiers/{code}", response_model=TierOut)
def put_tier(code: str, body: TierIn, db: DbDep, principal: CanManageTiers) -> TierOut:
    """Create or replace a tier; customers move at the next recalculation."""
    with db.unit_of_work(actor=principal.actor) as uow:
        return TierOut.from_view(tiers.save_tier(uow, code=code, **body.model_dump()))


@router.delete("/loyalty-tiers/{code}", status_code=204)
def delete_tier(code: str, db: DbDep, principal: CanManageTiers) -> Response:
    """Remove a tier nobody holds."""
    with db.unit_of_work(actor=principal.actor) as uow:
        tiers.delete_tier(uow, code=code)
    return Response(status_code=204)


@router.post("/loyalty-tiers/recalculate", response_model=TierRunOut)
def recalculate(body: TierRecalcIn, db: DbDep, principal: CanManageTiers) -> TierRunOut:
    """Give every customer the highest tier they qualify for now (or `as_of`)."""
    with db.unit_of_work(actor=principal.actor) as uow:
        run = tiers.recalculate_tiers(uow, as_of=body.as_of)
    return TierRunOut(
        as_of=run.as_of,
        evaluated=run.evaluated,
        upgraded=run.upgraded,
        downgraded=run.downgraded,
        by_tier=run.by_tier,
    )
