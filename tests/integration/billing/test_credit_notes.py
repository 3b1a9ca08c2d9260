"""Credit notes: in full, by lines or by an amount; never more than the invoice has left."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordersmith.billing.errors import CreditExceedsInvoice
from ordersmith.billing.queries import customer_balance, get_invoice
from ordersmith.errors import ValidationFailed
from ordersmith.fulfillment.queries import order_incidents
from ordersmith.orders.models import Channel
from ordersmith.orders.placement import LineRequest, PlaceOrder
from tests.factories.billing import assert_books_clean, bill_order, credit, pay
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop

D = Decimal


def _anvils_and_bolts(shop: Shop):
    """3 anvils (37.50 + 7.50 tax) and 7 bolts (2.45 + 0.49 tax): 47.94."""
    stock_up(shop.db, {("MAIN", "A-1"): 10, ("MAIN", "B-2"): 10})
    order = place(shop.db, order_request(shop.trade.id, ("A-1", 3), ("B-2", 7)))
    return order, bill_order(shop.db, order.id)


def _invoice(shop: Shop, invoice_id):
    with shop.db.reader() as session:
        return get_invoice(session, invoice_id)


def test_a_full_credit_note_voids_an_unpaid_invoice(shop: Shop) -> None:
    # given
    _order, invoice = _anvils_and_bolts(shop)
    # when
    note = credit(shop.db, invoice.id, reason="return")
    # then
    assert note.number.startswith("CN-")
    assert (note.subtotal, note.tax_total, note.total) == (D("39.95"), D("7.99"), D("47.94"))
    assert [(line.sku, line.quantity) for line in note.lines] == [("A-1", 3), ("B-2", 7)]
    assert (note.amount_applied, note.unapplied, note.freed) == (D("47.94"), D("0"), D("0"))
    assert note.releases == []
    after = _invoice(shop, invoice.id)
    assert (after.status, after.balance, after.amount_credited) == ("credited", D("0"), D("47.94"))
    with pytest.raises(CreditExceedsInvoice) as again:
        credit(shop.db, invoice.id, reason="return")
    assert again.value.code == "credit_exceeds_invoice"
    assert_books_clean(shop.db)


def test_crediting_a_paid_invoice_frees_its_payment_as_customer_credit(shop: Shop) -> None:
    # given a paid invoice
    _order, invoice = _anvils_and_bolts(shop)
    payment = pay(shop.db, shop.trade.id, "47.94")
    # when
    note = credit(shop.db, invoice.id, reason="damage")
    # then the credit note settles its invoice in place of the payment, which is free
    assert (note.amount_applied, note.unapplied, note.freed) == (D("47.94"), D("0"), D("47.94"))
    assert [(r.kind, r.number, r.amount) for r in note.releases] == [
        ("payment", payment.number, D("47.94"))
    ]
    after = _invoice(shop, invoice.id)
    assert (after.status, after.amount_paid, after.amount_credited) == ("credited", 0, D("47.94"))
    with shop.db.reader() as session:
        (balance,) = customer_balance(session, shop.trade.id)
    assert (balance.unallocated_payments, balance.unapplied_credit, balance.balance) == (
        D("47.94"),
        D("0"),
        D("-47.94"),
    )
    assert_books_clean(shop.db)


def test_an_amount_credit_note_splits_its_tax_pro_rata_rounded_half_up(shop: Shop) -> None:
    # given 47.94 invoiced: 45.00 on the anvil line (7.50 tax), 2.94 on the bolts (0.49)
    _order, invoice = _anvils_and_bolts(shop)
    # when 10.00 is credited for a pricing error
    note = credit(shop.db, invoice.id, reason="goodwill", amount=D("10.00"))
    # then anvils take round(10 x 45.00 / 47.94) = 9.39, of which tax
    # round(9.39 x 7.50 / 45.00) = round(1.565) = 1.57; the bolts the rest 0.61, tax 0.10
    assert [(line.quantity, line.net_amount, line.tax_amount) for line in note.lines] == [
        (0, D("7.82"), D("1.57")),
        (0, D("0.51"), D("0.10")),
    ]
    assert (note.subtotal, note.tax_total, note.total) == (D("8.33"), D("1.67"), D("10.00"))
    after = _invoice(shop, invoice.id)
    assert (after.status, after.balance) == ("partially_paid", D("37.94"))
    with pytest.raises(CreditExceedsInvoice) as too_much:
        credit(shop.db, invoice.id, amount=D("37.95"))
    assert too_much.value.extra == {"creditable": "37.9400"}
    assert_books_clean(shop.db)


def test_crediting_units_line_by_line_gives_back_exactly_the_invoice_line(shop: Shop) -> None:
    # given 3 anvils with a 10.00 discount: net 27.50, tax 5.50
    stock_up(shop.db, {("MAIN", "A-1"): 10})
    order = place(
        shop.db,
        PlaceOrder(
            customer_id=shop.trade.id,
            channel=Channel.PHONE,
            lines=[LineRequest(sku="A-1", quantity=3, discount=D("10.00"))],
        ),
    )
    invoice = bill_order(shop.db, order.id)
    # when one unit comes back, then the other two
    first = credit(shop.db, invoice.id, reason="return", lines=[(1, 1)])
    rest = credit(shop.db, invoice.id, reason="return", lines=[(1, 2)])
    # then the first takes a third, rounded half up; the last units take the rest
    assert [(line.net_amount, line.tax_amount) for line in first.lines] == [(D("9.17"), D("1.83"))]
    assert [(line.net_amount, line.tax_amount) for line in rest.lines] == [(D("18.33"), D("3.67"))]
    assert first.total + rest.total == invoice.total
    assert _invoice(shop, invoice.id).status == "credited"
    assert_books_clean(shop.db)


def test_a_credit_note_for_units_not_on_the_invoice_is_refused_field_by_field(shop: Shop) -> None:
    # given
    _order, invoice = _anvils_and_bolts(shop)
    # when / then
    with pytest.raises(ValidationFailed) as refused:
        credit(shop.db, invoice.id, reason="return", lines=[(1, 4), (9, 1)])
    assert [(f.field, f.message) for f in refused.value.fields] == [
        ("lines.0.quantity", "at most 3"),
        ("lines.1.line_no", f"{invoice.number} has no line 9"),
    ]
    with pytest.raises(ValidationFailed) as both:
        credit(shop.db, invoice.id, reason="because", lines=[(1, 1)], amount=D("1.00"))
    assert sorted(f.field for f in both.value.fields) == ["amount", "reason"]


def test_a_pricing_error_counts_as_a_document_correction_of_the_order(shop: Shop) -> None:
    # given
    order, invoice = _anvils_and_bolts(shop)
    # when
    credit(shop.db, invoice.id, reason="pricing_error", amount=D("2.00"), note="old price list")
    # then
    with shop.db.reader() as session:
        incidents = order_incidents(session, order.id)
    assert [i.kind for i in incidents] == ["document_correction"]
    assert incidents[0].note.startswith(f"invoice: {invoice.number} corrected by credit note CN-")
    assert incidents[0].note.endswith("(pricing_error): old price list")


def test_a_documentation_error_with_the_longest_note_still_records_its_incident(
    shop: Shop,
) -> None:
    # given
    order, invoice = _anvils_and_bolts(shop)
    # when a full credit note for a wrong invoice carries a 2000-character note
    note = credit(shop.db, invoice.id, reason="documentation_error", note="x" * 2000)
    # then
    with shop.db.reader() as session:
        (incident,) = order_incidents(session, order.id)
    assert note.note == "x" * 2000
    assert incident.note.startswith(f"invoice: {invoice.number} corrected by credit note")
