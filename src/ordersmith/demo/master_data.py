"""The demo business's catalog, made from a seeded ``random.Random`` (no database).

A wholesale supplier of fasteners, tools, safety wear, garden and heating products:
three warehouses, about a hundred products (a few drafts, two discontinued, one
non-stocked service, slow movers and seasonal lines) and two customer-group price
lists with quantity breaks. Prices are Decimals built from strings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from ordersmith.demo.people import Address
from ordersmith.money import quantize
from ordersmith.orders.models import Channel

# float-ok-module: popularity weights and stock shares shape demand; every amount is a Decimal

CURRENCY = "EUR"
STANDARD_RATE = Decimal("0.2000")
REDUCED_RATE = Decimal("0.0500")


@dataclass(frozen=True, slots=True)
class DemoWarehouse:
    code: str
    name: str
    priority: int
    address: Address
    share: float  # part of a product's stock kept here (demand model, not money)


@dataclass(frozen=True, slots=True)
class DemoProduct:
    sku: str
    name: str
    category: str
    unit: str
    price: Decimal
    tax_rate: Decimal
    weight_kg: Decimal | None
    barcode: str | None
    status: str  # active, draft, discontinued
    stocked: bool
    season: str  # flat, summer, winter, q4
    popularity: float  # relative demand weight (slow movers are well below 1)
    pack: str  # bulk, pack or unit: how many a customer orders at once
    discontinued_days_ago: int = 0

    @property
    def tax_category(self) -> str:
        return "reduced" if self.tax_rate == REDUCED_RATE else "standard"


@dataclass(frozen=True, slots=True)
class DemoPriceItem:
    sku: str
    price: Decimal
    min_quantity: int = 1


@dataclass(frozen=True, slots=True)
class DemoPriceList:
    code: str
    name: str
    customer_group: str
    priority: int
    items: tuple[DemoPriceItem, ...]


# How customers order: quantities per pack (retail, trade), channels per customer type
# (trade?), and the previous system's reference prefix per channel.
QUANTITIES = {
    "bulk": ((1, 1, 2, 3, 5), (5, 10, 10, 20, 25, 50, 100)),
    "pack": ((1, 1, 2, 3), (2, 5, 10, 10, 20)),
    "unit": ((1, 1, 1, 2), (1, 1, 2, 3, 5)),
}
CHANNELS = {
    True: (
        (Channel.PHONE, Channel.API, Channel.WEB, Channel.IN_PERSON, Channel.IMPORT),
        (30, 20, 22, 16, 12),
    ),
    False: ((Channel.WEB, Channel.MARKETPLACE, Channel.IN_PERSON, Channel.PHONE), (55, 25, 15, 5)),
}
REF_PREFIX = {
    Channel.WEB: "WEB",
    Channel.MARKETPLACE: "MKT",
    Channel.IN_PERSON: "POS",
    Channel.PHONE: "TEL",
    Channel.API: "API",
    Channel.IMPORT: "EDI",
}

WAREHOUSES = (
    DemoWarehouse(
        "MAIN", "Main DC", 10, Address("Industriestraße 12", "Kassel", "34123", "DE"), 0.6
    ),
    DemoWarehouse("NORTH", "North DC", 20, Address("Hafenweg 3", "Hamburg", "20457", "DE"), 0.25),
    DemoWarehouse(
        "SOUTH", "South DC", 30, Address("Gewerbering 8", "Augsburg", "86153", "DE"), 0.15
    ),
)

# One category header ("== name | SKU prefix | bin aisle"), then one product per line:
# name | price | kg | unit | season | popularity | pack | flags (draft, reduced,
# discontinued=<days ago>, service). Popularity is a relative demand weight.
_CATALOG = """
== Fasteners | FAS | A
Wood screws 3.5x30 mm, box of 200 | 6.90 | 0.45 | box | flat | 2.4 | bulk
Wood screws 4x40 mm, box of 200 | 8.40 | 0.70 | box | flat | 3.0 | bulk
Wood screws 4.5x50 mm, box of 200 | 10.90 | 1.05 | box | flat | 2.6 | bulk
Wood screws 5x60 mm, box of 200 | 13.50 | 1.50 | box | flat | 2.0 | bulk
Wood screws 5x80 mm, box of 200 | 16.90 | 2.00 | box | flat | 1.4 | bulk
Wood screws 6x100 mm, box of 200 | 21.50 | 3.10 | box | flat | 0.9 | bulk
Drywall screws 3.5x25 mm, box of 1000 | 14.90 | 1.60 | box | flat | 1.8 | bulk
Drywall screws 3.5x35 mm, box of 1000 | 17.40 | 2.10 | box | flat | 1.6 | bulk
Drywall screws 3.9x45 mm, box of 1000 | 21.90 | 2.90 | box | flat | 1.0 | bulk
Hex bolts M6x40, zinc plated, box of 50 | 7.20 | 0.55 | box | flat | 1.2 | bulk
Hex bolts M8x50, zinc plated, box of 50 | 11.80 | 1.10 | box | flat | 1.5 | bulk
Hex bolts M10x60, zinc plated, box of 50 | 18.40 | 2.10 | box | flat | 1.0 | bulk
Hex bolts M12x80, zinc plated, box of 50 | 29.90 | 3.60 | box | flat | 0.6 | bulk
Hex nuts M6, box of 100 | 3.90 | 0.25 | box | flat | 1.1 | bulk
Hex nuts M8, box of 100 | 5.60 | 0.50 | box | flat | 1.4 | bulk
Hex nuts M10, box of 100 | 8.20 | 0.95 | box | flat | 0.9 | bulk
Hex nuts M12, box of 100 | 11.90 | 1.50 | box | flat | 0.5 | bulk
Washers M8, box of 200 | 4.90 | 0.60 | box | flat | 1.0 | bulk
Washers M10, box of 200 | 6.80 | 0.95 | box | flat | 0.7 | bulk
Wall plugs 6 mm, box of 100 | 3.40 | 0.12 | box | flat | 2.2 | bulk
Wall plugs 8 mm, box of 100 | 4.20 | 0.20 | box | flat | 2.0 | bulk
Wall plugs 10 mm, box of 50 | 4.60 | 0.22 | box | flat | 1.2 | bulk
Concrete anchors M8x75, box of 50 | 24.90 | 1.40 | box | flat | 0.8 | bulk
Concrete anchors M10x95, box of 50 | 34.50 | 2.30 | box | flat | 0.5 | bulk
Round wire nails 2.8x65, 1 kg | 5.90 | 1.00 | pack | flat | 1.3 | bulk
Roofing nails 3.1x25, 1 kg | 7.40 | 1.00 | pack | flat | 0.12 | bulk
Stainless deck screws 5x50, box of 250 | 34.90 | 1.40 | box | summer | 0.9 | bulk
== Hand tools | HND | B
Claw hammer 450 g | 18.90 | 0.65 | each | flat | 1.2 | unit
Club hammer 1.25 kg | 16.50 | 1.40 | each | flat | 0.6 | unit
Screwdriver set, 6 pieces | 22.90 | 0.55 | set | q4 | 1.1 | unit
Tape measure 5 m | 9.90 | 0.22 | each | flat | 1.8 | pack
Tape measure 8 m | 14.50 | 0.35 | each | flat | 0.9 | pack
Spirit level 60 cm | 19.90 | 0.48 | each | flat | 0.8 | unit
Spirit level 120 cm | 34.90 | 0.95 | each | flat | 0.4 | unit
Utility knife with 10 blades | 8.90 | 0.18 | each | flat | 1.6 | pack
Hacksaw 300 mm | 15.90 | 0.60 | each | flat | 0.5 | unit
Combination pliers 180 mm | 17.40 | 0.30 | each | flat | 0.9 | unit
Adjustable wrench 250 mm | 21.90 | 0.45 | each | flat | 0.7 | unit
Socket set 1/2 inch, 24 pieces | 69.00 | 3.20 | set | q4 | 0.5 | unit
Hex key set, 9 pieces | 12.90 | 0.25 | set | flat | 0.8 | unit
Wood chisel set, 4 pieces | 29.90 | 0.80 | set | flat | 0.3 | unit
Plastering trowel 280 mm | 13.90 | 0.40 | each | flat | 0.5 | unit
Caulking gun, heavy duty | 11.50 | 0.55 | each | flat | 0.6 | unit
Bolt cutter 600 mm | 44.90 | 2.40 | each | flat | 0.08 | unit
== Power tools | PWR | C
Cordless drill driver 18 V | 129.00 | 1.60 | each | q4 | 0.9 | unit
Cordless impact driver 18 V | 149.00 | 1.40 | each | q4 | 0.7 | unit
Angle grinder 125 mm, 1100 W | 89.00 | 2.20 | each | flat | 0.6 | unit
Jigsaw 650 W | 99.00 | 2.40 | each | flat | 0.4 | unit
Circular saw 190 mm, 1400 W | 159.00 | 4.10 | each | flat | 0.3 | unit
SDS-plus hammer drill 800 W | 179.00 | 3.10 | each | flat | 0.4 | unit
Random orbit sander 125 mm | 79.00 | 1.70 | each | flat | 0.35 | unit
Battery pack 18 V, 4.0 Ah | 69.00 | 0.62 | each | q4 | 1.0 | unit
Fast charger 18 V | 49.00 | 0.55 | each | flat | 0.4 | unit
Oscillating multi-tool 300 W | 109.00 | 1.50 | each | flat | 0.25 | unit
Heat gun 2000 W | 39.90 | 0.80 | each | winter | 0.3 | unit
Table saw 254 mm | 489.00 | 26.00 | each | flat | 0.05 | unit
Electric planer 82 mm | 119.00 | 3.20 | each | flat | 0.07 | unit
Corded drill 600 W | 59.00 | 1.90 | each | flat | 0.5 | unit | discontinued=210
Halogen work light 500 W | 24.90 | 1.80 | each | winter | 0.4 | unit | discontinued=120
Cordless chainsaw 36 V | 329.00 | 4.90 | each | flat | 0.3 | unit | draft
== Safety wear | SAF | D
Safety helmet EN 397, white | 12.90 | 0.38 | each | flat | 0.9 | pack
Safety glasses, clear | 4.90 | 0.05 | each | flat | 1.9 | pack
Ear defenders SNR 30 dB | 16.90 | 0.25 | each | flat | 0.6 | pack
FFP2 masks, box of 20 | 18.90 | 0.20 | box | winter | 1.4 | pack
Nitrile work gloves, size M, 12 pairs | 19.90 | 0.60 | pack | flat | 1.2 | pack
Nitrile work gloves, size L, 12 pairs | 19.90 | 0.65 | pack | flat | 1.6 | pack
Nitrile work gloves, size XL, 12 pairs | 19.90 | 0.70 | pack | flat | 0.9 | pack
Winter work gloves, lined, size L | 9.90 | 0.15 | pair | winter | 1.3 | pack
Thermal work jacket, size L | 79.00 | 1.30 | each | winter | 0.5 | unit
Hi-vis vest EN ISO 20471 | 5.90 | 0.12 | each | flat | 1.1 | pack
Safety boots S3, size 42 | 69.00 | 1.60 | pair | flat | 0.4 | unit
Safety boots S3, size 44 | 69.00 | 1.70 | pair | flat | 0.45 | unit
First aid kit DIN 13157 | 29.90 | 0.90 | each | flat | 0.3 | unit | reduced
== Garden | GRD | E
Garden hose 1/2 inch, 25 m | 29.90 | 3.20 | each | summer | 1.3 | unit
Hose connector set, 4 pieces | 9.90 | 0.25 | set | summer | 1.4 | pack
Pruning shears, bypass | 19.90 | 0.25 | each | summer | 0.9 | unit
Cordless hedge trimmer 18 V | 119.00 | 2.60 | each | summer | 0.5 | unit
Cordless lawn mower 36 V, 37 cm | 299.00 | 15.00 | each | summer | 0.4 | unit
Lawn seed, 5 kg | 34.90 | 5.00 | bag | summer | 1.2 | pack | reduced
Potting soil, 40 l | 7.90 | 16.00 | bag | summer | 2.0 | pack | reduced
Lawn fertiliser, 10 kg | 24.90 | 10.00 | bag | summer | 0.9 | pack
Vegetable seed collection, 12 packets | 14.90 | 0.20 | set | summer | 0.6 | pack | reduced
Wheelbarrow 100 l | 79.00 | 14.00 | each | summer | 0.3 | unit
Garden spade, ash handle | 27.90 | 1.90 | each | summer | 0.5 | unit
Leaf rake | 14.90 | 0.80 | each | summer | 0.6 | unit
Oscillating sprinkler | 17.90 | 0.60 | each | summer | 0.7 | unit
Robotic lawn mower 600 m2 | 899.00 | 9.50 | each | summer | 0.2 | unit | draft
== Heating and climate | HEA | F
Fan heater 2 kW | 34.90 | 1.60 | each | winter | 0.9 | unit
Oil-filled radiator 2.5 kW | 79.00 | 11.00 | each | winter | 0.6 | unit
Infrared patio heater 2 kW | 129.00 | 4.20 | each | winter | 0.3 | unit
De-icer spray, 500 ml | 4.90 | 0.55 | each | winter | 1.2 | pack
Road salt, 25 kg | 11.90 | 25.00 | bag | winter | 1.1 | pack
Snow shovel, 50 cm | 24.90 | 1.40 | each | winter | 0.5 | unit
Pedestal fan 40 cm | 29.90 | 4.50 | each | summer | 0.7 | unit
Smart radiator thermostat | 49.90 | 0.30 | each | winter | 0.4 | unit | draft
== Services | SRV | S
Saw blade sharpening service | 12.00 | | each | flat | 0.15 | unit | service
"""


def _catalog_rows() -> list[tuple[str, str, str, list[str]]]:
    """(category, SKU prefix, aisle, fields) for every product line of ``_CATALOG``."""
    rows, category, prefix, aisle = [], "", "", ""
    for line in _CATALOG.strip().splitlines():
        if line.startswith("== "):
            category, prefix, aisle = (part.strip() for part in line[3:].split("|"))
        else:
            rows.append((category, prefix, aisle, [part.strip() for part in line.split("|")]))
    return rows


AISLES = {category: aisle for category, _prefix, aisle, _fields in _catalog_rows()}


def ean13(number: int) -> str:
    """A valid EAN-13 (GS1 prefix 400-440 range, Germany) for a 9-digit item number."""
    digits = f"400{number % 10**9:09d}"
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return digits + str(check)


def products(rng: random.Random) -> list[DemoProduct]:
    result = []
    numbers: dict[str, int] = {}
    for category, prefix, _aisle, fields in _catalog_rows():
        name, price, kg, unit, season, popularity, pack, *flags = fields
        numbers[prefix] = numbers.get(prefix, 0) + 1
        status = "draft" if "draft" in flags else "active"
        ended = [int(f.split("=")[1]) for f in flags if f.startswith("discontinued=")]
        stocked = "service" not in flags
        result.append(
            DemoProduct(
                sku=f"{prefix}-{1000 + numbers[prefix] * 10}",
                name=name,
                category=category,
                unit=unit,
                price=Decimal(price),
                tax_rate=REDUCED_RATE if "reduced" in flags else STANDARD_RATE,
                weight_kg=Decimal(kg) if kg else None,
                barcode=ean13(rng.randrange(10**8, 10**9)) if stocked else None,
                status="discontinued" if ended else status,
                stocked=stocked,
                season=season,
                popularity=float(popularity),
                pack=pack,
                discontinued_days_ago=ended[0] if ended else 0,
            )
        )
    barcodes = [p.barcode for p in result if p.barcode]
    if len(set(barcodes)) != len(barcodes):  # vanishingly rare: 1e9 numbers
        raise RuntimeError("demo barcode collision")
    return result


def price_lists(catalog: list[DemoProduct], rng: random.Random) -> list[DemoPriceList]:
    """WHOLESALE (group wholesale, ~10-15 % off, breaks on bulk items) and VIP (~20 % off)."""
    sellable = [p for p in catalog if p.status != "draft"]
    wholesale: list[DemoPriceItem] = []
    vip: list[DemoPriceItem] = []
    for p in sellable:
        off = rng.choice((Decimal("0.85"), Decimal("0.87"), Decimal("0.88"), Decimal("0.90")))
        wholesale.append(DemoPriceItem(p.sku, quantize(p.price * off, CURRENCY)))
        vip.append(DemoPriceItem(p.sku, quantize(p.price * Decimal("0.80"), CURRENCY)))
        if p.pack == "bulk":
            wholesale.append(
                DemoPriceItem(p.sku, quantize(p.price * Decimal("0.80"), CURRENCY), 10)
            )
            wholesale.append(
                DemoPriceItem(p.sku, quantize(p.price * Decimal("0.75"), CURRENCY), 50)
            )
            vip.append(DemoPriceItem(p.sku, quantize(p.price * Decimal("0.72"), CURRENCY), 25))
    return [
        DemoPriceList("WHOLESALE", "Wholesale trade prices", "wholesale", 10, tuple(wholesale)),
        DemoPriceList("VIP", "VIP key accounts", "vip", 20, tuple(vip)),
    ]
