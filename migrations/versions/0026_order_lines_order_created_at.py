"""order lines keep their order's created_at: the order search by SKU is a keyset on lines

- ``order_lines.order_created_at``: the order's ``created_at``, written with the line
  (placement, drafts, order changes, history import) and the new order's when a line
  moves (split, merge); ``ordersmith check`` proves it equals the order's (ADR 0039).
- ``ix_order_lines_sku_created`` on ``(sku, order_created_at DESC, order_id DESC)``
  replaces ``ix_order_lines_sku_order``: the search by SKU reads the newest lines of the
  SKU and stops at the page's end, whatever the number of orders.
- Existing lines are backfilled from their orders in one UPDATE, then made NOT NULL.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("order_created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE order_lines SET order_created_at = "
        "(SELECT o.created_at FROM orders o WHERE o.id = order_lines.order_id)"
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.alter_column(
            "order_created_at",
            existing_type=ordersmith.db.UtcDateTime(timezone=True),
            nullable=False,
        )
        batch_op.drop_index("ix_order_lines_sku_order")
    # outside the batch: SQLite's table copy cannot name the DESC columns of an index
    op.create_index(
        "ix_order_lines_sku_created",
        "order_lines",
        ["sku", sa.text("order_created_at DESC"), sa.text("order_id DESC")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_order_lines_sku_created", table_name="order_lines")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index("ix_order_lines_sku_order", ["sku", "order_id"], unique=False)
        batch_op.drop_column("order_created_at")
