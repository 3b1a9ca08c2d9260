"""A SKU page's actions: adjust stock, receive goods without a purchase order, and the
stock settings of one warehouse (``POST /inventory/{sku}/adjust|receive|settings``).

Each is a plain form POST with the CSRF token, needs ``inventory:write`` (a user without
it gets the 403 page, whatever the form says), and calls the inventory service in a unit
of work that carries the user's permissions (the services check them too). Done: 303 to
the SKU's page with a message. Refused (a quantity that is not a whole number, stock that
would go below what is reserved, an unknown warehouse): the page again with the service's
message and code and the error's status; nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ordersmith.auth.permissions import Permission
from ordersmith.errors import FieldError, OmsError, ValidationFailed
from ordersmith.inventory.models import AdjustmentReason
from ordersmith.inventory.services import adjust_stock, receive_stock, set_stock_settings
from ordersmith.uow import UnitOfWork
from ordersmith.validation import whole_number
from ordersmith.web.pages.deps import StaffSession, csrf_protect, require
from ordersmith.web.pages.forms import Fields, act
from ordersmith.web.pages.inventory import sku_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Writer = Annotated[StaffSession, Depends(require(Permission.INVENTORY_WRITE))]


def signed_units(fields: dict[str, str], name: str) -> int:
    """A whole number of units, with an optional sign (``-3``, ``+5``, ``5``)."""
    text = fields.get(name, "").strip()
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    value = whole_number(digits)
    if value is None:
        raise ValidationFailed(
            f"{text!r} is not a whole number of units",
            fields=[FieldError(name, "a whole number, with - to take stock off")],
        )
    return sign * value


def _reason(value: str) -> AdjustmentReason:
    try:
        return AdjustmentReason(value)
    except ValueError:
        allowed = ", ".join(r.value for r in AdjustmentReason)
        raise ValidationFailed(
            f"{value!r} is not an adjustment reason",
            fields=[FieldError("reason", f"one of {allowed}")],
        ) from None


def _act(
    request: Request,
    session: StaffSession,
    sku: str,
    action: str,
    work: Callable[[UnitOfWork], object],
    form: dict[str, str],
) -> Response:
    """Run ``work`` on the SKU's stock; a missing SKU is the 404 page, a missing
    warehouse a message on the SKU's page."""

    def refused(exc: OmsError) -> HTMLResponse:
        return sku_page(request, session, sku, error=exc, form=form | {"action": action})

    def missing(exc: OmsError) -> bool:
        return exc.status == 404 and exc.code != "warehouse_not_found"

    done = f"/inventory/{sku}?done={action}"
    return act(request, session, work, done_url=done, on_error=refused, missing=missing)


@router.post("/inventory/{sku}/adjust")
def adjust(request: Request, sku: str, session: Writer, fields: Fields) -> Response:
    """Correct on-hand stock of one warehouse by a signed quantity, with a reason."""

    def work(uow: UnitOfWork) -> object:
        return adjust_stock(
            uow,
            warehouse=fields.get("warehouse", ""),
            sku=sku,
            delta=signed_units(fields, "delta"),
            reason=_reason(fields.get("reason", "")),
            note=fields.get("note", ""),
        )

    return _act(request, session, sku, "adjust", work, fields)


@router.post("/inventory/{sku}/receive")
def receive(request: Request, sku: str, session: Writer, fields: Fields) -> Response:
    """Goods in without a purchase order (a delivery note as the reference)."""

    def work(uow: UnitOfWork) -> object:
        return receive_stock(
            uow,
            warehouse=fields.get("warehouse", ""),
            sku=sku,
            quantity=signed_units(fields, "quantity"),
            reference=fields.get("reference", ""),
            note=fields.get("note", ""),
        )

    return _act(request, session, sku, "receive", work, fields)


@router.post("/inventory/{sku}/settings")
def settings(request: Request, sku: str, session: Writer, fields: Fields) -> Response:
    """The reorder point and bin location of one warehouse's stock of the SKU."""

    def work(uow: UnitOfWork) -> object:
        return set_stock_settings(
            uow,
            warehouse=fields.get("warehouse", ""),
            sku=sku,
            reorder_point=signed_units(fields, "reorder_point"),
            bin_location=fields.get("bin_location", ""),
        )

    return _act(request, session, sku, "settings", work, fields)
