"""order lines keep their order's created_at: the order search by SKU is a keyset on lines

- ``order_lines.order_created_at``: the order's ``created_at``, written with the line
  (placement, drafts, order changes, history import) and the new order's when a line
  moves (split, merge); ``ordersmith check`` proves it equals the order's (ADR 0039).
- ``ix_order_lines_sku_created`` on ``(sku, order_created_at DESC, order_id DESC)``
  replaces ``ix_order_lines_sku_order``: the search by SKU reads the newest lines of the
  SKU and stops at the page's end, whatever the number of orders.
- Existing lines are backfilled from their orders in one UPDATE. On PostgreSQL the column
  is then made NOT NULL. On SQLite it is added NOT NULL with a placeholder default
  (1970-01-01) and keeps it: changing a column there means rebuilding ``order_lines``,
  and with foreign keys on, dropping the old table would cascade to, or be refused by,
  the allocations, pick-list, shipment, invoice and return lines that point at it. A
  writer that left the column out would be reported by ``ordersmith check``.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-29 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_PLACEHOLDER = "1970-01-01 00:00:00.000000"  # SQLite only; every row is backfilled


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "order_lines",
        sa.Column(
            "order_created_at",
            ordersmith.db.UtcDateTime(timezone=True),
            nullable=not sqlite,
            server_default=sa.text(f"'{_PLACEHOLDER}'") if sqlite else None,
        ),
    )
    op.execute(
        "UPDATE order_lines SET order_created_at = "
        "(SELECT o.created_at FROM orders o WHERE o.id = order_lines.order_id)"
    )
    if not sqlite:
        op.alter_column(
            "order_lines",
            "order_created_at",
            existing_type=ordersmith.db.UtcDateTime(timezone=True),
            nullable=False,
        )
    op.drop_index("ix_order_lines_sku_order", table_name="order_lines")
    op.create_index(
        "ix_order_lines_sku_created",
        "order_lines",
        ["sku", sa.text("order_created_at DESC"), sa.text("order_id DESC")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_order_lines_sku_created", table_name="order_lines")
    op.create_index("ix_order_lines_sku_order", "order_lines", ["sku", "order_id"], unique=False)
    op.drop_column("order_lines", "order_created_at")
