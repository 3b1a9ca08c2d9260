"""Credit control over HTTP: an account order over its limit waits for someone allowed."""

from __future__ import annotations

from ordersmith.auth.models import Role
from tests.e2e.conftest import assert_problem, bearer

API = "/api/v1"


def test_only_a_role_with_credit_release_may_release_a_credit_hold(api, shop, db):
    # given: an account customer with a 20.00 limit and an order of 25.00 (2 x 12.50)
    customer = api.post(
        f"{API}/customers",
        json={
            "name": "Trade Co",
            "email": "buyer@trade.example",
            "account_type": "account",
            "credit_limit": "20.00",
        },
    ).json()
    order = api.post(
        f"{API}/orders",
        json={
            "customer_id": customer["id"],
            "channel": "api",
            "lines": [{"sku": "A-1", "quantity": 2}],
        },
    ).json()
    assert (order["status"], order["hold_reason"]) == ("on_hold", "credit")
    # when
    refused = api.post(
        f"{API}/orders/{order['id']}/release",
        json={"note": "looks fine"},
        headers=bearer(db, Role.INTEGRATION),
    )
    released = api.post(f"{API}/orders/{order['id']}/release", json={"note": "paid last week"})
    # then
    assert_problem(refused, 403, "forbidden")
    assert released.status_code == 200
    assert released.json()["status"] == "placed"
    history = api.get(f"{API}/orders/{order['id']}/history").json()
    assert [h["action"] for h in history] == ["place", "hold", "release"]
