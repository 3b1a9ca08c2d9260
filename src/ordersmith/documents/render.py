"""Jinja2 templates to HTML, and HTML to PDF with WeasyPrint.

Every document extends ``templates/base.html`` and shares ``templates/document.css``
(A4 by default, a ``label`` page for 100 x 150 mm labels). The environment is built on
first use, never at import; WeasyPrint is imported on first render because it takes a
noticeable part of a second to load. Autoescaping is on for every template: customer
and product text is data, never markup. While rendering, WeasyPrint may read only our
own files and ``data:`` URLs, never the network.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ordersmith.documents.barcode import code128_svg
from ordersmith.money import money_str

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def kilograms(grams: int) -> str:
    """Integer grams as kilograms with three decimals (``1250`` -> ``"1.250"``), exact."""
    return f"{Decimal(grams).scaleb(-3):f}"


def timestamp(value: datetime) -> str:
    """``2026-11-28 14:05 UTC``: minutes, and the time zone's name when it has one."""
    shown = value.strftime("%Y-%m-%d %H:%M")
    zone = value.tzname()
    return f"{shown} {zone}" if zone else shown


def barcode(text: str) -> Markup:
    """A Code 128 drawing of ``text`` to place inline (numbers and tags only, never the
    text itself), or nothing when ``text`` is empty or not printable ASCII: the number
    is printed beside it anyway, and a missing barcode beats a document that fails."""
    try:
        return Markup(code128_svg(text))
    except ValueError:
        return Markup("")


def money(amount: Decimal, currency: str) -> str:
    """An amount in the currency's minor units, as the API shows it (``"1234.50"``)."""
    return money_str(amount, currency)


def percent(rate: Decimal) -> str:
    """A tax rate fraction as a percentage without trailing zeros (0.2 -> ``"20%"``,
    0.055 -> ``"5.5%"``), exact."""
    shown = (rate * 100).normalize()
    return f"{shown.quantize(Decimal(1)) if shown == shown.to_integral_value() else shown:f}%"


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ordersmith.documents", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["kg"] = kilograms
    env.filters["timestamp"] = timestamp
    env.filters["barcode"] = barcode
    env.filters["money"] = money
    env.filters["percent"] = percent
    return env


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """The document as HTML (what the PDF is printed from; also usable as a preview)."""
    return environment().get_template(template).render(context)


def render_pdf(template: str, context: Mapping[str, Any]) -> bytes:
    """The document as PDF bytes.

    The HTML leaves out its link to ``document.css``: WeasyPrint gets the stylesheet
    already parsed, once per process (``_document_css``), instead of parsing it for
    every document (ADR 0049).
    """
    html = render_html(template, {**context, "stylesheet_linked": False})
    pdf: bytes = (
        _weasyprint()
        .HTML(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=_url_fetcher())
        .write_pdf(stylesheets=[_document_css()])
    )
    return pdf


@functools.cache
def _document_css() -> Any:
    """``document.css``, parsed on first use and shared by every render after it, in
    every thread: WeasyPrint only reads a parsed sheet (its rules, selectors and page
    rules) while it lays a document out."""
    return _weasyprint().CSS(
        filename=str(TEMPLATES_DIR / "document.css"), url_fetcher=_url_fetcher()
    )


@functools.cache
def _weasyprint() -> Any:
    import weasyprint  # type: ignore[import-untyped]

    return weasyprint


def _url_fetcher() -> Any:
    """Local files and data: URLs only; a missing file stops the render. One per render:
    a fetcher keeps per-request state, so threads must not share one."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    return URLFetcher(allowed_protocols=("file", "data"), fail_on_errors=True)
