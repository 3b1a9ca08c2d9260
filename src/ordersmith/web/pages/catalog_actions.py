"""The catalog pages' actions (catalog:write): add a product (``POST /catalog``), save a
product (``POST /catalog/{sku}``), and set or remove a price list item
(``POST /catalog/price-lists/{code}/items``, ``.../items/remove``).

Each is a plain form POST with the CSRF token, needs ``catalog:write`` (others get the
403 page, whatever the form says) and calls the catalog service in a unit of work that
carries the user's permissions (the services check them too). Done: 303 to the product
or price list with a message. Refused (a price that is not an amount, a barcode another
product has, a status the lifecycle does not allow, an unknown SKU): the page again with
the service's message and code and the error's status; nothing changed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.catalog.services import (
    PriceItemInput,
    create_product,
    remove_price_list_item,
    set_price_list_item,
    update_product,
)
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.uow import UnitOfWork
from ordersmith.validation import whole_number
from ordersmith.web.pages.catalog import (
    PRODUCT_FIELDS,
    price_list_page,
    product_form_page,
    product_page,
)
from ordersmith.web.pages.deps import StaffSession, csrf_protect, require
from ordersmith.web.pages.forms import Fields, act

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.CATALOG_WRITE))]


def product_changes(fields: dict[str, str]) -> dict[str, Any]:
    """The product form's values for the service (``stocked`` is a checkbox)."""
    changes: dict[str, Any] = {name: fields.get(name, "") for name, _ in PRODUCT_FIELDS}
    changes["status"] = fields.get("status", "")
    changes["stocked"] = fields.get("stocked") == "1"
    changes["barcode"] = changes["barcode"].strip() or None
    return changes


def _missing(exc: OmsError) -> bool:
    """A missing product or price list is the 404 page; other refusals show on the page."""
    return exc.status == 404 and exc.code in ("product_not_found", "price_list_not_found")


def _never(exc: OmsError) -> bool:
    """A new product's form shows every refusal (there is nothing missing to act on)."""
    return False


@router.post("/catalog")
def create(request: Request, session: Writer, fields: Fields) -> Response:
    sku = fields.get("sku", "").strip()

    def work(uow: UnitOfWork) -> object:
        changes = product_changes(fields)
        return create_product(
            uow,
            sku=sku,
            name=changes.pop("name"),
            price=changes.pop("price"),
            currency=changes.pop("currency") or None,
            **changes,
        )

    def refused(exc: OmsError) -> HTMLResponse:
        return product_form_page(request, session, error=exc, form=fields)

    done = f"/catalog/{sku}?done=create"
    return act(request, session, work, done_url=done, on_error=refused, missing=_never)


@router.post("/catalog/{sku}")
def update(request: Request, sku: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork) -> object:
        return update_product(uow, product=sku, **product_changes(fields))

    def refused(exc: OmsError) -> HTMLResponse:
        return product_page(request, session, sku, error=exc, form=fields)

    done = f"/catalog/{sku}?done=update"
    return act(request, session, work, done_url=done, on_error=refused, missing=_missing)


def _min_quantity(fields: dict[str, str]) -> int:
    value = whole_number(fields.get("min_quantity", "") or "1")
    if not value:
        raise ValidationFailed(
            "the quantity a price starts from is a whole number of at least 1",
            fields=[FieldError("min_quantity", "a whole number, at least 1")],
        )
    return value


@router.post("/catalog/price-lists/{code}/items")
def set_item(request: Request, code: str, session: Writer, fields: Fields) -> Response:
    """Add a price (SKU, from quantity, price), or change the price of that SKU and
    quantity; the list's other prices stay."""
    sku = fields.get("sku", "").strip()

    def work(uow: UnitOfWork) -> str:
        item = PriceItemInput(sku, fields.get("price", ""), _min_quantity(fields))
        _, replaced = set_price_list_item(uow, price_list=code, item=item)
        return f"/catalog/price-lists/{code}?done={'replace' if replaced else 'add'}"

    def refused(exc: OmsError) -> HTMLResponse:
        return price_list_page(request, session, code, error=exc, form=fields | {"action": "set"})

    return act(request, session, work, on_error=refused, missing=_missing)


@router.post("/catalog/price-lists/{code}/items/remove")
def remove_item(request: Request, code: str, session: Writer, fields: Fields) -> Response:
    def work(uow: UnitOfWork) -> object:
        return remove_price_list_item(
            uow,
            price_list=code,
            sku=fields.get("sku", "").strip(),
            min_quantity=_min_quantity(fields),
        )

    def refused(exc: OmsError) -> HTMLResponse:
        form = fields | {"action": "remove"}
        return price_list_page(request, session, code, error=exc, form=form)

    done = f"/catalog/price-lists/{code}?done=remove"
    return act(request, session, work, done_url=done, on_error=refused, missing=_missing)
