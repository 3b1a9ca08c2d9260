"""`ordersmith portal invite` against a real database: an invite is queued for the
customer (or the given email); an unknown customer exits non-zero with the message."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ordersmith.cli.portal_cmd import app as portal_app
from ordersmith.errors import NotFound
from ordersmith.notifications.models import MessageKind
from ordersmith.uow import Database
from tests.integration.conftest import Shop
from tests.integration.portal.conftest import mailed_links


@pytest.fixture
def runner(db: Database, tmp_path: Path) -> CliRunner:
    return CliRunner(
        env={
            "ORDERSMITH_DATABASE_URL": db.settings.effective_database_url,
            "ORDERSMITH_DATA_DIR": str(tmp_path),
            "ORDERSMITH_ENVIRONMENT": "test",
            "ORDERSMITH_PUBLIC_BASE_URL": "https://orders.example.com/",
            "COLUMNS": "200",
        }
    )


def test_the_cli_invites_a_customer_by_number_and_refuses_an_unknown_one(
    runner: CliRunner, shop: Shop
) -> None:
    # when the CLI invites Ann at another address, then an unknown customer
    invited = runner.invoke(
        portal_app, ["invite", shop.cash.number, "--email", "Buyer@Ann.example"]
    )
    unknown = runner.invoke(portal_app, ["invite", "CUST-999999"])
    # then Ann's buyer gets a link on the public address; the unknown one fails
    assert invited.exit_code == 0, invited.output
    assert "invited buyer@ann.example" in invited.output
    (link,) = mailed_links(shop.db, MessageKind.PORTAL_INVITE)
    assert link.startswith("https://orders.example.com/portal/invite/")
    assert unknown.exit_code == 1
    assert isinstance(unknown.exception, NotFound)
