"""What each role may do. Checked by every entry point before it calls a service."""

from __future__ import annotations

from enum import StrEnum

from ordersmith.auth.models import Role
from ordersmith.errors import Forbidden


class Permission(StrEnum):
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    CUSTOMERS_MERGE = "customers:merge"  # merge duplicate customers, undo a merge (ADR 0022)
    LOYALTY_MANAGE = "loyalty:manage"  # configure loyalty tiers, recalculate them
    INVENTORY_READ = "inventory:read"
    INVENTORY_WRITE = "inventory:write"
    WAREHOUSES_WRITE = "warehouses:write"
    ORDERS_READ = "orders:read"
    ORDERS_CREATE = "orders:create"
    ORDERS_MANAGE = "orders:manage"  # confirm, hold, release, cancel
    ORDERS_CHANGE = "orders:change"  # change lines, address, dates; split, merge (ADR 0020)
    FULFILMENT_READ = "fulfilment:read"  # allocations, pick lists, shipments, tracking
    FULFILMENT_WRITE = "fulfilment:write"  # pick, pack, label, dispatch, tracking updates
    CARRIERS_WRITE = "carriers:write"
    BILLING_READ = "billing:read"  # invoices, payments, credit notes, balances
    BILLING_WRITE = "billing:write"  # invoice, record payments, refunds, credit notes
    CREDIT_RELEASE = "credit:release"  # release orders held for credit
    PURCHASING_READ = "purchasing:read"  # suppliers, purchase orders, receipts, scorecards
    PURCHASING_WRITE = "purchasing:write"  # suppliers, draft/send/receive/close/cancel POs
    PURCHASING_APPROVE = "purchasing:approve"  # approve a draft purchase order
    FORECASTS_READ = "forecasts:read"  # demand forecasts, safety stock, runs and why
    FORECASTS_WRITE = "forecasts:write"  # start a forecast run
    RETURNS_READ = "returns:read"  # return requests (RMA), their state, analytics
    RETURNS_WRITE = "returns:write"  # request, authorise, reject, ship back, resolve, cancel
    RETURNS_RECEIVE = "returns:receive"  # goods-in: receive and inspect returned parcels
    RETURNS_OVERRIDE = "returns:override"  # accept a return outside the return window
    CASES_READ = "cases:read"  # customer service cases, their notes, the order timeline
    CASES_WRITE = "cases:write"  # open cases, add notes, assign, wait, resolve, close
    TOKENS_MANAGE = "tokens:manage"
    USERS_MANAGE = "users:manage"  # staff users of the back office (ADR 0023)


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.STAFF: frozenset(Permission) - {P.TOKENS_MANAGE, P.USERS_MANAGE},
    Role.INTEGRATION: frozenset(
        {
            P.CATALOG_READ,
            P.CUSTOMERS_READ,
            P.CUSTOMERS_WRITE,
            P.INVENTORY_READ,
            P.ORDERS_READ,
            P.ORDERS_CREATE,
            P.ORDERS_MANAGE,
            P.ORDERS_CHANGE,  # a web shop edits its customers' open orders
            P.FULFILMENT_READ,
            P.FULFILMENT_WRITE,
            P.BILLING_READ,
            P.BILLING_WRITE,  # payments taken by a web shop
            P.PURCHASING_READ,  # an ERP or buying tool reads suppliers and what is on order
            P.FORECASTS_READ,  # a buying tool or ERP reads forecasts and buffers
            P.RETURNS_READ,  # a web shop shows and asks for returns for its customers
            P.RETURNS_WRITE,
            P.RETURNS_RECEIVE,  # a warehouse system books returned parcels in
            P.CASES_READ,  # a web shop opens and follows cases for its customers
            P.CASES_WRITE,
        }
    ),
    # Only routes that scope by customer may be given to this role (404 for others'
    # objects): today the returns routes, and there only the customer's own actions
    # (ask, read, send back, cancel; web/api/returns.py), and the cases routes (open,
    # read without internal notes, add a note; web/api/cases.py, ADR 0021).
    Role.CUSTOMER: frozenset({P.RETURNS_READ, P.RETURNS_WRITE, P.CASES_READ, P.CASES_WRITE}),
}


def check_permission(role: Role, permission: Permission) -> None:
    if permission not in ROLE_PERMISSIONS[role]:
        raise Forbidden(f"the {role} role may not do {permission}")
