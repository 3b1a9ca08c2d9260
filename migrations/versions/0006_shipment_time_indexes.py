"""shipments indexed by dispatch and delivery time (KPI windows)

The fulfilment KPIs select the orders dispatched or delivered in a date window; without
these indexes that is a scan of every shipment ever made.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 16:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_dispatched", ["dispatched_at"], unique=False)
        batch_op.create_index("ix_shipments_delivered", ["delivered_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_delivered")
        batch_op.drop_index("ix_shipments_dispatched")
