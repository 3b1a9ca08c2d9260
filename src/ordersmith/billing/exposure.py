"""What a customer owes on issued invoices, for the credit check at order placement."""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.billing.models import Invoice
from ordersmith.db import table_of


def open_receivables(session: Session, customer_id: uuid.UUID) -> Decimal:
    """Σ open balances (total - paid - credited) of the customer's invoices."""
    invoices = table_of(Invoice)
    owed = session.scalar(
        sa.select(
            sa.func.coalesce(
                sa.func.sum(invoices.c.total - invoices.c.amount_paid - invoices.c.amount_credited),
                0,
            )
        ).where(
            invoices.c.customer_id == customer_id,
            invoices.c.status.in_(["issued", "partially_paid"]),
        )
    )
    return Decimal(owed or 0)
