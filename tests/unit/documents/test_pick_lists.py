from ordersmith.documents import pick_list_pdf
from tests.unit.documents.samples import a_pick_list, flat, page_sizes_mm, pdf_pages, pdf_text


def test_a_pick_list_shows_bins_skus_quantities_and_orders_in_the_given_order():
    # given
    doc = a_pick_list(3)
    # when
    pdf = pick_list_pdf(doc)
    text = pdf_text(pdf)
    # then
    assert page_sizes_mm(pdf) == [(210, 297)]
    for expected in ("Pick list", "PL-2026-000009", "MAIN", "Main warehouse", "PICKED"):
        assert expected in text
    positions = [text.index(f"SKU-{n:04d}") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    assert "A-001-2" in text
    assert "SO-2026-000123 / 2" in text


def test_a_pick_list_of_two_hundred_lines_spans_pages_and_keeps_every_sku_in_order():
    # given
    doc = a_pick_list(200, name="Galvanised steel angle bracket, heavy duty")
    # when
    pages = pdf_pages(pick_list_pdf(doc))
    # then
    assert len(pages) > 1
    assert all("PICKED" in page for page in pages)  # the header row on every page
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Picked by" in pages[-1]
    text = "\n".join(pages)
    positions = [text.index(f"SKU-{n:04d}") for n in range(1, 201)]
    assert positions == sorted(positions)
    assert "Units" in pages[0]
    assert str(sum(line.quantity for line in doc.lines)) in pages[0]


def test_a_pick_list_escapes_product_names():
    # given
    doc = a_pick_list(1, name="<script>x()</script> & more")
    # when
    text = flat(pdf_text(pick_list_pdf(doc)))
    # then
    assert "<script>x()</script> & more" in text
