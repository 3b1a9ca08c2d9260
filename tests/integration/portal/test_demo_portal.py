"""The demo's portal accounts: activated on a demo business, they sign in with the
documented passwords, each to a different customer; a second run creates nothing."""

from __future__ import annotations

from ordersmith.demo.loader import load_demo
from ordersmith.demo.portal import DEMO_PORTAL, create_demo_portal_accounts
from ordersmith.portal.sessions import find_session
from ordersmith.uow import Database
from tests.integration.portal.conftest import attempt


def test_the_demo_portal_accounts_sign_in_with_their_documented_passwords(db: Database) -> None:
    # given a small demo business
    load_demo(db, seed=3, history_days=30, customers=20)
    # when the demo's portal accounts are created (twice)
    created = create_demo_portal_accounts(db)
    again = create_demo_portal_accounts(db)
    # then each signs in with its documented password, to its own customer
    tokens = [attempt(db, email, password) for email, password in DEMO_PORTAL]
    sessions = [find_session(db, str(token)) for token in tokens]
    assert created == [email for email, _ in DEMO_PORTAL]
    assert again == []
    assert all(sessions)
    assert len({s.customer_id for s in sessions if s}) == len(DEMO_PORTAL)
