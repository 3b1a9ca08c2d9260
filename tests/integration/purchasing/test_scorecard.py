"""The supplier scorecard against a history computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ordersmith import clock
from ordersmith.purchasing.scorecard import supplier_scorecard
from tests.factories.purchasing import close, make_po, receive, sent_po
from tests.integration.purchasing.conftest import Buyer

D = Decimal


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 9, 30, tzinfo=UTC)


def _history(buyer: Buyer) -> None:
    """ACME quotes A-1 at 6.00 in 7 days and B-2 at 0.10 in 14 days.

    PO1, sent 2 March: 10 x A-1 (expected 9 March), 100 x B-2 (expected 16 March)
      8 March:  10 x A-1 invoiced at 6.30, 50 x B-2        both on time, 6 days each
      18 March: 50 x B-2                                   late, 16 days; closed
    PO2, sent 1 April: 20 x A-1 at 5.80 (expected 8 April)
      10 April: 15 x A-1 invoiced at 5.90                  late, 9 days; short-closed
    PO3, sent 1 May: 5 x A-1, nothing received yet (not in the fill rate)
    PO4, a draft: nothing anywhere
    """
    db, acme = buyer.db, buyer.acme
    with clock.simulated(_at(3, 2)):
        po1 = sent_po(db, acme, ("A-1", 10), ("B-2", 100))
    with clock.simulated(_at(3, 8)):
        receive(db, po1.id, (1, 10, "6.30"), (2, 50))
    with clock.simulated(_at(3, 18)):
        close(db, receive(db, po1.id, (2, 50)))
    with clock.simulated(_at(4, 1)):
        po2 = sent_po(db, acme, ("A-1", 20, "5.80"))
    with clock.simulated(_at(4, 10)):
        close(db, receive(db, po2.id, (1, 15, "5.90")), reason="rest discontinued")
    with clock.simulated(_at(5, 1)):
        sent_po(db, acme, ("A-1", 5))
        make_po(db, acme, ("A-1", 50))


def test_the_scorecard_of_a_supplier_matches_its_history_computed_by_hand(buyer):
    # given
    _history(buyer)
    # when
    with buyer.db.reader() as session:
        card = supplier_scorecard(session, "acme")
    # then
    assert (card.supplier, card.currency, card.purchase_orders_sent) == ("ACME", "EUR", 3)
    # on time: 2 of 4 receipt lines
    assert (card.on_time_receipt_lines, card.receipt_lines, card.on_time_rate) == (2, 4, D("0.5"))
    # fill: PO1 110 of 110, PO2 15 of 20 -> 125 / 130
    assert (card.received_quantity, card.ordered_quantity) == (125, 130)
    assert card.fill_rate == D("0.9615")
    # lead times 6, 6, 16, 9 days: median (6 + 9) / 2, p90 the 4th of 4; quoted 7, 14, 14, 7
    assert card.lead_time_median_days == D("7.5")
    assert card.lead_time_p90_days == 16
    assert card.quoted_lead_time_median_days == D("10.5")
    # quoted 10 x 6.00 + 100 x 0.10 + 15 x 6.00 = 160.00
    # paid   10 x 6.30 + 100 x 0.10 + 15 x 5.90 = 161.50
    assert (card.quoted_value, card.paid_value) == (D("160.00"), D("161.50"))
    assert card.price_variance == D("1.50")
    assert card.price_variance_rate == D("0.0094")  # 1.50 / 160.00 = 0.009375


def test_a_new_supplier_has_no_rates_yet(buyer):
    # when
    with buyer.db.reader() as session:
        card = supplier_scorecard(session, buyer.acme.id)
    # then
    assert (card.on_time_rate, card.fill_rate, card.price_variance_rate) == (None, None, None)
    assert (card.lead_time_median_days, card.lead_time_p90_days) == (None, None)
    assert (card.receipt_lines, card.price_variance) == (0, D("0"))
