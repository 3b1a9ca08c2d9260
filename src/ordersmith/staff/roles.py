"""Staff roles and what each may do: the one place that maps a role to permissions.

Every back-office page and every page-facing service checks a ``Permission`` (from
``ordersmith.auth.permissions``); a staff user's role decides which ones they hold.
"""

from __future__ import annotations

from enum import StrEnum

from ordersmith.auth.permissions import Permission

P = Permission


class StaffRole(StrEnum):
    ADMIN = "admin"
    SALES = "sales"
    CUSTOMER_SERVICE = "customer_service"
    WAREHOUSE = "warehouse"
    ACCOUNTING = "accounting"
    PURCHASING = "purchasing"


_LOOK_UP = frozenset(
    {P.CATALOG_READ, P.CUSTOMERS_READ, P.INVENTORY_READ, P.ORDERS_READ, P.FULFILMENT_READ}
)

STAFF_ROLE_PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.ADMIN: frozenset(Permission),
    # takes phone and counter orders, looks after them until they ship
    StaffRole.SALES: _LOOK_UP
    | {
        P.CUSTOMERS_WRITE,
        P.ORDERS_CREATE,
        P.ORDERS_MANAGE,
        P.ORDERS_CHANGE,
        P.BILLING_READ,
        P.RETURNS_READ,
        P.CASES_READ,
        P.FORECASTS_READ,
    },
    # answers customers: cases, returns, changes to their orders, duplicates
    StaffRole.CUSTOMER_SERVICE: _LOOK_UP
    | {
        P.CUSTOMERS_WRITE,
        P.CUSTOMERS_MERGE,
        P.ORDERS_CREATE,
        P.ORDERS_MANAGE,
        P.ORDERS_CHANGE,
        P.BILLING_READ,
        P.RETURNS_READ,
        P.RETURNS_WRITE,
        P.RETURNS_OVERRIDE,
        P.CASES_READ,
        P.CASES_WRITE,
    },
    # picks, packs, ships; counts and moves stock; receives and inspects returns
    StaffRole.WAREHOUSE: _LOOK_UP
    | {
        P.INVENTORY_WRITE,
        P.FULFILMENT_WRITE,
        P.RETURNS_READ,
        P.RETURNS_RECEIVE,  # receives and inspects; customer service decides and refunds
        P.PURCHASING_READ,
    },
    # invoices, payments, credit notes, credit holds
    StaffRole.ACCOUNTING: _LOOK_UP
    | {
        P.BILLING_READ,
        P.BILLING_WRITE,
        P.CREDIT_RELEASE,
        P.RETURNS_READ,
        P.CASES_READ,
        P.PURCHASING_READ,
    },
    # suppliers, purchase orders, replenishment, forecasts
    StaffRole.PURCHASING: _LOOK_UP
    | {
        P.CATALOG_WRITE,
        P.PURCHASING_READ,
        P.PURCHASING_WRITE,
        P.PURCHASING_APPROVE,
        P.FORECASTS_READ,
        P.FORECASTS_WRITE,
    },
}


def permissions_of(role: StaffRole | str) -> frozenset[Permission]:
    return STAFF_ROLE_PERMISSIONS[StaffRole(role)]
