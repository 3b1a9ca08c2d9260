"""The PDF renderer parses ``document.css`` once per process and shares it (ADR 0049)."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ordersmith.documents import packing_slip_pdf, render_html, shipping_label_pdf
from ordersmith.documents.render import _document_css
from tests.unit.documents.samples import a_label, a_packing_slip, page_sizes_mm, pdf_pages


def test_two_pdfs_parse_the_stylesheet_once_between_them(monkeypatch):
    # given: every stylesheet WeasyPrint parses, counted, from a process that parsed none
    import weasyprint

    parsed: list[object] = []
    original = weasyprint.CSS.__init__

    def counted(self: object, *args: Any, **kwargs: Any) -> None:
        parsed.append(kwargs.get("filename", args))
        original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.CSS, "__init__", counted)
    _document_css.cache_clear()
    # when
    shipping_label_pdf([a_label()])
    packing_slip_pdf(a_packing_slip())
    # then: document.css once, and no link parsed it again
    assert len(parsed) == 1
    assert str(parsed[0]).endswith("document.css")


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
