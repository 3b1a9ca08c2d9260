"""the duplicate check finds a twin by customer and lines, not by reading the window

``ix_orders_customer_fingerprint`` on ``(customer_id, lines_fingerprint, created_at)``:
placement's duplicate check (same customer, same lines, within
``duplicate_window_minutes``) probes it for the newest twin. Before it, the check read
``ix_orders_customer_history`` and then every order of the customer within the window,
so its cost grew with the customer's recent orders: a trade account or a marketplace
customer placing hundreds of orders in the window paid for all of them on every order.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ["customer_id", "lines_fingerprint", "created_at"]


def upgrade() -> None:
    op.create_index("ix_orders_customer_fingerprint", "orders", _COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_orders_customer_fingerprint", table_name="orders")
