from decimal import Decimal

from ordersmith.catalog.pricing import PriceCandidate, best_candidate


def _c(priority, min_quantity, price, code="L"):
    return PriceCandidate(priority, min_quantity, Decimal(price), code)


def test_the_highest_priority_list_wins_over_a_cheaper_one():
    chosen = best_candidate([_c(0, 1, "5.00", "CHEAP"), _c(10, 1, "9.00", "VIP")], 1)
    assert chosen is not None
    assert chosen.code == "VIP"


def test_the_largest_quantity_break_reached_applies():
    breaks = [_c(0, 1, "10"), _c(0, 10, "9"), _c(0, 50, "8")]
    assert best_candidate(breaks, 12) == breaks[1]
    assert best_candidate(breaks, 50) == breaks[2]


def test_a_tie_is_decided_by_the_lower_price_then_the_code_never_by_row_order():
    a, b, c = _c(5, 1, "7.00", "B"), _c(5, 1, "6.50", "Z"), _c(5, 1, "6.50", "A")
    assert best_candidate([a, b, c], 1) == c
    assert best_candidate([c, b, a], 1) == c


def test_no_candidate_below_the_ordered_quantity_means_the_list_price():
    assert best_candidate([_c(0, 10, "9")], 3) is None
