from dataclasses import replace

from ordersmith.documents import Party, SlipLine, packing_slip_pdf, render_html
from tests.unit.documents.samples import a_packing_slip, flat, page_sizes_mm, pdf_pages, pdf_text

HOSTILE = Party("<script>alert(1)</script> Smith & Sons", ('<img src="x" onerror="y">',))


def test_a_packing_slip_shows_shipment_orders_lines_quantities_and_tracking():
    # given
    slip = a_packing_slip()
    # when
    text = pdf_text(packing_slip_pdf(slip))
    # then
    for expected in (
        "Packing slip",
        "SH-2026-000042",
        "SO-2026-000123",
        "SO-2026-000124",
        "CUST-000007",
        "BRK-STEEL-40",
        "SCR-M6-100",
        "Steel bracket 40 mm",
        "OWN-0J5K8ZQ3X4Y5Z6A7B8P",
        "Ada Lovelace",
        "1 Analytical Way",
        "Ordersmith Demo Ltd",
        "2026-11-28 14:05 UTC",
    ):
        assert expected in text
    assert "12" in text
    assert "15" in text


def test_a_packing_slip_is_a4_and_shows_package_weights_in_kilograms():
    # given
    slip = a_packing_slip()
    # when
    pdf = packing_slip_pdf(slip)
    # then
    assert page_sizes_mm(pdf) == [(210, 297)]
    text = pdf_text(pdf)
    assert "1.250" in text
    assert "0.780" in text
    assert "2.030" in text
    assert "400 \N{MULTIPLICATION SIGN} 300 \N{MULTIPLICATION SIGN} 200" in text


def test_customer_text_is_escaped_in_the_html_and_printed_as_text():
    # given
    slip = a_packing_slip(ship_to=HOSTILE, notes="Tom & Jerry <b>fragile</b>")
    # when
    html = render_html("packing_slip.html", {"slip": slip, "seller": slip.seller})
    text = flat(pdf_text(packing_slip_pdf(slip)))
    # then
    assert "<script>" not in html
    assert "<img" not in html
    assert "<b>fragile" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Smith &amp; Sons" in html
    assert "<script>alert(1)</script>" in text
    assert "Smith & Sons" in text
    assert "Tom & Jerry <b>fragile</b>" in text


def test_a_slip_without_packages_or_tracking_number_still_prints():
    # given
    slip = replace(a_packing_slip(packages=()), tracking_number="")
    # when
    text = pdf_text(packing_slip_pdf(slip))
    # then
    assert "SH-2026-000042" in text
    assert "Packages" not in text


def test_a_slip_with_many_long_lines_runs_over_pages_and_numbers_them():
    # given
    lines = tuple(
        SlipLine("SO-2026-000123", n, f"LONG-{n:03d}-" + "X" * 60, "Very long name " * 12, n, None)
        for n in range(1, 61)
    )
    slip = a_packing_slip(lines=lines)
    # when
    pages = pdf_pages(packing_slip_pdf(slip))
    # then
    assert len(pages) > 1
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "SH-2026-000042" in pages[-1]  # the number in every page's footer
    assert "ORDER" in pages[-1]  # the table header repeats
    text = "\n".join(pages)
    assert all(f"LONG-{n:03d}-" in text for n in range(1, 61))


def test_names_in_other_scripts_print_as_they_are():
    # given
    ship_to = Party("Zoë Ångström", ("Σωκράτους 5", "Москва 101000", "Þórshöfn"))
    # when
    text = pdf_text(packing_slip_pdf(a_packing_slip(ship_to=ship_to)))
    # then
    for expected in ("Zoë Ångström", "Σωκράτους 5", "Москва 101000", "Þórshöfn"):
        assert expected in text


def test_cjk_text_renders_without_error():
    # given: this machine may have no CJK font; the glyphs then print as boxes
    ship_to = Party("山田 太郎", ("東京都千代田区1-1", "日本"))
    slip = a_packing_slip(ship_to=ship_to)
    # when
    pdf = packing_slip_pdf(slip)
    # then
    assert pdf.startswith(b"%PDF")
    assert len(pdf_pages(pdf)) == 1
    assert "東京都千代田区1-1" in render_html(
        "packing_slip.html", {"slip": slip, "seller": slip.seller}
    )
