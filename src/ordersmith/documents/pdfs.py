"""The printed documents of fulfilment, shipping and billing, as PDF bytes."""

from __future__ import annotations

from collections.abc import Sequence

from ordersmith.documents.render import render_pdf
from ordersmith.documents.views import (
    CreditNoteDocument,
    InvoiceDocument,
    PackingSlip,
    PickListDocument,
    ShippingLabel,
    StatementDocument,
)


def packing_slip_pdf(slip: PackingSlip) -> bytes:
    """A4: seller, ship-to address, the shipment's lines (with their package) and its
    packages with weights and sizes."""
    return render_pdf("packing_slip.html", {"slip": slip, "seller": slip.seller})


def pick_list_pdf(doc: PickListDocument) -> bytes:
    """A4: the lines in the order given (the walking order), each with a box to tick
    and a column to write the picked quantity in; sign-off lines at the end."""
    return render_pdf("pick_list.html", {"doc": doc})


def shipping_label_pdf(labels: Sequence[ShippingLabel]) -> bytes:
    """One 100 x 150 mm page per label, in the order given, each with the tracking
    number in large print and as a Code 128 barcode."""
    if not labels:
        raise ValueError("a label document needs at least one label")
    return render_pdf("shipping_labels.html", {"labels": tuple(labels)})


def invoice_pdf(doc: InvoiceDocument) -> bytes:
    """A4: seller, bill-to, dates and terms, the lines, a tax summary per rate, the
    totals with what was paid and credited, and the balance due."""
    return render_pdf("invoice.html", {"doc": doc, "seller": doc.seller})


def credit_note_pdf(doc: CreditNoteDocument) -> bytes:
    """A4: the credit note against its invoice, lines credited, tax summary, totals."""
    return render_pdf("credit_note.html", {"doc": doc, "seller": doc.seller})


def statement_pdf(doc: StatementDocument) -> bytes:
    """A4: opening balance, every document of the period with a running balance, the
    closing balance and the aging of what is open."""
    return render_pdf("statement.html", {"doc": doc, "seller": doc.seller})
