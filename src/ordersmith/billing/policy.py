"""When invoices are issued, by account type (in-transaction subscribers, ordersmith.wiring).

- ``cash`` customers: on order — a receipt once the order is paid
  (ordersmith.billing.cash_sales).
- ``account`` customers: on shipment — what each dispatched shipment carried, one
  invoice per shipment, due after the customer's payment terms.
"""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from ordersmith.billing.errors import AlreadyInvoiced
from ordersmith.billing.invoices import invoice_shipment
from ordersmith.customers.models import AccountType, Customer
from ordersmith.db import table_of
from ordersmith.shipping.events import ShipmentDispatched
from ordersmith.uow import UnitOfWork


def invoice_on_dispatch(uow: UnitOfWork, event: ShipmentDispatched) -> None:
    customers = table_of(Customer)
    account_type = uow.session.scalar(
        sa.select(customers.c.account_type).where(customers.c.id == event.customer_id)
    )
    if account_type is not None and AccountType(account_type) is AccountType.ACCOUNT:
        # invoiced up front (invoice_order): nothing was written, nothing to add
        with contextlib.suppress(AlreadyInvoiced):
            invoice_shipment(uow, shipment_id=event.aggregate_id)
