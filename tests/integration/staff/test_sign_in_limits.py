"""Sign-in: lockout per email (also for unknown emails), a per-IP limit in the database."""

from __future__ import annotations

from datetime import timedelta

from ordersmith import clock
from tests.integration.staff.conftest import PASSWORD, attempt, connect, make_user


def _codes(outcomes) -> list[str]:
    return [o.error.code if o.error else "ok" for o in outcomes]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(db):
    # given
    make_user(db)
    # when
    wrong = [attempt(db, password="wrong password!") for _ in range(5)]
    right = attempt(db)
    # then
    assert _codes(wrong) == ["invalid_credentials"] * 4 + ["account_locked"]
    assert right.token is None
    assert right.error is not None
    assert right.error.code == "account_locked"
    assert "15 minutes" in right.error.detail


def test_an_unknown_email_locks_after_as_many_attempts_so_nothing_tells_them_apart(db):
    # given
    make_user(db)
    # when
    known = [attempt(db, password="wrong password!") for _ in range(6)]
    unknown = [
        attempt(db, email="nobody@example.com", password="wrong password!") for _ in range(6)
    ]
    # then
    assert _codes(known) == _codes(unknown)
    assert [o.error.detail for o in known if o.error] == [
        o.error.detail for o in unknown if o.error
    ]


def test_the_lock_lifts_after_the_lockout_time(db):
    # given
    make_user(db)
    for _ in range(5):
        attempt(db, password="wrong password!")
    # when
    with clock.simulated(clock.now() + timedelta(minutes=16)):
        later = attempt(db)
    # then
    assert later.token is not None


def test_a_success_resets_the_count_of_failures(db):
    # given
    make_user(db)
    for _ in range(4):
        attempt(db, password="wrong password!")
    # when
    assert attempt(db).token is not None
    after = [attempt(db, password="wrong password!") for _ in range(4)]
    # then
    assert _codes(after) == ["invalid_credentials"] * 4


def test_one_address_trying_many_emails_is_stopped_across_database_connections(
    tmp_path, database_url
):
    # given two processes' worth of connections (workers share only the database)
    first = connect(tmp_path, database_url, login_ip_max_failures=3)
    second = connect(tmp_path, database_url, login_ip_max_failures=3)
    try:
        make_user(first)
        # when
        tries = [attempt(first, email=f"guess{i}@example.com", password="x" * 12) for i in range(2)]
        tries.append(attempt(second, email="guess9@example.com", password="x" * 12))
        right = attempt(second, ip="10.0.0.1")
        elsewhere = attempt(first, ip="10.9.9.9")
    finally:
        first.dispose()
        second.dispose()
    # then
    assert _codes(tries) == ["invalid_credentials"] * 3
    assert right.error is not None
    assert right.error.code == "too_many_attempts"
    assert elsewhere.token is not None
    assert PASSWORD
