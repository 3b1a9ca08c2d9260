"""The communications log over HTTP, and the worker running inside the server."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.ids import new_id
from ordersmith.jobs.worker import run_once
from ordersmith.web.app import create_app
from tests.e2e.conftest import assert_problem, bearer

URL = "/api/v1/communications"


def _place(api, customer, quantity=1):
    body = {
        "customer_id": customer["id"],
        "channel": "web",
        "lines": [{"sku": "A-1", "quantity": quantity}],
    }
    response = api.post("/api/v1/orders", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _other_customer(api):
    response = api.post(
        "/api/v1/customers",
        json={"name": "Bob", "email": "bob@example.com", "account_type": "cash"},
    )
    assert response.status_code == 201
    return response.json()


def test_the_log_lists_a_customers_messages_newest_first_page_by_page(api, shop, db):
    # given three orders of Ann, one of Bob, their mails sent (to data/mail)
    orders = [_place(api, shop) for _ in range(3)]
    _place(api, _other_customer(api))
    run_once(db)
    # when
    first = api.get(URL, params={"customer_id": shop["id"], "limit": 2})
    second = api.get(
        URL, params={"customer_id": shop["id"], "limit": 2, "cursor": first.json()["next_cursor"]}
    )
    # then
    assert first.status_code == second.status_code == 200
    page1, page2 = first.json(), second.json()
    assert page2["next_cursor"] is None
    items = page1["items"] + page2["items"]
    assert [i["subject"] for i in items] == [
        f"We have received your order {o['number']}" for o in reversed(orders)
    ]
    assert {(i["kind"], i["status"], i["recipient"]) for i in items} == {
        ("order_received", "sent", "ann@example.com")
    }
    assert all(i["sent_at"] is not None for i in items)


def test_the_log_filters_by_order_and_shows_one_message_with_its_bodies(api, shop, db):
    # given
    order = _place(api, shop)
    _place(api, shop)
    run_once(db)
    # when
    listed = api.get(URL, params={"order_id": order["id"]}).json()
    [item] = listed["items"]
    detail = api.get(f"{URL}/{item['id']}")
    # then
    assert item["order_id"] == order["id"]
    assert detail.status_code == 200
    body = detail.json()
    assert order["number"] in body["body_text"]
    assert "<strong>" in body["body_html"]
    assert body["attempts"] == 1
    assert body["attachments"] == []


def test_a_message_shows_the_documents_it_carries(api, shop, db):
    # given: an order invoiced, the invoice mailed with its PDF
    order = _place(api, shop)
    invoiced = api.post("/api/v1/invoices", json={"order_id": order["id"]})
    assert invoiced.status_code == 201, invoiced.text
    invoice = invoiced.json()
    run_once(db)
    # when
    listed = api.get(URL, params={"order_id": order["id"]}).json()["items"]
    [mail] = [i for i in listed if i["kind"] == "invoice_issued"]
    detail = api.get(f"{URL}/{mail['id']}").json()
    # then: the reference to the document, whose PDF is served under the invoice
    assert detail["attachments"] == [
        {"kind": "invoice", "id": invoice["id"], "filename": f"{invoice['number']}.pdf"}
    ]
    pdf = api.get(f"/api/v1/invoices/{invoice['id']}/pdf")
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")


def test_a_cursor_not_made_here_and_an_unknown_message_are_clear_errors(api):
    # when / then
    assert_problem(api.get(URL, params={"cursor": "garbage"}), 422, "invalid_cursor")
    assert_problem(api.get(f"{URL}/{new_id()}"), 404, "communication_not_found")


def test_reading_the_log_needs_a_token_with_customer_read_access(client, db):
    # when / then
    assert_problem(client.get(URL), 401, "unauthorized")
    integration = client.get(URL, headers=bearer(db, Role.INTEGRATION))
    assert integration.status_code == 200
    assert integration.json() == {"items": [], "next_cursor": None}


def test_the_server_runs_the_worker_when_configured_and_stops_it_on_shutdown(db, shop):
    # given a second app on the same database with the worker inside
    settings = db.settings.model_copy(update={"worker_in_server": True, "worker_poll_ms": 20})
    app = create_app(settings, db=db)
    with TestClient(app) as client:
        client.headers.update(bearer(db, Role.ADMIN))
        # when an order is placed
        order = _place(client, shop)
        # then its mail is sent without anyone calling the worker
        deadline = time.monotonic() + 30
        items = []
        while time.monotonic() < deadline:
            items = client.get(URL, params={"order_id": order["id"]}).json()["items"]
            if items and items[0]["status"] == "sent":
                break
            time.sleep(0.05)
        assert [i["status"] for i in items] == ["sent"]
    # and after shutdown the worker thread is gone
    assert not any(t.name == "ordersmith-worker" and t.is_alive() for t in threading.enumerate())
