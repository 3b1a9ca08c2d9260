"""The pick-list list's indexes: newest first, of every status or one, of every warehouse or one

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-29 15:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_pick_lists_created", "pick_lists", ["created_at", "id"])
    op.create_index("ix_pick_lists_status_created", "pick_lists", ["status", "created_at", "id"])
    op.create_index(
        "ix_pick_lists_warehouse_created", "pick_lists", ["warehouse_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_pick_lists_warehouse_created", table_name="pick_lists")
    op.drop_index("ix_pick_lists_status_created", table_name="pick_lists")
    op.drop_index("ix_pick_lists_created", table_name="pick_lists")
