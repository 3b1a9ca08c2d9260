"""The chart of accounts: defaults, overrides as a parameter or a setting, refused overrides."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from ordersmith.billing.accounts import (
    DEFAULT_CHART,
    Account,
    AccountRole,
    chart_for,
    chart_of_accounts,
)
from ordersmith.config import Settings
from ordersmith.errors import ConfigurationError


def test_the_default_chart_names_every_role_once() -> None:
    assert set(DEFAULT_CHART) == set(AccountRole)
    assert DEFAULT_CHART[AccountRole.RECEIVABLE] == Account("1100", "Accounts receivable")
    assert len({a.code for a in DEFAULT_CHART.values()}) == len(AccountRole)


def test_overrides_replace_codes_and_names_and_keep_the_rest() -> None:
    # given / when
    chart = chart_of_accounts({AccountRole.REVENUE: Account("8400", "Erlöse 19 %")})
    # then
    assert chart[AccountRole.REVENUE] == Account("8400", "Erlöse 19 %")
    assert chart[AccountRole.BANK] == DEFAULT_CHART[AccountRole.BANK]


@pytest.mark.parametrize(
    "text",
    ["salary=6000:Wages", "bank=", "bank=1100", "receivable"],
)
def test_a_bad_override_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ConfigurationError):
        chart_of_accounts(text)


def test_settings_without_a_chart_give_the_defaults(tmp_path: Path) -> None:
    assert chart_for(Settings(data_dir=tmp_path)) == DEFAULT_CHART


def test_the_chart_of_accounts_setting_re_codes_the_chart(tmp_path: Path) -> None:
    # given
    settings = Settings(data_dir=tmp_path, chart_of_accounts="receivable=1400:Debtors")
    # when
    chart = chart_for(settings)
    # then
    assert chart[AccountRole.RECEIVABLE] == Account("1400", "Debtors")
    assert chart[AccountRole.BANK] == DEFAULT_CHART[AccountRole.BANK]


def test_a_bad_chart_of_accounts_setting_is_refused_when_the_settings_load(
    tmp_path: Path,
) -> None:
    # when
    with pytest.raises(pydantic.ValidationError) as refused:
        Settings(data_dir=tmp_path, chart_of_accounts="salary=6000:Wages")
    # then
    assert "unknown account role 'salary'" in str(refused.value)
