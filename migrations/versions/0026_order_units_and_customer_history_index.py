"""Orders keep their units; customer history reads one covering index (ADR 0041)

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 15:00:00.000000

On SQLite the column keeps its ``DEFAULT 0``: dropping a default there means rebuilding
``orders``, and with foreign keys on, dropping the old table would cascade to its lines.
Every writer sets ``units`` (``ordersmith check``: ``order_totals_add_up``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HISTORY_COLUMNS = [
    "customer_id",
    "created_at",
    "id",
    "status",
    "hold_reason",
    "currency",
    "total",
    "units",
]


def upgrade() -> None:
    op.add_column("orders", sa.Column("units", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE orders SET units = (SELECT COALESCE(SUM(order_lines.quantity), 0)"
        " FROM order_lines WHERE order_lines.order_id = orders.id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("orders", "units", server_default=None)
    op.drop_index("ix_orders_customer_created", table_name="orders")
    op.create_index("ix_orders_customer_history", "orders", _HISTORY_COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_orders_customer_history", table_name="orders")
    op.create_index(
        "ix_orders_customer_created", "orders", ["customer_id", "created_at", "id"], unique=False
    )
    op.drop_column("orders", "units")
