"""The shipments page's indexes: newest first, of every status or of one warehouse

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-29 02:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_shipments_created", "shipments", ["created_at", "id"])
    op.create_index(
        "ix_shipments_warehouse_created", "shipments", ["warehouse_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_shipments_warehouse_created", table_name="shipments")
    op.drop_index("ix_shipments_created", table_name="shipments")
