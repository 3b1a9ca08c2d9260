import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.documents.render import environment, kilograms, render_html, timestamp


def test_weights_in_grams_print_as_kilograms_with_three_decimals():
    # then
    assert kilograms(1250) == "1.250"
    assert kilograms(0) == "0.000"
    assert kilograms(5) == "0.005"
    assert kilograms(1_234_567) == "1234.567"


@given(st.integers(min_value=0, max_value=10**15))
def test_kilograms_are_exact_for_any_weight(grams):
    # when
    shown = kilograms(grams)
    # then
    assert Decimal(shown) * 1000 == grams
    assert len(shown.split(".")[1]) == 3


def test_timestamps_print_to_the_minute_with_their_time_zone():
    # then
    assert timestamp(datetime(2026, 11, 28, 14, 5, 59, tzinfo=UTC)) == "2026-11-28 14:05 UTC"
    cet = timezone(timedelta(hours=1), "CET")
    assert timestamp(datetime(2026, 1, 2, 3, 4, tzinfo=cet)) == "2026-01-02 03:04 CET"
    assert timestamp(datetime(2026, 1, 2, 3, 4)) == "2026-01-02 03:04"


def test_the_environment_escapes_every_template_and_finds_the_shared_ones():
    # when
    env = environment()
    # then
    assert env.autoescape is True
    assert {"base.html", "document.css", "macros.html"} <= set(env.list_templates())
    assert environment() is env


def test_a_document_extending_the_base_gets_the_shared_stylesheet_and_the_seller():
    # given
    env = environment()
    template = env.from_string(
        '{% extends "base.html" %}{% block heading %}Invoice{% endblock %}'
        "{% block number %}INV-1{% endblock %}{% block content %}<p>{{ body }}</p>{% endblock %}"
    )
    # when
    html = template.render(
        seller={"name": "Seller & Sons", "address_lines": ["Dock 1"], "email": ""}, body="<b>"
    )
    # then
    assert '<link rel="stylesheet" href="document.css">' in html
    assert "Seller &amp; Sons" in html
    assert "INV-1" in html
    assert "<p>&lt;b&gt;</p>" in html


def test_importing_documents_and_carriers_loads_no_pdf_engine_and_renders_nothing():
    # when
    code = (
        "import sys, ordersmith.documents, ordersmith.adapters.carriers;"
        "print('weasyprint' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    # then
    assert result.stdout.strip() == "False"


def test_a_template_missing_a_value_fails_loudly_instead_of_printing_blanks():
    # when / then
    with pytest.raises(jinja2.UndefinedError, match="slip"):
        render_html("packing_slip.html", {})
