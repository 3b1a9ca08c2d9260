"""Blocks printed side by side (the header, the address boxes, the billing summary) keep
their places on an A4 page: 14 mm margins, 182 mm between them (ADR 0052)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ordersmith.documents import invoice_pdf, packing_slip_pdf
from tests.unit.documents.samples import a_packing_slip, an_invoice, text_positions_mm

LEFT, WIDTH = 14.0, 182.0
BOX_INSET = 3.3  # the address box's border and padding
GAP = 8.0


def test_the_seller_and_the_title_share_the_header_line() -> None:
    # when
    at = text_positions_mm(packing_slip_pdf(a_packing_slip()))
    # then: the seller at the left margin, the title in the right half, same band
    seller_x, seller_y = at["Ordersmith Demo Ltd"]
    title_x, title_y = at["Packing slip"]
    assert seller_x == pytest.approx(LEFT, abs=0.2)
    assert title_x > LEFT + WIDTH / 2
    assert abs(seller_y - title_y) < 5


@pytest.mark.parametrize(
    ("pdf", "left_title", "right_title"),
    [
        (lambda: packing_slip_pdf(a_packing_slip()), "SHIP TO", "SHIPPED BY"),
        (lambda: invoice_pdf(an_invoice(2)), "BILL TO", "FROM"),
    ],
)
def test_the_two_address_boxes_stand_side_by_side_with_a_gap(
    pdf: Callable[[], bytes], left_title: str, right_title: str
) -> None:
    # when
    at = text_positions_mm(pdf())
    # then: two equal boxes, 8 mm apart, their titles on one line
    box = (WIDTH - GAP) / 2
    assert at[left_title][0] == pytest.approx(LEFT + BOX_INSET, abs=0.3)
    assert at[right_title][0] == pytest.approx(LEFT + box + GAP + BOX_INSET, abs=0.3)
    assert at[left_title][1] == pytest.approx(at[right_title][1], abs=0.1)


def test_an_invoices_totals_stand_right_of_its_tax_summary() -> None:
    # when
    at = text_positions_mm(invoice_pdf(an_invoice(2)))
    # then: the totals take the right 77.4 mm, 10 mm after the tax summary
    [subtotal] = [xy for text, xy in at.items() if text.startswith("Subtotal")]
    [tax_rate] = [xy for text, xy in at.items() if text.upper().startswith("TAX RATE")]
    assert subtotal[0] == pytest.approx(LEFT + WIDTH - 0.425 * WIDTH, abs=0.3)
    assert tax_rate[0] == pytest.approx(LEFT, abs=2)
    assert subtotal[1] == pytest.approx(tax_rate[1], abs=3)
