"""Forgot-password requests are limited per network with sign-in's own per-IP limit
(ADR 0023, ADR 0029): past it the page asks to try again later (429) and nothing is
mailed, whatever the email; requests never count towards an account's lockout, so
neither the answer nor a later sign-in tells whether an email has an account."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ordersmith import clock
from ordersmith.auth.errors import TooManyAttempts
from ordersmith.config import Settings
from ordersmith.notifications.models import MessageKind
from ordersmith.portal.services import request_password_reset
from ordersmith.web.app import create_app
from tests.conftest import make_settings
from tests.integration.conftest import Shop
from tests.integration.portal.conftest import activate, attempt, mailed_links

LIMIT = 3
"""``login_ip_max_failures`` in these tests (30 by default)."""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, login_ip_max_failures=LIMIT)


def _ask(shop: Shop, email: str, ip: str = "10.0.0.7") -> str:
    """Ask for a reset link; "sent" (answered as usual) or the refusal's code."""
    try:
        with shop.db.unit_of_work(actor="test") as uow:
            request_password_reset(uow, email=email, ip=ip)
    except TooManyAttempts as refused:
        return refused.code
    return "sent"


def _resets(shop: Shop) -> int:
    return len(mailed_links(shop.db, MessageKind.PORTAL_PASSWORD_RESET))


def test_a_network_past_the_limit_gets_no_reset_link_whatever_the_email(shop: Shop) -> None:
    # given Ann's active account, and one network that already asked for three unknown emails
    activate(shop.db, shop.cash.number)
    first = [_ask(shop, f"guess{i}@example.com") for i in range(LIMIT)]
    # when that network asks for Ann and for another unknown email, and another network
    # asks for Ann
    for_ann = _ask(shop, "ann@example.com")
    for_nobody = _ask(shop, "nobody@example.com")
    mailed_while_refused = _resets(shop)
    elsewhere = _ask(shop, "ann@example.com", ip="10.9.9.9")
    # then the first requests were answered as usual, the next two refused alike with no
    # mail; the other network's request mails Ann her link
    assert first == ["sent"] * LIMIT
    assert for_ann == for_nobody == "too_many_attempts"
    assert mailed_while_refused == 0
    assert elsewhere == "sent"
    assert _resets(shop) == 1


def test_the_network_may_ask_again_once_the_window_has_passed(shop: Shop) -> None:
    # given a network at the limit
    activate(shop.db, shop.cash.number)
    for i in range(LIMIT):
        _ask(shop, f"guess{i}@example.com")
    # when it asks again 16 minutes later (the window is 15)
    with clock.simulated(clock.now() + timedelta(minutes=16)):
        later = _ask(shop, "ann@example.com")
    # then the request is answered and Ann's link is mailed
    assert later == "sent"
    assert _resets(shop) == 1


def test_failed_sign_ins_and_reset_requests_count_against_the_same_network_limit(
    shop: Shop,
) -> None:
    # given an active account, and two wrong passwords from one network
    activate(shop.db, shop.cash.number)
    wrong = [attempt(shop.db, "ann@example.com", "wrong password!", ip="10.0.0.7")]
    wrong.append(attempt(shop.db, "ann@example.com", "wrong password!", ip="10.0.0.7"))
    # when the network asks for a reset link twice, then tries to sign in
    asked = [_ask(shop, "ann@example.com"), _ask(shop, "ann@example.com")]
    signing_in = attempt(shop.db, "ann@example.com", ip="10.0.0.7")
    # then the first request used the last of the network's budget; it must wait for both
    assert wrong == ["invalid_credentials"] * 2
    assert asked == ["sent", "too_many_attempts"]
    assert signing_in == "too_many_attempts"


def test_reset_requests_never_lock_an_email_so_sign_in_does_not_tell_them_apart(
    shop: Shop,
) -> None:
    # given many reset requests for Ann and for an unknown email, from many networks
    activate(shop.db, shop.cash.number)
    for i in range(6):
        _ask(shop, "ann@example.com", ip=f"10.1.0.{i}")
        _ask(shop, "nobody@example.com", ip=f"10.2.0.{i}")
    # when each email is then tried with a wrong password, from a fresh network
    known = attempt(shop.db, "ann@example.com", "wrong password!", ip="10.3.0.1")
    unknown = attempt(shop.db, "nobody@example.com", "wrong password!", ip="10.3.0.2")
    # then both are an ordinary wrong password: the requests locked neither
    assert known == unknown == "invalid_credentials"


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def _message(html: str) -> str:
    found = re.search(r'data-testid="forgot-message">([^<]*)<', html)
    assert found, html[:2000]
    return found.group(1)


def test_the_forgot_page_answers_the_same_then_asks_to_try_again_later(shop: Shop) -> None:
    # given Ann's active account and the forgot-password page in one browser
    activate(shop.db, shop.cash.number)
    with TestClient(create_app(shop.db.settings, db=shop.db)) as client:
        token = _form_token(client.get("/portal/forgot").text)
        # when the form is sent for Ann, two unknown emails, then Ann again
        answers = [
            client.post("/portal/forgot", data={"email": email, "csrf_token": token})
            for email in ("ann@example.com", "x@example.com", "y@example.com", "ann@example.com")
        ]
    # then the first three get the same answer; the fourth a 429 asking to try again
    # later, and no second link for Ann
    messages = [_message(answer.text) for answer in answers]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert messages[0] == messages[1] == messages[2]
    assert messages[0].startswith("If that email belongs to a portal account")
    assert messages[3] == "Too many requests from your network: please try again later."
    assert _resets(shop) == 1
