"""Statements, aging, DSO, payment history, document PDFs and accounting exports over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from ordersmith.auth.models import Role
from ordersmith.billing.queries import customer_balance
from ordersmith.uow import Database
from tests.e2e.conftest import assert_problem, bearer
from tests.factories.billing import bill_order, credit, pay
from tests.factories.orders import order_request, place
from tests.integration.accounting.conftest import SetClock, pdf_text
from tests.integration.conftest import Shop, make_shop

D = Decimal
API = "/api/v1"


@pytest.fixture
def books(db: Database, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Bob is invoiced 30.00 on 2 March and 60.00 on 20 March 2026 (30 days' terms), pays
    40.00 on 1 April (oldest first), and 10.00 of the second invoice is credited; the
    clock stays on 1 April."""
    clock = SetClock(monkeypatch, date(2026, 3, 2))
    shop: Shop = make_shop(db)
    first = bill_order(db, place(db, order_request(shop.trade.id, ("SVC", 1))).id)
    clock.day(date(2026, 3, 20))
    second = bill_order(db, place(db, order_request(shop.trade.id, ("SVC", 2))).id)
    clock.day(date(2026, 4, 1))
    payment = pay(db, shop.trade.id, "40.00")
    note = credit(db, second.id, "goodwill", amount=D("10.00"))
    return {"shop": shop, "first": first, "second": second, "payment": payment, "note": note}


def test_invoice_and_credit_note_pdfs_are_served_by_id_or_number(api: TestClient, books) -> None:
    # given
    second, note = books["second"], books["note"]
    # when
    by_number = api.get(f"{API}/invoices/{second.number}/pdf")
    by_id = api.get(f"{API}/credit-notes/{note.id}/pdf")
    missing = api.get(f"{API}/invoices/INV-1999-000001/pdf")
    # then
    assert by_number.status_code == 200, by_number.text
    assert by_number.headers["content-type"] == "application/pdf"
    assert f'filename="{second.number}.pdf"' in by_number.headers["content-disposition"]
    text = pdf_text(by_number.content)
    assert "Total 60.00 EUR" in text
    assert "Credited 10.00 EUR" in text
    assert "Balance due 40.00 EUR" in text
    assert by_id.status_code == 200
    assert f"Credit note {note.number}" in pdf_text(by_id.content)
    assert_problem(missing, 404, "invoice_not_found")


def test_a_statement_as_json_and_as_pdf_closes_on_the_customers_balance(
    api: TestClient, db: Database, books
) -> None:
    # given
    shop = books["shop"]
    params = {"from": "2026-03-15", "to": "2026-04-01"}
    # when
    body = api.get(f"{API}/customers/{shop.trade.number}/statement", params=params).json()
    pdf = api.get(f"{API}/customers/{shop.trade.id}/statement/pdf", params=params)
    with db.reader() as session:
        [balance] = customer_balance(session, shop.trade.id)
    # then: opening 30.00; +60.00 on 20 March, -40.00 and -10.00 on 1 April
    assert (body["from"], body["to"], body["currency"]) == ("2026-03-15", "2026-04-01", "EUR")
    assert body["opening_balance"] == "30.00"
    assert [
        (line["kind"], line["debit"], line["credit"], line["balance"]) for line in body["lines"]
    ] == [
        ("Invoice", "60.00", "0.00", "90.00"),
        ("Credit note", "0.00", "10.00", "80.00"),
        ("Payment", "0.00", "40.00", "40.00"),
    ]
    assert body["closing_balance"] == "40.00"
    assert body["aging"]["current"] == "40.00"
    assert D(body["closing_balance"]) == balance.balance
    assert pdf.status_code == 200
    assert "Closing balance (EUR) 40.00" in pdf_text(pdf.content)


def test_a_statement_with_a_bad_period_or_customer_is_a_clear_error(api: TestClient, books):
    # given
    shop = books["shop"]
    # when
    backwards = api.get(
        f"{API}/customers/{shop.trade.id}/statement",
        params={"from": "2026-04-02", "to": "2026-04-01"},
    )
    not_a_date = api.get(
        f"{API}/customers/{shop.trade.id}/statement",
        params={"from": "yesterday", "to": "2026-04-01"},
    )
    nobody = api.get(
        f"{API}/customers/CUST-999999/statement", params={"from": "2026-04-01", "to": "2026-04-01"}
    )
    # then
    assert assert_problem(backwards, 422, "validation_error")["errors"]
    assert_problem(not_a_date, 422, "validation_error")
    assert_problem(nobody, 404, "customer_not_found")


def test_aging_dso_and_payment_history_answer_with_amounts_as_strings(api: TestClient, books):
    # given the books on 1 April: the first invoice (due 1 April) paid, the second open
    shop = books["shop"]
    # when
    on_may_1 = api.get(f"{API}/receivables/aging", params={"as_of": "2026-05-01"}).json()
    dso = api.get(f"{API}/receivables/dso", params={"days": 31, "as_of": "2026-04-01"}).json()
    history = api.get(f"{API}/customers/{shop.trade.number}/payment-history").json()
    # then on 1 May the second invoice (due 19 April) is 12 days past due: 40.00
    [bob] = on_may_1["customers"]
    assert (bob["customer_number"], bob["current"], bob["days_1_30"], bob["total"]) == (
        shop.trade.number,
        "0.00",
        "40.00",
        "40.00",
    )
    assert on_may_1["totals"][0]["customer_id"] is None
    # 31 days to 1 April: both invoices (90.00) sold, 40.00 open -> 40 / 90 x 31 = 13.8
    assert dso["items"] == [
        {"currency": "EUR", "receivables": "40.00", "credit_sales": "90.00", "dso": "13.8"}
    ]
    [payment] = history["payments"]
    assert [(i["invoice_number"], i["amount"], i["days_to_pay"]) for i in payment["invoices"]] == [
        (books["first"].number, "30.00", 30),
        (books["second"].number, "10.00", 12),
    ]
    assert history["average_days_to_pay"] == "25.5"


def test_an_export_is_made_once_per_period_and_its_file_is_served_as_csv(
    api: TestClient, books
) -> None:
    # given
    body = {"kind": "journal", "from": "2026-03-01", "to": "2026-03-31"}
    # when
    first = api.post(f"{API}/exports", json=body)
    again = api.post(f"{API}/exports", json=body)
    batch = first.json()
    served = api.get(batch["file_url"])
    as_xero = api.get(batch["file_url"], params={"format": "xero", "xero_tax_rate": "No VAT"})
    listed = api.get(f"{API}/exports").json()
    # then
    assert first.status_code == 201, first.text
    assert (batch["kind"], batch["from"], batch["to"], batch["entry_count"]) == (
        "journal",
        "2026-03-01",
        "2026-03-31",
        2,
    )
    assert batch["created"] is True
    assert (again.json()["id"], again.json()["created"]) == (batch["id"], False)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/csv")
    assert "attachment;" in served.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(served.text, newline="")))
    assert sum(D(r["debit"]) for r in rows) == sum(D(r["credit"]) for r in rows) == D("90.00")
    assert {r["*TaxRate"] for r in csv.DictReader(io.StringIO(as_xero.text))} == {"No VAT"}
    assert [b["id"] for b in listed] == [batch["id"]]


def test_bad_export_requests_get_clear_errors(api: TestClient, db: Database, books) -> None:
    # given / when
    wrong_kind = api.post(
        f"{API}/exports", json={"kind": "ledger", "from": "2026-03-01", "to": "2026-03-31"}
    )
    backwards = api.post(
        f"{API}/exports", json={"kind": "journal", "from": "2026-03-31", "to": "2026-03-01"}
    )
    invoices_new = api.post(
        f"{API}/exports",
        json={"kind": "invoices", "from": "2026-03-01", "to": "2026-03-31", "new_only": True},
    )
    unknown = api.get(f"{API}/exports/not-a-batch/file")
    made = api.post(
        f"{API}/exports", json={"kind": "invoices", "from": "2026-03-01", "to": "2026-03-31"}
    )
    wrong_format = api.get(made.json()["file_url"], params={"format": "xero"})
    anonymous = TestClient(api.app).post(
        f"{API}/exports", json={"kind": "journal", "from": "2026-03-01", "to": "2026-03-31"}
    )
    # then
    assert_problem(wrong_kind, 422, "validation_error")
    assert_problem(backwards, 422, "validation_error")
    assert_problem(invoices_new, 422, "validation_error")
    assert_problem(unknown, 404, "export_batch_not_found")
    assert_problem(wrong_format, 422, "validation_error")
    assert_problem(anonymous, 401, "unauthorized")


def test_a_new_only_export_retried_with_its_idempotency_key_is_one_batch(
    client: TestClient, db: Database, books
) -> None:
    # given an integration's token
    headers = {**bearer(db, Role.INTEGRATION), "Idempotency-Key": "march-handoff-1"}
    body = {"kind": "xero", "from": "2026-03-01", "to": "2026-04-30", "new_only": True}
    # when
    first = client.post(f"{API}/exports", json=body, headers=headers)
    retry = client.post(f"{API}/exports", json=body, headers=headers)
    # then
    assert first.status_code == 201, first.text
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert first.json()["entry_count"] == 4


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("get", "/receivables/aging", {"as_of": "9999-12-31"}),
        ("get", "/receivables/dso", {"as_of": "0001-01-01", "days": 90}),
        ("get", "/customers/{c}/statement", {"from": "0001-01-01", "to": "9999-12-31"}),
        ("get", "/customers/{c}/statement/pdf", {"from": "2026-01-01", "to": "9999-12-31"}),
        ("post", "/exports", {"kind": "journal", "from": "0001-01-01", "to": "9999-12-31"}),
    ],
)
def test_days_at_the_calendars_edge_are_refused_never_a_500(
    api: TestClient, books, method: str, path: str, params: dict[str, object]
) -> None:
    # given
    url = API + path.format(c=books["shop"].trade.number)
    # when
    response = api.post(url, json=params) if method == "post" else api.get(url, params=params)
    # then
    assert_problem(response, 422, "validation_error")
