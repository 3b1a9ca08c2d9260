"""The chart of accounts billing posts to: a typed mapping from an account's *role* to
its code and name, with defaults a small business can use as they are.

    role              default  name                              kind
    cash              1000     Cash                              asset
    receivable        1100     Accounts receivable               asset (per customer)
    bank              1200     Bank                              asset
    card_clearing     1210     Card clearing                     asset
    tax_payable       2200     VAT / sales tax payable           liability
    customer_credit   2300     Customer credit                   liability (per customer)
    revenue           4000     Sales revenue                     income
    sales_returns     4900     Sales returns and allowances      contra-income

Journal lines store the role, the code and the name as they were when posted, so
changing the chart later re-labels only future entries, and the checks (which compare
by role) keep working. Overrides come in as a parameter, never from the environment:
``chart_of_accounts("receivable=1400:Debtors;bank=1250:Main account")``.
``chart_for(settings)`` applies the ``chart_of_accounts`` setting
(``ORDERSMITH_CHART_OF_ACCOUNTS``), which is checked when the settings load (ADR 0012).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from ordersmith.billing.models import PaymentMethod
from ordersmith.errors import ConfigurationError

if TYPE_CHECKING:
    from ordersmith.config import Settings


class AccountRole(StrEnum):
    CASH = "cash"
    RECEIVABLE = "receivable"
    BANK = "bank"
    CARD_CLEARING = "card_clearing"
    TAX_PAYABLE = "tax_payable"
    CUSTOMER_CREDIT = "customer_credit"
    REVENUE = "revenue"
    SALES_RETURNS = "sales_returns"


@dataclass(frozen=True, slots=True)
class Account:
    code: str
    name: str


ChartOfAccounts = Mapping[AccountRole, Account]

DEFAULT_CHART: ChartOfAccounts = MappingProxyType(
    {
        AccountRole.CASH: Account("1000", "Cash"),
        AccountRole.RECEIVABLE: Account("1100", "Accounts receivable"),
        AccountRole.BANK: Account("1200", "Bank"),
        AccountRole.CARD_CLEARING: Account("1210", "Card clearing"),
        AccountRole.TAX_PAYABLE: Account("2200", "VAT / sales tax payable"),
        AccountRole.CUSTOMER_CREDIT: Account("2300", "Customer credit"),
        AccountRole.REVENUE: Account("4000", "Sales revenue"),
        AccountRole.SALES_RETURNS: Account("4900", "Sales returns and allowances"),
    }
)

MONEY_ACCOUNT: Mapping[PaymentMethod, AccountRole] = MappingProxyType(
    {
        PaymentMethod.CASH: AccountRole.CASH,
        PaymentMethod.CARD: AccountRole.CARD_CLEARING,
        PaymentMethod.BANK_TRANSFER: AccountRole.BANK,
        PaymentMethod.CHEQUE: AccountRole.BANK,
        PaymentMethod.OTHER: AccountRole.BANK,
    }
)
"""Where the money of a payment (and of its refunds) is debited (credited)."""


def chart_of_accounts(
    overrides: str | Mapping[AccountRole | str, Account] = "",
) -> ChartOfAccounts:
    """The default chart with ``overrides`` applied.

    ``overrides`` is either a mapping role -> Account or a text of ``role=code:name``
    items separated by ``;`` (the name may be left out to keep the default's). An
    unknown role, an empty code or two roles on one code raise ConfigurationError."""
    chart = dict(DEFAULT_CHART)
    items = _parse(overrides) if isinstance(overrides, str) else dict(overrides).items()
    for role, account in items:
        try:
            key = AccountRole(role)
        except ValueError:
            raise ConfigurationError(
                f"unknown account role {role!r}: use one of {', '.join(AccountRole)}"
            ) from None
        if not account.code.strip():
            raise ConfigurationError(f"account role {key} needs a code")
        chart[key] = Account(account.code.strip(), account.name.strip() or chart[key].name)
    codes = [account.code for account in chart.values()]
    if len(set(codes)) != len(codes):
        raise ConfigurationError("two account roles share one account code")
    return MappingProxyType(chart)


def chart_for(settings: Settings) -> ChartOfAccounts:
    """The chart configured on ``settings``: the defaults with its overrides."""
    return chart_of_accounts(settings.chart_of_accounts)


def _parse(text: str) -> list[tuple[str, Account]]:
    found: list[tuple[str, Account]] = []
    for item in text.split(";"):
        if not item.strip():
            continue
        role, sep, rest = item.partition("=")
        if not sep:
            raise ConfigurationError(f"chart of accounts: {item.strip()!r} is not role=code:name")
        code, _colon, name = rest.partition(":")
        found.append((role.strip(), Account(code.strip(), name.strip())))
    return found
