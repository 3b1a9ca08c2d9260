"""The demo's suppliers: one specialist per product family, and a broad wholesaler.

Each stocked, sellable product gets its specialist as the **preferred** supplier (cost
48-62 % of the list price, the specialist's lead time, a minimum order and a pack
multiple fitting how the product is sold: boxes by ten, packs by six, units by one or
two). About a third of them can also be bought from the wholesaler, dearer and faster:
the second source a buyer turns to in a hurry. Everything goes through purchasing's own
services (``create_supplier``, ``add_supplier_product``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ordersmith.demo.master_data import CURRENCY, DemoProduct
from ordersmith.money import quantize
from ordersmith.purchasing.suppliers import add_supplier_product, create_supplier
from ordersmith.uow import UnitOfWork

WHOLESALER = "EUROSOURCE"


@dataclass(frozen=True, slots=True)
class DemoSupplier:
    code: str
    name: str
    contact_name: str
    email: str
    phone: str
    payment_terms_days: int
    lead_time_days: int
    street: str
    city: str
    postcode: str
    categories: tuple[str, ...]
    margin: tuple[int, int]
    """Its cost as a percentage of the list price, from..to."""


SUPPLIERS = (
    DemoSupplier(
        "BOLTEX", "Boltex Befestigungstechnik GmbH", "Jana Richter", "orders@boltex.example",
        "+49 231 555 0101", 30, 5, "Hafenstraße 40", "Dortmund", "44147", ("Fasteners",), (48, 56),
    ),
    DemoSupplier(
        "HANDWERK", "Handwerk Werkzeuge AG", "Tobias Brandt", "einkauf@handwerk.example",
        "+49 212 555 0144", 45, 8, "Klingenweg 7", "Solingen", "42651", ("Hand tools",), (50, 58),
    ),
    DemoSupplier(
        "VOLTPRO", "VoltPro Power Tools B.V.", "Sanne de Vries", "sales@voltpro.example",
        "+31 40 555 0190", 30, 12, "Kanaaldijk 88", "Eindhoven", "5611", ("Power tools",), (55, 62),
    ),
    DemoSupplier(
        "SAFEGUARD", "SafeGuard Workwear Ltd", "Priya Shah", "trade@safeguard.example",
        "+44 161 555 0123", 30, 7, "12 Mill Street", "Manchester", "M1 1AE",
        ("Safety wear",), (48, 55),
    ),
    DemoSupplier(
        "GRUENLAND", "Grünland Garten & Klima KG", "Markus Huber", "bestellung@gruenland.example",
        "+49 89 555 0177", 60, 10, "Gartenstraße 21", "München", "80331",
        ("Garden", "Heating and climate"), (50, 60),
    ),
    DemoSupplier(
        WHOLESALER, "EuroSource Wholesale S.A.", "Luc Martin", "orders@eurosource.example",
        "+33 3 555 0162", 14, 3, "5 rue du Port", "Strasbourg", "67000", (), (60, 68),
    ),
)  # fmt: skip
COUNTRY = {"Eindhoven": "NL", "Manchester": "GB", "Strasbourg": "FR"}


@dataclass(frozen=True, slots=True)
class SuppliersLoaded:
    suppliers: int
    supplier_products: int


def buyable(products: Sequence[DemoProduct]) -> list[DemoProduct]:
    """The products a supplier sells us: stocked, not draft, not discontinued."""
    return [p for p in products if p.stocked and p.status == "active"]


def create_demo_suppliers(
    uow: UnitOfWork, products: Sequence[DemoProduct], rng: random.Random
) -> SuppliersLoaded:
    """Every supplier, and what each supplies (see the module docstring)."""
    by_category = {c: s for s in SUPPLIERS for c in s.categories}
    for supplier in SUPPLIERS:
        create_supplier(
            uow,
            code=supplier.code,
            name=supplier.name,
            currency=CURRENCY,
            contact_name=supplier.contact_name,
            email=supplier.email,
            phone=supplier.phone,
            payment_terms_days=supplier.payment_terms_days,
            address={
                "line1": supplier.street,
                "city": supplier.city,
                "postcode": supplier.postcode,
                "country": COUNTRY.get(supplier.city, "DE"),
            },
        )
    wholesaler = next(s for s in SUPPLIERS if s.code == WHOLESALER)
    items = 0
    for product in buyable(products):
        specialist = by_category.get(product.category)
        if specialist is not None:
            _supply(uow, specialist, product, rng, preferred=True)
            items += 1
        if specialist is None or rng.randrange(3) == 0:
            _supply(uow, wholesaler, product, rng, preferred=specialist is None)
            items += 1
    return SuppliersLoaded(len(SUPPLIERS), items)


def _supply(
    uow: UnitOfWork,
    supplier: DemoSupplier,
    product: DemoProduct,
    rng: random.Random,
    *,
    preferred: bool,
) -> None:
    minimum, pack = {"bulk": (10, 10), "pack": (6, 6)}.get(product.pack, (1, rng.choice((1, 2))))
    share = Decimal(rng.randint(*supplier.margin)) / 100
    add_supplier_product(
        uow,
        supplier=supplier.code,
        sku=product.sku,
        supplier_sku=f"{supplier.code[:3]}-{product.sku}",
        unit_cost=quantize(product.price * share, CURRENCY),
        lead_time_days=supplier.lead_time_days + rng.randint(-1, 2),
        min_order_quantity=minimum,
        pack_multiple=pack,
        preferred=preferred,
    )
