"""`ordersmith billing`: invoice, pay, refund, credit and balances from a terminal."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner, Result

from ordersmith.billing.queries import get_invoice, list_invoices, list_payments
from ordersmith.shipping.queries import get_shipment
from ordersmith.uow import Database
from tests.factories.billing import DELIVERY, assert_books_clean, confirm_and_ship
from tests.factories.fulfillment import make_courier
from tests.factories.inventory import stock_up
from tests.factories.orders import order_request, place
from tests.integration.conftest import Shop, make_shop

runner = CliRunner()


def run(db: Database, *args: str) -> Result:
    from ordersmith.cli.main import app

    env = {
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
        "COLUMNS": "200",
    }
    return runner.invoke(app, list(args), env=env)


def _balance(db: Database, customer: str) -> list[str]:
    """The cells of the EUR row of `billing balance`."""
    shown = run(db, "billing", "balance", customer)
    assert shown.exit_code == 0, shown.output
    (row,) = [line for line in shown.stdout.splitlines() if "EUR" in line]
    return [cell.strip() for cell in row.strip("│ ").split("│")]


@pytest.fixture
def books(db) -> Shop:
    """The service-built shop: Bob Trade (account, 30 days) and Ann Cash, A-1 in stock."""
    shop = make_shop(db)
    make_courier(db)
    stock_up(db, {("MAIN", "A-1"): 10})
    return shop


def test_a_clerk_invoices_a_shipment_takes_payment_refunds_and_credits_from_the_cli(books):
    # given: a dispatched shipment of 2 x A-1 (25.00 + 5.00 tax) and an order of a service
    db, bob = books.db, books.trade
    order = place(db, order_request(bob.id, ("A-1", 2), shipping_address=DELIVERY))
    shipment_id = confirm_and_ship(db, order)
    service = place(db, order_request(bob.id, ("SVC", 1)))
    with db.reader() as session:
        shipment = get_shipment(session, str(shipment_id)).number
    # when: the shipment was invoiced on dispatch (an account customer); the service is not
    again = run(db, "billing", "invoice", "--shipment", shipment)
    by_order = run(db, "billing", "invoice", service.number)
    # then
    assert getattr(again.exception, "code", None) == "already_invoiced", again.output
    assert by_order.exit_code == 0, by_order.output
    assert "invoice for 30.00 EUR" in by_order.stdout
    with db.reader() as session:
        (first,) = [i.number for i in list_invoices(session, customer_id=bob.id) if i.shipment_id]
    second = by_order.stdout.split(":")[0]
    listed = run(db, "billing", "invoices", "--customer", bob.number, "--status", "issued")
    assert first in listed.stdout
    assert second in listed.stdout
    shown = run(db, "billing", "show", first)
    assert "Anvil" in shown.stdout
    assert "balance 30.00 EUR" in shown.stdout
    # when: Bob pays 50.00 for the first invoice
    paid = run(
        db, "billing", "pay", bob.number, "--amount", "50.00", "--method", "bank_transfer",
        "--invoice", first, "--reference", "remittance 7",
    )  # fmt: skip
    # then: the invoice is paid and 20.00 is credit
    assert paid.exit_code == 0, paid.output
    assert f"paid {first} 30.00; unallocated 20.00 EUR" in paid.stdout
    payment = paid.stdout.split(":")[0]
    assert _balance(db, bob.number) == ["EUR", "30.00", "0.00", "20.00", "0.00", "10.00"]
    # when: 5.00 is refunded, the credit is applied, and a unit is credited as damaged
    refunded = run(
        db, "billing", "refund", payment, "--amount", "5.00", "--reason", "overpaid",
        "--reference", "BANK-RET-1",
    )  # fmt: skip
    again = run(
        db, "billing", "refund", payment, "--amount", "1.00", "--reason", "overpaid",
        "--reference", "BANK-RET-1",
    )  # fmt: skip
    applied = run(db, "billing", "apply-credit", bob.number)
    noted = run(db, "billing", "credit-note", first, "--reason", "damage", "--line", "1=1")
    # then
    assert refunded.exit_code == 0, refunded.output
    assert "unallocated 15.00 EUR" in refunded.stdout
    assert getattr(again.exception, "code", None) == "refund_already_recorded", again.output
    assert applied.exit_code == 0, applied.output
    assert f"payment {payment} -> {second} 15.00" in applied.stdout
    assert noted.exit_code == 0, noted.output
    assert "15.00 EUR credited" in noted.stdout
    assert "15.00 EUR became customer credit" in noted.stdout
    assert f"freed 15.00 of payment {payment}" in noted.stdout  # the invoice was paid
    with db.reader() as session:
        assert get_invoice(session, second).balance == 15  # 30.00 - 15.00 applied
    assert _balance(db, bob.number) == ["EUR", "15.00", "0.00", "15.00", "0.00", "0.00"]
    assert_books_clean(db)


def test_a_card_payment_on_the_terminal_is_recorded_with_its_reference_and_last_4_digits(
    books,
):
    # when
    paid = run(
        db := books.db, "billing", "pay", books.cash.number, "--amount", "12.50",
        "--method", "card", "--reference", "TERM-2 TX 0091", "--last4", "4242",
    )  # fmt: skip
    # then
    assert paid.exit_code == 0, paid.output
    with db.reader() as session:
        (payment,) = list_payments(session, customer_id=books.cash.id)
    assert (payment.method, payment.provider, payment.provider_reference, payment.card_last4) == (
        "card",
        "manual",
        "TERM-2 TX 0091",
        "4242",
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ("invoice", "validation_error"),
        ("invoice SO-2026-999999", "order_not_found"),
        ("invoice --shipment SH-NOPE", "shipment_not_found"),
        ("show INV-2026-999999", "invoice_not_found"),
        ("balance CUST-999999", "customer_not_found"),
        ("pay {ann} --amount 1.001 --method cash", "validation_error"),
        ("pay {ann} --amount -1 --method cash", "validation_error"),
        ("pay {ann} --amount 1e30 --method cash", "validation_error"),
        ("pay {ann} --amount 5 --method cash --currency USD", "validation_error"),
        ("pay {ann} --amount 5 --method cash --received-on soon", "validation_error"),
        ("pay {ann} --amount 5 --method card --reference TX-1", "validation_error"),
        ("pay {ann} --amount 5 --method card --reference TX-1 --last4 4111111111111111",
         "card_number_refused"),
        ("refund PAY-2026-999999 --amount 1 --reason x", "payment_not_found"),
        ("refund PAY-2026-999999 --amount 1 --reason x --reference R-1", "payment_not_found"),
        ("credit-note INV-2026-999999 --reason damage", "invoice_not_found"),
        ("credit-note INV-2026-999999 --reason damage --line one", "validation_error"),
        ("apply-credit {ann}", "no_customer_credit"),
    ],
)  # fmt: skip
def test_bad_billing_commands_exit_non_zero_with_the_error_code(books, args, code):
    # when
    result = run(books.db, "billing", *args.replace("{ann}", books.cash.number).split())
    # then
    assert result.exit_code != 0
    assert getattr(result.exception, "code", None) == code, result.output


def test_a_refused_card_number_is_one_error_line_and_never_echoed(books, tmp_path):
    # given
    db = books.db
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORDERSMITH_")}
    env = {
        **clean,
        "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
        "ORDERSMITH_DATA_DIR": str(db.settings.data_dir),
    }
    # when
    result = subprocess.run(
        [sys.executable, "-m", "ordersmith", "billing", "pay", books.cash.number,
         "--amount", "5.00", "--method", "cash", "--reference", "4111 1111 1111 1111"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    # then
    assert result.returncode == 1
    assert result.stderr.startswith("error [card_number_refused]: "), result.stderr
    assert "4111" not in result.stderr
    with db.reader() as session:
        assert list_payments(session, customer_id=books.cash.id) == []
