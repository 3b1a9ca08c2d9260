"""Sample documents and a PDF reader for the document and carrier tests."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader

from ordersmith.documents import (
    AgingSummary,
    InvoiceDocLine,
    InvoiceDocument,
    PackingSlip,
    Party,
    PickLine,
    PickListDocument,
    ShippingLabel,
    SlipLine,
    SlipPackage,
    StatementDocument,
    StatementLine,
    TaxSummaryLine,
)

WHEN = datetime(2026, 11, 28, 14, 5, tzinfo=UTC)
SELLER = Party(
    "Ordersmith Demo Ltd", ("Hafenstrasse 1", "20457 Hamburg", "DE"), "orders@example.com"
)
CUSTOMER = Party("Ada Lovelace", ("1 Analytical Way", "London N1 1AA", "GB"), "ada@example.com")


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def text_positions_mm(pdf: bytes, page: int = 0) -> dict[str, tuple[float, float]]:
    """Where each run of text on a page starts: its left edge and baseline in millimetres
    from the page's bottom-left corner (the first run of a repeated text wins)."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip():
            found.setdefault(text.strip(), (x * 25.4 / 72, y * 25.4 / 72))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def flat(text: str) -> str:
    """Text with every run of spaces and line breaks made one space (cells wrap)."""
    return " ".join(text.split())


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    """Each page's width and height, rounded to whole millimetres."""
    return [
        (
            round(float(page.mediabox.width) * 25.4 / 72),
            round(float(page.mediabox.height) * 25.4 / 72),
        )
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def a_packing_slip(
    *,
    ship_to: Party = CUSTOMER,
    lines: tuple[SlipLine, ...] | None = None,
    packages: tuple[SlipPackage, ...] | None = None,
    notes: str = "",
) -> PackingSlip:
    return PackingSlip(
        seller=SELLER,
        ship_to=ship_to,
        shipment_number="SH-2026-000042",
        order_numbers=("SO-2026-000123", "SO-2026-000124"),
        customer_number="CUST-000007",
        created_at=WHEN,
        carrier_name="Own fleet",
        service_level="express",
        tracking_number="OWN-0J5K8ZQ3X4Y5Z6A7B8P",
        lines=lines
        if lines is not None
        else (
            SlipLine("SO-2026-000123", 1, "BRK-STEEL-40", "Steel bracket 40 mm", 12, 1),
            SlipLine("SO-2026-000124", 2, "SCR-M6-100", "Screws M6, box of 100", 3, 2),
        ),
        packages=packages
        if packages is not None
        else (SlipPackage(1, 1250, 400, 300, 200), SlipPackage(2, 780, 300, 200, 100)),
        notes=notes,
    )


def a_pick_list(lines: int = 3, *, name: str = "Widget") -> PickListDocument:
    return PickListDocument(
        number="PL-2026-000009",
        warehouse_code="MAIN",
        warehouse_name="Main warehouse",
        created_at=WHEN,
        lines=tuple(
            PickLine(n, f"A-{n:03d}-2", f"SKU-{n:04d}", name, n % 9 + 1, "SO-2026-000123", n)
            for n in range(1, lines + 1)
        ),
    )


def a_label(
    *, recipient: Party = CUSTOMER, package_no: int = 1, package_count: int = 1
) -> ShippingLabel:
    return ShippingLabel(
        carrier_name="Own fleet",
        service_level="express",
        tracking_number="OWN-0J5K8ZQ3X4Y5Z6A7B8P",
        shipment_number="SH-2026-000042",
        sender=SELLER,
        recipient=recipient,
        package_no=package_no,
        package_count=package_count,
        weight_grams=1250,
        created_at=WHEN,
    )


def an_invoice(lines: int, name: str = "Anvil") -> InvoiceDocument:
    items = tuple(
        InvoiceDocLine(
            n,
            f"A-{n}",
            name,
            2,
            Decimal("12.50"),
            Decimal("0"),
            Decimal("25.00"),
            Decimal("0.2"),
            Decimal("5.00"),
        )
        for n in range(1, lines + 1)
    )
    net, tax = Decimal("25.00") * lines, Decimal("5.00") * lines
    return InvoiceDocument(
        seller=SELLER,
        bill_to=CUSTOMER,
        title="Invoice",
        number="INV-2026-000042",
        customer_number="CUST-000007",
        currency="EUR",
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        payment_terms="30 days net",
        references=(("Order", "SO-2026-000009"),),
        lines=items,
        tax_summary=(TaxSummaryLine(Decimal("0.2"), net, tax),),
        subtotal=net,
        tax_total=tax,
        total=net + tax,
        amount_paid=Decimal("0"),
        amount_credited=Decimal("0"),
        balance_due=net + tax,
    )


def a_statement(date_to: date = date(2026, 11, 30)) -> StatementDocument:
    """One receipt and its payment within the period: the account closes at zero."""
    zero, amount = Decimal("0.00"), Decimal("258.96")
    return StatementDocument(
        seller=SELLER,
        customer=CUSTOMER,
        customer_number="CUST-000240",
        currency="EUR",
        date_from=date(2026, 1, 1),
        date_to=date_to,
        opening_balance=zero,
        lines=(
            StatementLine(date_to, "Receipt", "RCT-2026-000009", "", amount, zero, amount),
            StatementLine(date_to, "Payment", "PAY-2026-000009", "card", zero, amount, zero),
        ),
        closing_balance=zero,
        aging=AgingSummary(date_to, zero, zero, zero, zero, zero),
    )
