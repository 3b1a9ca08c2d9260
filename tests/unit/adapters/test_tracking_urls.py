import pytest

from ordersmith.adapters.carriers import (
    fill_tracking_url,
    validate_tracking_url_template,
)
from ordersmith.errors import ValidationFailed


@pytest.mark.parametrize(
    "template",
    [
        "https://www.parcelco.example/track?id={tracking_number}",
        "http://tracking.example.com/{tracking_number}/details",
        "https://example.com:8443/t/{tracking_number}?lang=en#top",
    ],
)
def test_an_http_url_with_one_placeholder_is_a_valid_template(template):
    # when / then
    assert validate_tracking_url_template(f"  {template} ") == template


def test_an_empty_template_means_no_tracking_link():
    # then
    assert validate_tracking_url_template("   ") == ""
    assert fill_tracking_url("", "ABC") == ""


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("https://parcelco.example/track", "exactly once"),
        ("https://x.example/{tracking_number}/{tracking_number}", "exactly once"),
        ("ftp://x.example/{tracking_number}", "http"),
        ("javascript:alert('{tracking_number}')", "http"),
        ("https:///{tracking_number}", "http"),
        ("/track/{tracking_number}", "http"),
        ("https://{tracking_number}.example.com/", "host name"),
        ("https://x.example/{tracking_number}?a={id}", "braces"),
        ("https://x.example/{TRACKING_NUMBER}", "exactly once"),
        ("https://x.example/ {tracking_number}", "spaces"),
        ("https://x.example/\x00{tracking_number}", "control"),
        ("https://x.example:99999/{tracking_number}", "valid URL"),
        ("https://x.example/" + "a" * 500 + "{tracking_number}", "500"),
    ],
)
def test_a_template_that_cannot_make_a_tracking_link_is_refused(template, reason):
    # when / then
    with pytest.raises(ValidationFailed, match=reason) as caught:
        validate_tracking_url_template(template)
    assert caught.value.code == "invalid_tracking_url_template"
    assert caught.value.fields[0].field == "tracking_url_template"


def test_the_tracking_number_is_url_quoted_into_the_template():
    # when
    url = fill_tracking_url("https://x.example/t?id={tracking_number}", "A B/C&d=1")
    # then
    assert url == "https://x.example/t?id=A%20B%2FC%26d%3D1"
