"""CRM: a merged duplicate gives up its loyalty tier; the merge keeps it for the unmerge

- ``customer_merges.duplicate_tier`` and ``duplicate_tier_since``: the tier the
  duplicate held when it was merged (ADR 0022, revised). A merged customer holds no tier
  (the recalculation skips merged customers, so a tier kept at the merge was kept for
  ever, and that tier could never be deleted); undoing the merge restores it.
- Customers merged before this migration give up their tier now; it is kept on their
  (not undone) merge row.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer_merges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_tier", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column(
                "duplicate_tier_since", ordersmith.db.UtcDateTime(timezone=True), nullable=True
            )
        )
    op.execute(
        "UPDATE customer_merges SET "
        "duplicate_tier = (SELECT c.tier FROM customers c "
        "WHERE c.id = customer_merges.duplicate_id), "
        "duplicate_tier_since = (SELECT c.tier_since FROM customers c "
        "WHERE c.id = customer_merges.duplicate_id) "
        "WHERE undone_at IS NULL"
    )
    op.execute(
        "UPDATE customers SET tier = NULL, tier_since = NULL WHERE merged_into_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE customers SET "
        "tier = (SELECT m.duplicate_tier FROM customer_merges m "
        "WHERE m.duplicate_id = customers.id AND m.undone_at IS NULL), "
        "tier_since = (SELECT m.duplicate_tier_since FROM customer_merges m "
        "WHERE m.duplicate_id = customers.id AND m.undone_at IS NULL) "
        "WHERE merged_into_id IS NOT NULL"
    )
    with op.batch_alter_table("customer_merges", schema=None) as batch_op:
        batch_op.drop_column("duplicate_tier_since")
        batch_op.drop_column("duplicate_tier")
