"""Customer routes: customers and their addresses (history lives with orders)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.customers import queries, services
from ordersmith.customers.models import AccountType, AddressKind
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
    CustomerAddressIn,
    CustomerCreate,
    CustomerDetailOut,
    CustomerOut,
    CustomerUpdate,
)

router = APIRouter(tags=["customers"])
CanRead = Annotated[Principal, Depends(require(Permission.CUSTOMERS_READ))]
CanWrite = Annotated[Principal, Depends(require(Permission.CUSTOMERS_WRITE))]


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
