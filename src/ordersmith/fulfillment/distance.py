"""How far a warehouse is from a ship-to address, in zones. Pure.

Without a geocoder (this product runs offline) distance is a zone number from the
address alone, the way parcel carriers zone their price lists:

    0  same country, same postcode area (first two characters)
    1  same country, same postcode region (first character)
    2  same country
    3  a different country
    4  the address has no country (nothing to compare)

Lower is nearer. Ties are broken by warehouse priority (ordersmith.fulfillment.sourcing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SAME_AREA, SAME_REGION, SAME_COUNTRY, ABROAD, UNKNOWN = 0, 1, 2, 3, 4


def zone_distance(warehouse: Mapping[str, Any], ship_to: Mapping[str, Any]) -> int:
    country = _norm(ship_to.get("country"))
    if not country:
        return UNKNOWN
    if _norm(warehouse.get("country")) != country:
        return ABROAD
    mine, theirs = _postcode(warehouse), _postcode(ship_to)
    if mine[:2] and mine[:2] == theirs[:2]:
        return SAME_AREA
    if mine[:1] and mine[:1] == theirs[:1]:
        return SAME_REGION
    return SAME_COUNTRY


def _norm(value: Any) -> str:
    return str(value or "").strip().upper()


def _postcode(address: Mapping[str, Any]) -> str:
    return "".join(ch for ch in _norm(address.get("postcode")) if ch.isalnum())
