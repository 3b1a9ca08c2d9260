"""The PDF renderer parses ``document.css`` once per process and shares it (ADR 0049)."""

from concurrent.futures import ThreadPoolExecutor

from ordersmith.documents import packing_slip_pdf, render_html, shipping_label_pdf
from ordersmith.documents.render import _document_css
from tests.unit.documents.samples import a_label, a_packing_slip, page_sizes_mm, pdf_pages


def test_the_stylesheet_is_parsed_once_and_reused_by_every_pdf():
    # given
    shipping_label_pdf([a_label()])
    parsed = _document_css()
    # when
    packing_slip_pdf(a_packing_slip())
    # then
    assert _document_css() is parsed


def test_the_html_of_a_document_still_links_its_stylesheet_for_a_preview():
    # when
    html = render_html("shipping_labels.html", {"labels": (a_label(),)})
    # then
    assert '<link rel="stylesheet" href="document.css">' in html


def test_documents_drawn_in_several_threads_at_once_each_keep_the_shared_styles():
    # given: labels (a named 100 x 150 mm page) and slips (A4) at the same time
    jobs = [("label", n) for n in range(4)] + [("slip", n) for n in range(4)]

    def draw(job: tuple[str, int]) -> bytes:
        kind, n = job
        if kind == "label":
            return shipping_label_pdf([a_label(package_no=1, package_count=n + 1)])
        return packing_slip_pdf(a_packing_slip())

    # when
    with ThreadPoolExecutor(max_workers=4) as pool:
        pdfs = list(pool.map(draw, jobs))
    # then
    for (kind, n), pdf in zip(jobs, pdfs, strict=True):
        if kind == "label":
            assert page_sizes_mm(pdf) == [(100, 150)]
            assert f"1 / {n + 1}" in pdf_pages(pdf)[0]
        else:
            assert page_sizes_mm(pdf) == [(210, 297)]
            assert "Page 1 of 1" in pdf_pages(pdf)[0]
