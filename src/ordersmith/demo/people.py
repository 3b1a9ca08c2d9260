"""The demo business's customers, made from a seeded ``random.Random`` (no database).

About a third are trade customers on account (payment terms, credit limit, a site
address to ship to), the rest retail customers who pay cash. Names, companies and
e-mail addresses are unique; e-mail domains are reserved ``example`` names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from ordersmith.customers.models import AccountType

# float-ok-module: how often a customer orders (a weight); every amount is a Decimal


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    postcode: str
    country: str
    name: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "line1": self.line1,
            "line2": "",
            "city": self.city,
            "region": "",
            "postcode": self.postcode,
            "country": self.country,
        }


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    name: str
    company: str
    email: str
    phone: str
    customer_group: str
    account_type: AccountType
    payment_terms_days: int
    credit_limit: Decimal | None
    billing: Address
    shipping: Address
    activity: float  # relative order frequency

    @property
    def is_trade(self) -> bool:
        return self.account_type is AccountType.ACCOUNT


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


_FIRST = _split(
    "Anna, Ben, Clara, David, Emma, Felix, Greta, Hannah, Jonas, Julia, Karl, Lara, Lukas, Lea, "
    "Max, Mia, Noah, Nina, Oskar, Paul, Rosa, Sophie, Tim, Ella, Finn, Ida, Jan, Lena, Moritz, "
    "Nora, Emil, Frieda, Henrik, Ines, Jakob, Kim, Leon, Marie, Sara, Tom"
)
_LAST = _split(
    "Becker, Fischer, Hoffmann, Koch, Krüger, Lange, Meyer, Müller, Neumann, Richter, Schmidt, "
    "Schneider, Schulz, Wagner, Weber, Wolf, Zimmermann, Jansen, de Vries, Bakker, Visser, "
    "Peeters, Maes, Dubois, Lefebvre, Moreau, Gruber, Huber, Bauer, Berger, Hartmann, Keller, "
    "Lorenz, Vogel, Sommer, Brandt"
)
_TRADES = _split(
    "Bau GmbH, Haustechnik GmbH, Dachdeckerei, Elektro GmbH, Tischlerei, Landschaftsbau, "
    "Facility Services, Bouw B.V., Renovations SARL, Sanitär KG, Metallbau GmbH, Holzbau GmbH"
)
_PLACES = (
    ("DE", "Berlin", "101", ("Hauptstraße", "Bahnhofstraße", "Lindenallee")),
    ("DE", "Hamburg", "201", ("Mühlenweg", "Hafenstraße", "Eichenweg")),
    ("DE", "München", "803", ("Schillerstraße", "Gartenweg", "Bergstraße")),
    ("DE", "Köln", "506", ("Ringstraße", "Kirchweg", "Am Markt")),
    ("DE", "Frankfurt am Main", "603", ("Industriestraße", "Goethestraße", "Feldweg")),
    ("DE", "Leipzig", "041", ("Parkstraße", "Waldstraße", "Rosenweg")),
    ("NL", "Rotterdam", "301", ("Kerkstraat", "Molenweg", "Dorpsstraat")),
    ("NL", "Utrecht", "351", ("Stationsweg", "Julianalaan", "Beukenlaan")),
    ("BE", "Antwerpen", "20", ("Kerkstraat", "Stationsstraat", "Nieuwstraat")),
    ("AT", "Wien", "11", ("Hauptplatz", "Ringstraße", "Lindengasse")),
    ("AT", "Graz", "80", ("Schulgasse", "Bahnhofgürtel", "Annenstraße")),
    ("FR", "Strasbourg", "670", ("Rue de la Gare", "Rue du Moulin", "Avenue de la Paix")),
)


def _address(rng: random.Random, name: str = "") -> Address:
    country, city, postcode, streets = rng.choice(_PLACES)
    digits = {"DE": 5, "FR": 5, "NL": 4, "BE": 4, "AT": 4}[country]
    code = postcode + "".join(str(rng.randrange(10)) for _ in range(digits - len(postcode)))
    if country == "NL":
        code += " " + rng.choice("ABCDEHJKLMNPRSTVXZ") + rng.choice("ABCDEHJKLMNPRSTVXZ")
    return Address(f"{rng.choice(streets)} {rng.randint(1, 180)}", city, code, country, name)


def _slug(text: str) -> str:
    """``Müller Bau GmbH`` -> ``mueller-bau-gmbh`` (for e-mail addresses)."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    words = "".join(c if c.isalnum() else " " for c in text.lower().translate(table)).split()
    return "-".join(words)


def customers(rng: random.Random, count: int) -> list[DemoCustomer]:
    """About a third trade customers on account (30/60 days, credit limit), the rest cash."""
    people = [(first, last) for first in _FIRST for last in _LAST]
    rng.shuffle(people)
    trade_count = max(1, round(count * 0.37)) if count > 1 else 1
    result: list[DemoCustomer] = []
    companies: set[str] = set()
    for i, (first, last) in enumerate(people[:count]):
        name = f"{first} {last}"
        if i < trade_count:
            company = f"{last} {rng.choice(_TRADES)}"
            while company in companies:
                company = f"{last} & {rng.choice(_LAST)} {rng.choice(_TRADES)}"
            companies.add(company)
            vip = i % 8 == 0
            result.append(
                DemoCustomer(
                    name=name,
                    company=company,
                    email=f"{_slug(first)}.{_slug(last)}@{_slug(company)[:40].strip('-')}.example.com",
                    phone=f"+49 {rng.randint(30, 899)} {rng.randint(100000, 9999999)}",
                    customer_group="vip" if vip else "wholesale",
                    account_type=AccountType.ACCOUNT,
                    payment_terms_days=rng.choice((30, 30, 60)),
                    credit_limit=Decimal(rng.choice(("5000", "10000", "25000", "50000"))),
                    billing=_address(rng, company),
                    shipping=_address(rng, f"{company} (site)"),
                    activity=min(rng.paretovariate(1.6), 12.0) * 4,
                )
            )
        else:
            home = _address(rng, name)
            domain = rng.choice(("example.com", "example.net", "example.org"))
            result.append(
                DemoCustomer(
                    name=name,
                    company="",
                    email=f"{_slug(first)}.{_slug(last)}@{domain}",
                    phone=f"+49 1{rng.randint(50, 79)} {rng.randint(1000000, 99999999)}",
                    customer_group="retail",
                    account_type=AccountType.CASH,
                    payment_terms_days=0,
                    credit_limit=None,
                    billing=home,
                    shipping=home,
                    activity=min(rng.paretovariate(2.0), 8.0),
                )
            )
    return result
