"""What a printed document shows: plain, frozen data that the callers fill.

Nothing here reads the database or the settings. The shipping and fulfilment services
build these from their own rows (and the seller from ``Settings.company_*``), so a
document renders the same whoever asks for it. Weights are integer grams and sizes
integer millimetres, as they are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Party:
    """A sender, recipient or seller: a name and the address lines as printed."""

    name: str
    address_lines: tuple[str, ...]
    email: str = ""


@dataclass(frozen=True, slots=True)
class SlipLine:
    order_number: str
    line_no: int
    sku: str
    name: str
    quantity: int
    package_no: int | None
    """The package the units are packed in, or None when not yet assigned."""


@dataclass(frozen=True, slots=True)
class SlipPackage:
    number: int
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True, slots=True)
class PackingSlip:
    seller: Party
    ship_to: Party
    shipment_number: str
    order_numbers: tuple[str, ...]
    customer_number: str
    created_at: datetime
    carrier_name: str
    service_level: str
    tracking_number: str
    lines: tuple[SlipLine, ...]
    packages: tuple[SlipPackage, ...]
    notes: str = ""


@dataclass(frozen=True, slots=True)
class PickLine:
    sequence: int
    bin_location: str
    sku: str
    name: str
    quantity: int
    order_number: str
    line_no: int


@dataclass(frozen=True, slots=True)
class PickListDocument:
    number: str
    warehouse_code: str
    warehouse_name: str
    created_at: datetime
    lines: tuple[PickLine, ...]
    """In walking order: the document prints them as given."""


@dataclass(frozen=True, slots=True)
class ShippingLabel:
    """One package's label (a shipment of three packages prints three labels)."""

    carrier_name: str
    service_level: str
    tracking_number: str
    shipment_number: str
    sender: Party
    recipient: Party
    package_no: int
    package_count: int
    weight_grams: int
    created_at: datetime
