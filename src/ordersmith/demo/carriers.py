"""The demo business's carriers: its own van fleet for the region, a parcel carrier for
everything else. Created through ``shipping.carriers.create_carrier``, by the loader
and (for a demo database loaded before carriers existed) by the fulfilment simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

from ordersmith.shipping.carriers import ServiceInput, create_carrier, list_carriers
from ordersmith.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class DemoCarrier:
    code: str
    name: str
    kind: str
    tracking_url_template: str
    services: tuple[ServiceInput, ...]


LOCAL_COURIER = DemoCarrier(
    "VANS",
    "Own van fleet",
    "local_courier",
    "",
    (
        ServiceInput("standard", "Next-day van delivery", 1, is_default=True),
        ServiceInput("express", "Same-day van delivery", 0),
    ),
)
PARCEL_CARRIER = DemoCarrier(
    "PARCELNET",
    "ParcelNet",
    "generic",
    "https://track.parcelnet.example/parcels/{tracking_number}",
    (
        ServiceInput("standard", "ParcelNet Standard", 2, is_default=True),
        ServiceInput("express", "ParcelNet Express", 1),
    ),
)
CARRIERS = (LOCAL_COURIER, PARCEL_CARRIER)


def create_demo_carriers(uow: UnitOfWork) -> int:
    """Create the demo carriers that do not exist yet; how many were created."""
    existing = {c.code for c in list_carriers(uow.session)}
    created = 0
    for carrier in CARRIERS:
        if carrier.code in existing:
            continue
        create_carrier(
            uow,
            code=carrier.code,
            name=carrier.name,
            kind=carrier.kind,
            tracking_url_template=carrier.tracking_url_template,
            services=carrier.services,
        )
        created += 1
    return created
