"""Who a document names, as a printable Party: the company, any address, and a
shipment's sender (its warehouse) and recipient (its delivery address)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.config import Settings
from ordersmith.customers.models import Customer
from ordersmith.db import table_of
from ordersmith.documents import Party
from ordersmith.inventory.models import Warehouse


def party(settings: Settings) -> Party:
    lines = tuple(line for line in settings.company_address.splitlines() if line.strip())
    return Party(settings.company_name, lines, settings.company_email)


def address_party(address: dict[str, Any], fallback_name: str = "") -> Party:
    keys = ("line1", "line2", "city", "region", "postcode", "country")
    lines = [str(address.get(k) or "").strip() for k in keys]
    postcode_city = " ".join(x for x in (lines[4], lines[2]) if x)
    printed = [lines[0], lines[1], postcode_city, lines[3], lines[5]]
    return Party(str(address.get("name") or fallback_name), tuple(x for x in printed if x))


def shipment_sender(session: Session, settings: Settings, shipment: Any) -> Party:
    """The shipment's warehouse (named "<company> — <warehouse>" unless its address has a
    name); the company itself if the warehouse has no address."""
    warehouses = table_of(Warehouse)
    wh = session.execute(
        sa.select(warehouses.c.name, warehouses.c.address).where(
            warehouses.c.id == shipment["warehouse_id"]
        )
    ).one()
    company = party(settings)
    if wh.address:
        return address_party(wh.address, f"{company.name} — {wh.name}")
    return company


def shipment_recipient(session: Session, shipment: Any) -> Party:
    """The shipment's delivery address, named for the customer unless it has a name."""
    customers = table_of(Customer)
    name = session.scalar(
        sa.select(customers.c.name).where(customers.c.id == shipment["customer_id"])
    )
    return address_party(shipment["ship_to"] or {}, str(name or ""))
