"""Printed documents: packing slips, pick lists, shipping labels, invoices, credit notes
and customer statements (later purchase orders), rendered from Jinja2 templates to PDF
by WeasyPrint.

Callers fill the plain dataclasses in ``views`` (this package reads no database and no
settings) and get PDF bytes back. See ADR 0009.
"""

from ordersmith.documents.pdfs import (
    credit_note_pdf,
    invoice_pdf,
    packing_slip_pdf,
    pick_list_pdf,
    shipping_label_pdf,
    statement_pdf,
)
from ordersmith.documents.render import render_html, render_pdf
from ordersmith.documents.views import (
    AgingSummary,
    CreditNoteDocLine,
    CreditNoteDocument,
    InvoiceDocLine,
    InvoiceDocument,
    PackingSlip,
    Party,
    PickLine,
    PickListDocument,
    ShippingLabel,
    SlipLine,
    SlipPackage,
    StatementDocument,
    StatementLine,
    TaxSummaryLine,
)

__all__ = [
    "AgingSummary",
    "CreditNoteDocLine",
    "CreditNoteDocument",
    "InvoiceDocLine",
    "InvoiceDocument",
    "PackingSlip",
    "Party",
    "PickLine",
    "PickListDocument",
    "ShippingLabel",
    "SlipLine",
    "SlipPackage",
    "StatementDocument",
    "StatementLine",
    "TaxSummaryLine",
    "credit_note_pdf",
    "invoice_pdf",
    "packing_slip_pdf",
    "pick_list_pdf",
    "render_html",
    "render_pdf",
    "shipping_label_pdf",
    "statement_pdf",
]
