"""Invoice and statement documents from plain data, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ordersmith.documents import (
    InvoiceDocLine,
    InvoiceDocument,
    TaxSummaryLine,
    invoice_pdf,
    render_html,
)
from ordersmith.documents.render import money, percent
from tests.unit.documents.samples import CUSTOMER, SELLER, flat, pdf_pages

D = Decimal


def _invoice(lines: int, name: str = "Anvil") -> InvoiceDocument:
    items = tuple(
        InvoiceDocLine(n, f"A-{n}", name, 2, D("12.50"), D("0"), D("25.00"), D("0.2"), D("5.00"))
        for n in range(1, lines + 1)
    )
    net, tax = D("25.00") * lines, D("5.00") * lines
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
        tax_summary=(TaxSummaryLine(D("0.2"), net, tax),),
        subtotal=net,
        tax_total=tax,
        total=net + tax,
        amount_paid=D("0"),
        amount_credited=D("0"),
        balance_due=net + tax,
    )


@pytest.mark.parametrize(
    ("rate", "shown"),
    [("0.2", "20%"), ("0.19", "19%"), ("0.055", "5.5%"), ("0", "0%"), ("0.0700", "7%")],
)
def test_a_tax_rate_prints_as_an_exact_percentage(rate: str, shown: str) -> None:
    # given / when / then
    assert percent(D(rate)) == shown


def test_an_amount_prints_with_the_currencys_decimals() -> None:
    # given / when / then
    assert (money(D("12.5"), "EUR"), money(D("1200"), "JPY"), money(D("1.5"), "KWD")) == (
        "12.50",
        "1200",
        "1.500",
    )


def test_product_text_with_markup_is_printed_as_text() -> None:
    # given
    doc = _invoice(1, name="<b>Anvil</b> & <script>x</script>")
    # when
    html = render_html("invoice.html", {"doc": doc, "seller": doc.seller})
    # then
    assert "<script>" not in html
    assert "&lt;b&gt;Anvil&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in html


def test_a_long_invoice_runs_over_pages_with_the_totals_once_at_the_end() -> None:
    # given 60 lines
    doc = _invoice(60)
    # when
    pages = [flat(page) for page in pdf_pages(invoice_pdf(doc))]
    # then
    assert len(pages) >= 2
    assert all("INV-2026-000042" in page for page in pages)
    assert all("UNIT PRICE" in page for page in pages)  # the header row repeats
    assert sum(page.count("Total 1800.00 EUR") for page in pages) == 1
    assert "Balance due 1800.00 EUR" in pages[-1]
