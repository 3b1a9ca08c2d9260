"""Purchasing's pure rules: the lifecycle table, the receipt status, the over-receipt
limit and the scorecard's statistics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordersmith.errors import InvalidTransition
from ordersmith.purchasing.receiving import receivable_limit
from ordersmith.purchasing.scorecard import median, percentile_90, rate
from ordersmith.purchasing.status import (
    PurchaseOrderAction,
    PurchaseOrderStatus,
    allowed_actions,
    check_transition,
    receipt_status,
    sources,
)

D = Decimal
S, A = PurchaseOrderStatus, PurchaseOrderAction


def test_the_happy_path_of_a_purchase_order_is_draft_approved_sent_received_closed():
    # when
    steps = [
        check_transition(S.DRAFT, A.APPROVE),
        check_transition(S.APPROVED, A.SEND),
        check_transition(S.SENT, A.RECEIVE),
        check_transition(S.RECEIVED, A.CLOSE),
    ]
    # then: receiving is derived from the quantities (None)
    assert steps == [S.APPROVED, S.SENT, None, S.CLOSED]


def test_a_refused_action_names_the_state_and_the_action():
    # when
    with pytest.raises(InvalidTransition) as refused:
        check_transition(S.PARTIALLY_RECEIVED, A.CANCEL)
    # then
    assert refused.value.code == "invalid_transition"
    assert refused.value.extra == {"current_status": "partially_received", "action": "cancel"}
    assert str(refused.value) == "cannot cancel a purchase order that is partially_received"


def test_only_open_orders_can_be_cancelled_and_only_received_ones_closed():
    assert sources(A.CANCEL) == [S.DRAFT, S.APPROVED, S.SENT]
    assert sources(A.CLOSE) == [S.PARTIALLY_RECEIVED, S.RECEIVED]
    assert sources(A.EDIT_LINES) == [S.DRAFT]
    assert allowed_actions(S.CLOSED) == allowed_actions(S.CANCELLED) == []


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([(10, 10)], S.RECEIVED),
        ([(10, 11)], S.RECEIVED),
        ([(10, 9)], S.PARTIALLY_RECEIVED),
        ([(10, 10), (5, 0)], S.PARTIALLY_RECEIVED),
        ([(10, 12), (5, 4)], S.PARTIALLY_RECEIVED),
    ],
)
def test_the_status_after_a_receipt_follows_from_the_lines(lines, status):
    assert receipt_status(lines) == status


@pytest.mark.parametrize(
    ("ordered", "tolerance", "limit"),
    [(10, "0", 10), (10, "5", 10), (20, "5", 21), (7, "12.5", 7), (8, "12.5", 9), (1, "100", 2)],
)
def test_the_receivable_limit_is_rounded_down_to_whole_units(ordered, tolerance, limit):
    assert receivable_limit(ordered, D(tolerance)) == limit


@pytest.mark.parametrize(
    ("values", "middle", "p90"),
    [
        ([], None, None),
        ([5], D(5), 5),
        ([3, 1], D(2), 3),
        ([4, 1, 3], D(3), 4),
        (list(range(1, 11)), D("5.5"), 9),
        (list(range(1, 21)), D("10.5"), 18),
    ],
)
def test_median_and_90th_percentile_are_exact_and_nearest_rank(values, middle, p90):
    assert median(values) == middle
    assert percentile_90(values) == p90


def test_a_rate_has_four_places_rounded_half_up_and_none_without_a_whole():
    assert (rate(1, 3), rate(2, 3), rate(1, 0), rate(D("0.00005"), 1)) == (
        D("0.3333"),
        D("0.6667"),
        None,
        D("0.0001"),
    )
