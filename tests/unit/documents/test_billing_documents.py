"""Invoice and statement documents from plain data, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordersmith.documents import (
    invoice_pdf,
    render_html,
    statement_pdf,
)
from ordersmith.documents.render import money, percent
from tests.unit.documents.samples import a_statement, an_invoice, flat, pdf_pages, pdf_text

D = Decimal


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
    doc = an_invoice(1, name="<b>Anvil</b> & <script>x</script>")
    # when
    html = render_html("invoice.html", {"doc": doc, "seller": doc.seller})
    # then
    assert "<script>" not in html
    assert "&lt;b&gt;Anvil&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in html


def test_a_long_invoice_runs_over_pages_with_the_totals_once_at_the_end() -> None:
    # given 60 lines
    doc = an_invoice(60)
    # when
    pages = [flat(page) for page in pdf_pages(invoice_pdf(doc))]
    # then
    assert len(pages) >= 2
    assert all("INV-2026-000042" in page for page in pages)
    assert all("UNIT PRICE" in page for page in pages)  # the header row repeats
    assert sum(page.count("Total 1800.00 EUR") for page in pages) == 1
    assert "Balance due 1800.00 EUR" in pages[-1]


def test_a_statements_closing_date_prints_on_one_line_in_bold() -> None:
    # when: the closing row's date is bold, wider than the dates above it
    text = flat(pdf_text(statement_pdf(a_statement())))
    # then: it fits its column instead of wrapping its last digit onto a line of its own
    assert "2026-11-30 Closing balance (EUR) 0.00" in text
