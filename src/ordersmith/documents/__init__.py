"""Printed documents: packing slips, pick lists and shipping labels (later invoices,
purchase orders and statements), rendered from Jinja2 templates to PDF by WeasyPrint.

Callers fill the plain dataclasses in ``views`` (this package reads no database and no
settings) and get PDF bytes back. See ADR 0009.
"""

from ordersmith.documents.pdfs import packing_slip_pdf, pick_list_pdf, shipping_label_pdf
from ordersmith.documents.render import render_html, render_pdf
from ordersmith.documents.views import (
    PackingSlip,
    Party,
    PickLine,
    PickListDocument,
    ShippingLabel,
    SlipLine,
    SlipPackage,
)

__all__ = [
    "PackingSlip",
    "Party",
    "PickLine",
    "PickListDocument",
    "ShippingLabel",
    "SlipLine",
    "SlipPackage",
    "packing_slip_pdf",
    "pick_list_pdf",
    "render_html",
    "render_pdf",
    "shipping_label_pdf",
]
