import pytest

from ordersmith.documents import Party, render_html, shipping_label_pdf
from tests.unit.documents.samples import a_label, page_sizes_mm, pdf_pages


def test_each_label_is_one_100_by_150_mm_page_with_tracking_number_and_recipient():
    # given
    labels = [a_label(package_no=n, package_count=3) for n in (1, 2, 3)]
    # when
    pdf = shipping_label_pdf(labels)
    pages = pdf_pages(pdf)
    # then
    assert page_sizes_mm(pdf) == [(100, 150)] * 3
    for number, page in enumerate(pages, 1):
        assert "OWN-0J5K8ZQ3X4Y5Z6A7B8P" in page
        assert "Ada Lovelace" in page
        assert "1 Analytical Way" in page
        assert f"{number} / 3" in page
        assert "1.250 kg" in page
        assert "SH-2026-000042" in page
        assert "Own fleet" in page


def test_a_label_draws_the_tracking_number_as_a_barcode():
    # given
    label = a_label()
    # when
    html = render_html("shipping_labels.html", {"labels": (label,)})
    # then
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="barcode"') == 1


def test_a_huge_hostile_address_is_cut_off_instead_of_adding_pages():
    # given
    recipient = Party(
        "<script>alert(1)</script> " + "Wolfeschlegelsteinhausen" * 40, ("Line",) * 40
    )
    labels = [a_label(recipient=recipient, package_no=n, package_count=2) for n in (1, 2)]
    # when
    pdf = shipping_label_pdf(labels)
    # then
    assert page_sizes_mm(pdf) == [(100, 150)] * 2
    assert all("OWN-0J5K8ZQ3X4Y5Z6A7B8P" in page for page in pdf_pages(pdf))


def test_a_recipient_in_other_scripts_prints_on_the_label():
    # given
    label = a_label(recipient=Party("Zoë Ångström", ("Москва",)))
    # when
    (page,) = pdf_pages(shipping_label_pdf([label]))
    # then
    assert "Zoë Ångström" in page
    assert "Москва" in page


def test_a_label_document_needs_a_label():
    with pytest.raises(ValueError, match="at least one label"):
        shipping_label_pdf([])
