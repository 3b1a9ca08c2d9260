"""CRM: loyalty tiers and duplicate customer merges

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loyalty_tiers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("min_spend", ordersmith.db.Fixed(), nullable=True),
        sa.Column("min_orders", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price_list_code", sa.String(length=40), nullable=True),
        sa.Column("free_express_shipping", sa.Boolean(), nullable=False),
        sa.Column("return_window_days", sa.Integer(), nullable=True),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "min_orders IS NULL OR min_orders >= 0",
            name=op.f("ck_loyalty_tiers_orders_not_negative"),
        ),
        sa.CheckConstraint(
            "min_spend IS NOT NULL OR min_orders IS NOT NULL",
            name=op.f("ck_loyalty_tiers_has_threshold"),
        ),
        sa.CheckConstraint(
            "min_spend IS NULL OR min_spend >= 0", name=op.f("ck_loyalty_tiers_spend_not_negative")
        ),
        sa.CheckConstraint("period_days > 0", name=op.f("ck_loyalty_tiers_period_positive")),
        sa.CheckConstraint(
            "return_window_days IS NULL OR return_window_days >= 0",
            name=op.f("ck_loyalty_tiers_window_not_negative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_tiers")),
        sa.UniqueConstraint("code", name=op.f("uq_loyalty_tiers_code")),
        sa.UniqueConstraint("rank", name=op.f("uq_loyalty_tiers_rank")),
    )
    op.create_table(
        "customer_contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_contacts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_contacts")),
    )
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_contacts_customer", ["customer_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "uq_customer_contacts_primary",
            ["customer_id"],
            unique=True,
            sqlite_where=sa.text("is_primary = 1"),
            postgresql_where=sa.text("is_primary"),
        )

    op.create_table(
        "customer_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_history_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_history")),
    )
    with op.batch_alter_table("customer_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_history_customer", ["customer_id", "at", "id"], unique=False
        )

    op.create_table(
        "customer_merges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survivor_id", sa.Uuid(), nullable=False),
        sa.Column("duplicate_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("demoted", sa.JSON(), nullable=False),
        sa.Column("merged_by", sa.String(length=120), nullable=False),
        sa.Column("merged_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("undone_by", sa.String(length=120), nullable=False),
        sa.Column("undone_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("undo_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_id"],
            ["customers.id"],
            name=op.f("fk_customer_merges_duplicate_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["customers.id"], name=op.f("fk_customer_merges_survivor_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    with op.batch_alter_table("customer_merges", schema=None) as batch_op:
        batch_op.create_index("ix_customer_merges_duplicate", ["duplicate_id"], unique=False)
        batch_op.create_index("ix_customer_merges_merged", ["merged_at", "id"], unique=False)
        batch_op.create_index("ix_customer_merges_survivor", ["survivor_id"], unique=False)

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tier", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("tier_since", ordersmith.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_customers_tier", ["tier"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_customers_merged_into_id_customers"),
            "customers",
            ["merged_into_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_customers_merged_into_id_customers"), type_="foreignkey"
        )
        batch_op.drop_index("ix_customers_tier")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("tier_since")
        batch_op.drop_column("tier")

    with op.batch_alter_table("customer_merges", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_merges_survivor")
        batch_op.drop_index("ix_customer_merges_merged")
        batch_op.drop_index("ix_customer_merges_duplicate")

    op.drop_table("customer_merges")
    with op.batch_alter_table("customer_history", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_history_customer")

    op.drop_table("customer_history")
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_customer_contacts_primary",
            sqlite_where=sa.text("is_primary = 1"),
            postgresql_where=sa.text("is_primary"),
        )
        batch_op.drop_index("ix_customer_contacts_customer")

    op.drop_table("customer_contacts")
    op.drop_table("loyalty_tiers")
