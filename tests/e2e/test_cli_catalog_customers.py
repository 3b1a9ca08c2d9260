"""`ordersmith catalog ...` and `ordersmith customers ...` against a real database.

The sub-apps are invoked directly (the root command registers them as `catalog` and
`customers`). An OmsError leaves the command as the result's exception, which the root
command prints and turns into exit status 1.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ordersmith.catalog.queries import get_product, list_products
from ordersmith.catalog.status import ProductStatus
from ordersmith.cli.catalog_cmd import app as catalog_app
from ordersmith.cli.customers_cmd import app as customers_app
from ordersmith.customers.queries import get_customer, list_customers
from ordersmith.errors import ValidationFailed
from ordersmith.uow import Database
from tests.factories.catalog import make_product
from tests.factories.customers import make_customer


@pytest.fixture
def runner(db: Database, tmp_path: Path) -> CliRunner:
    return CliRunner(
        env={
            "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
            "ORDERSMITH_DATA_DIR": str(tmp_path),
            "ORDERSMITH_ENVIRONMENT": "test",
            "COLUMNS": "200",
        }
    )


def _csv(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rejected(result: Result) -> list[str]:
    """The lines the root command would print under the error, as 'line N: message'."""
    assert result.exit_code == 1, result.output
    error = result.exception
    assert isinstance(error, ValidationFailed), repr(error)
    return [f"{f.field}: {f.message}" for f in error.fields]


def test_importing_products_creates_new_skus_and_updates_known_ones(
    runner: CliRunner, db: Database, tmp_path: Path
) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1", name="Old anvil", price="10.00", category="tools")
    path = _csv(
        tmp_path,
        "SKU,Name,Price,Currency,Category,tax_rate,stocked,status\n"
        "A-1,Anvil,12.50,EUR,tools,0.2,yes,\n"
        'B-2,"Bolt, M8",0.35,,fixings,,no,draft\n',
    )
    # when
    result = runner.invoke(catalog_app, ["import", str(path)])
    # then
    assert result.exit_code == 0, result.output
    assert "imported 2 products: 1 created, 1 updated" in result.output
    with db.reader() as session:
        anvil, bolt = get_product(session, "A-1"), get_product(session, "B-2")
    assert (anvil.name, anvil.price, anvil.tax_rate) == ("Anvil", Decimal("12.50"), Decimal("0.2"))
    assert (bolt.name, bolt.currency, bolt.stocked) == ("Bolt, M8", "EUR", False)
    assert bolt.status is ProductStatus.DRAFT


def test_a_product_file_with_bad_rows_is_refused_whole_naming_every_bad_line(
    runner: CliRunner, db: Database, tmp_path: Path
) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="OLD", status="discontinued", barcode="111")
    path = _csv(
        tmp_path,
        "sku,name,price,currency,stocked,barcode,status\n"
        "A-1,Anvil,12.50,EUR,,,\n"
        "B-2,Bolt,0.123456,EUR,,,\n"
        "C-3,,1.00,EURO,maybe,,\n"
        "A-1,Anvil again,1.00,EUR,,,\n"
        "D-4,Drill,5,EUR,,111,\n"
        "OLD,Old thing,1,EUR,,,draft\n"
        "E-5,Extra,1,EUR,,,,surplus\n",
    )
    # when
    result = runner.invoke(catalog_app, ["import", str(path)])
    # then
    assert _rejected(result) == [
        "line 3: price: has more than 4 decimals",
        "line 4: stocked: must be true or false",
        "line 4: name: must not be empty",
        "line 4: currency: must be a three-letter ISO 4217 code such as EUR",
        "line 5: sku 'A-1' is on line 2 too",
        "line 6: barcode '111' already belongs to product 'OLD'",
        "line 7: a discontinued product cannot become draft",
        "line 8: more cells than columns",
    ]
    assert result.exception is not None
    assert "6 of 7 rows are not valid" in str(result.exception)
    with db.reader() as session:
        assert [p.sku for p in list_products(session)[0]] == ["OLD"]


def test_a_product_file_with_a_wrong_header_is_refused(
    runner: CliRunner, db: Database, tmp_path: Path
) -> None:
    # given
    path = _csv(tmp_path, "sku,name,prise,currency\nA-1,Anvil,1,EUR\n")
    # when
    result = runner.invoke(catalog_app, ["import", str(path)])
    # then
    assert _rejected(result) == ["header: missing column 'price'", "header: unknown column 'prise'"]


def test_a_file_that_is_not_utf8_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    # given
    path = tmp_path / "latin1.csv"
    path.write_bytes("sku,name,price,currency\nA-1,Caf\xe9,1,EUR\n".encode("latin-1"))
    # when
    result = runner.invoke(catalog_app, ["import", str(path)])
    # then
    assert result.exit_code == 1
    assert isinstance(result.exception, ValidationFailed)
    assert result.exception.code == "invalid_csv"


def test_a_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(catalog_app, ["import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2


def test_catalog_list_prints_the_products(runner: CliRunner, db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_product(uow, sku="A-1", name="Anvil", price="12.5")
        make_product(uow, sku="B-2", name="Bolt", status="draft")
    # when
    everything = runner.invoke(catalog_app, ["list"])
    drafts = runner.invoke(catalog_app, ["list", "--status", "draft"])
    first = runner.invoke(catalog_app, ["list", "--limit", "1"])
    # then
    assert everything.exit_code == 0, everything.output
    assert "Anvil" in everything.output
    assert "12.50 EUR" in everything.output
    assert "Bolt" in drafts.output
    assert "Anvil" not in drafts.output
    assert "showing the first 1" in first.output


def test_importing_customers_numbers_them_in_file_order(
    runner: CliRunner, db: Database, tmp_path: Path
) -> None:
    # given
    path = _csv(
        tmp_path,
        "name,email,account_type,company,payment_terms_days,credit_limit,customer_group\n"
        "Ann,ann@example.com,cash,,,,\n"
        "Bob,Bob@Example.com,account,Bob Ltd,14,2500,Wholesale\n",
    )
    # when
    result = runner.invoke(customers_app, ["import", str(path)])
    # then
    assert result.exit_code == 0, result.output
    assert "created 2 customers: CUST-000001 to CUST-000002" in result.output
    with db.reader() as session:
        ann, bob = get_customer(session, "CUST-000001"), get_customer(session, "CUST-000002")
    assert (ann.name, ann.payment_terms_days, ann.customer_group) == ("Ann", 0, "retail")
    assert (bob.email, bob.payment_terms_days, bob.credit_limit) == (
        "bob@example.com",
        14,
        Decimal("2500"),
    )
    assert bob.customer_group == "wholesale"


def test_a_customer_file_with_bad_rows_imports_nobody(
    runner: CliRunner, db: Database, tmp_path: Path
) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_customer(uow, email="taken@example.com")
    path = _csv(
        tmp_path,
        "name,email,account_type,credit_limit,payment_terms_days\n"
        "Ann,ann@example.com,cash,,\n"
        "Bob,bob,cash,100,\n"
        "Cy,cy@example.com,account,,soon\n"
        "Dee,TAKEN@example.com,cash,,\n"
        "Ann again,ann@example.com,cash,,\n",
    )
    # when
    result = runner.invoke(customers_app, ["import", str(path)])
    # then
    assert _rejected(result) == [
        "line 3: email: is not a valid email address (name@example.com)",
        "line 3: credit_limit: a cash customer has no credit limit",
        "line 4: payment_terms_days: must be a whole number of days from 0 to 365",
        "line 5: email: CUST-000001 has taken@example.com",
        "line 6: email: ann@example.com is on line 2 too",
    ]
    with db.reader() as session:
        assert len(list_customers(session)[0]) == 1


def test_importing_the_same_customers_twice_creates_them_once(
    runner: CliRunner, db: Database, tmp_path: Path
) -> None:
    # given
    path = _csv(tmp_path, "name,email,account_type\nAnn,ann@example.com,cash\n")
    first = runner.invoke(customers_app, ["import", str(path)])
    # when
    second = runner.invoke(customers_app, ["import", str(path)])
    # then
    assert first.exit_code == 0
    assert _rejected(second) == ["line 2: email: CUST-000001 has ann@example.com"]


def test_customers_list_prints_the_newest_first(runner: CliRunner, db: Database) -> None:
    # given
    with db.unit_of_work(actor="test") as uow:
        make_customer(uow, name="Ann Cash")
    with db.unit_of_work(actor="test") as uow:
        make_customer(uow, name="Bob Trade", account_type="account")
    # when
    everything = runner.invoke(customers_app, ["list"])
    accounts = runner.invoke(customers_app, ["list", "--account-type", "account"])
    searched = runner.invoke(customers_app, ["list", "-q", "ann"])
    # then
    assert everything.exit_code == 0, everything.output
    assert everything.output.index("Bob Trade") < everything.output.index("Ann Cash")
    assert "30 days" in accounts.output
    assert "Ann Cash" not in accounts.output
    assert "Ann Cash" in searched.output
    assert "Bob Trade" not in searched.output


def test_payment_terms_written_with_other_digits_are_refused_naming_the_line(
    runner: CliRunner, db: Database, tmp_path: Path
) -> None:
    # given "²" and "٣" are digits to str.isdigit(), and int() refuses the first
    path = _csv(
        tmp_path,
        "name,email,account_type,payment_terms_days\n"
        "Ann,ann@example.com,account,²\n"
        "Bob,bob@example.com,account,٣\n",
    )
    # when
    result = runner.invoke(customers_app, ["import", str(path)])
    # then
    assert _rejected(result) == [
        "line 2: payment_terms_days: must be a whole number of days from 0 to 365",
        "line 3: payment_terms_days: must be a whole number of days from 0 to 365",
    ]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "invalid_csv"),
        (b"\xff\xfe\x00s\x00k\x00u\x00", "invalid_csv"),
        (b"sku,name,price,currency\n" + b'"' + b"x" * 200_000 + b'",n,1,EUR\n', "invalid_csv"),
        (b"sku,name,price,currency\nA\x00,Anvil,1,EUR\n", "import_rejected"),
        (b"sku,name,price,currency\nA,Anvil,1e400,EUR\nB,Bolt,-Infinity,EUR\n", "import_rejected"),
    ],
    ids=["empty", "utf16", "huge-cell", "nul", "huge-numbers"],
)
def test_a_hostile_product_file_is_refused_with_an_error_code(
    runner: CliRunner, db: Database, tmp_path: Path, content: bytes, code: str
) -> None:
    # given
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    # when
    result = runner.invoke(catalog_app, ["import", str(path)])
    # then
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, ValidationFailed), repr(result.exception)
    assert result.exception.code == code
    with db.reader() as session:
        assert list_products(session)[0] == []
