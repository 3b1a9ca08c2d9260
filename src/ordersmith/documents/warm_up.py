"""Readying a server process's document renderer before its first user needs it.

The first PDF a process draws costs about a second more than every later one: WeasyPrint
is imported, fontconfig reads its font list, Pango builds its font map and HarfBuzz
loads the fonts it subsets. A warehouse user printing the first label after a restart
would wait for all of it. A server process instead draws one label of its own, in a
background thread, as it starts (ADR 0051); nobody sees that label.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import structlog

from ordersmith.documents.font_subsetting import HINT, fast_font_subsetting
from ordersmith.documents.pdfs import shipping_label_pdf
from ordersmith.documents.render import environment
from ordersmith.documents.views import Party, ShippingLabel

log = structlog.get_logger(__name__)

_PLACE = Party("Ordersmith", ("Warm-up", "00000 Nowhere", "DE"), "warm-up@example.com")


def warm_up_documents() -> None:
    """Compile every document template and draw one shipping label (regular, bold and
    mono bold text, and a barcode), then drop it.

    Never raises: a renderer that cannot draw (a system library missing) is logged here
    and reported again, with its cause, by the first real document that needs it. A
    renderer that draws slowly (no HarfBuzz subsetter, ``documents.font_subsetting``)
    is logged as a warning with what to install.
    """
    started = time.perf_counter()
    try:
        templates = environment()
        for name in templates.list_templates(extensions=["html"]):
            templates.get_template(name)
        shipping_label_pdf([_warm_up_label()])
    except Exception:  # a warm-up must never take the server down
        log.warning("documents_warm_up_failed", exc_info=True)
    else:
        fast = fast_font_subsetting()
        log.info(
            "documents_warmed_up",
            seconds=round(time.perf_counter() - started, 2),
            fast_font_subsetting=fast,
        )
        if fast is False:
            log.warning("documents_font_subsetting_slow", hint=HINT)


def start_document_warm_up() -> threading.Thread:
    """Run ``warm_up_documents`` in a daemon thread (a stopping server does not wait for
    it) and return the thread."""
    thread = threading.Thread(
        target=warm_up_documents, name="ordersmith-documents-warm-up", daemon=True
    )
    thread.start()
    return thread


def _warm_up_label() -> ShippingLabel:
    return ShippingLabel(
        carrier_name="Ordersmith",
        service_level="standard",
        tracking_number="WARM-UP-0000000000",
        shipment_number="SH-000000",
        sender=_PLACE,
        recipient=_PLACE,
        package_no=1,
        package_count=1,
        weight_grams=1000,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
