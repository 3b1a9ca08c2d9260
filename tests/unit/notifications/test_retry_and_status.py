from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersmith.errors import InvalidTransition
from ordersmith.jobs.retry import FIRST_RETRY, LONGEST_WAIT, backoff, retry_at
from ordersmith.notifications.status import (
    MessageAction,
    MessageStatus,
    check_transition,
    sources,
)


@given(st.integers(min_value=1, max_value=1000))
def test_the_wait_after_a_failure_is_between_thirty_seconds_and_an_hour_and_a_tenth(attempts):
    # when
    wait = backoff(attempts)
    # then
    assert FIRST_RETRY <= wait <= LONGEST_WAIT + LONGEST_WAIT / 10


@pytest.mark.parametrize(
    ("attempts", "at_least"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600), (50, 3600)],
)
def test_each_failure_doubles_the_wait_until_the_cap(attempts, at_least):
    # when
    wait = backoff(attempts)
    # then
    assert timedelta(seconds=at_least) <= wait <= timedelta(seconds=at_least) * 11 / 10


def test_the_last_allowed_failure_gives_up():
    # given
    now = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    # when / then
    assert retry_at(now, 2, 3) is not None
    assert retry_at(now, 3, 3) is None


def test_only_a_sending_message_can_be_sent_retried_or_given_up():
    # when / then
    assert check_transition(MessageStatus.SENDING, MessageAction.SENT) == MessageStatus.SENT
    assert sources(MessageAction.SENT) == [MessageStatus.SENDING]
    assert sources(MessageAction.CLAIM) == [MessageStatus.QUEUED, MessageStatus.SENDING]
    with pytest.raises(InvalidTransition):
        check_transition(MessageStatus.SENT, MessageAction.RETRY)
    with pytest.raises(InvalidTransition):
        check_transition(MessageStatus.QUEUED, MessageAction.SENT)


def test_only_dead_messages_are_replayed():
    # when / then
    assert sources(MessageAction.REPLAY) == [MessageStatus.DEAD]
    assert check_transition(MessageStatus.DEAD, MessageAction.REPLAY) == MessageStatus.QUEUED
