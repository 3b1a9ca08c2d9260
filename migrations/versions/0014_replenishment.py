"""replenishment: policies per (warehouse, SKU), requests (purchase or transfer) with the
numbers behind them, and review runs

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 20:01:46.572626
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replenishment_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("started_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("evaluated", sa.BigInteger(), nullable=False),
        sa.Column("raised", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("withdrawn", sa.BigInteger(), nullable=False),
        sa.Column("unchanged", sa.BigInteger(), nullable=False),
        sa.Column("transfers", sa.BigInteger(), nullable=False),
        sa.Column("without_supplier", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replenishment_runs")),
    )
    with op.batch_alter_table("replenishment_runs", schema=None) as batch_op:
        batch_op.create_index("ix_replenishment_runs_started", ["started_at", "id"], unique=False)

    op.create_table(
        "replenishment_policies",
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "manual", "min_max", "forecast", name="policykind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("min_quantity", sa.BigInteger(), nullable=True),
        sa.Column("max_quantity", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'min_max' AND min_quantity IS NOT NULL AND max_quantity IS NOT NULL "
            "AND min_quantity >= 0 AND max_quantity >= min_quantity AND max_quantity >= 1) "
            "OR (kind <> 'min_max' AND min_quantity IS NULL AND max_quantity IS NULL)",
            name=op.f("ck_replenishment_policies_min_max_consistent"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_replenishment_policies_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_replenishment_policies_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint(
            "warehouse_id", "product_id", name=op.f("pk_replenishment_policies")
        ),
    )
    with op.batch_alter_table("replenishment_policies", schema=None) as batch_op:
        batch_op.create_index("ix_replenishment_policies_product", ["product_id"], unique=False)

    op.create_table(
        "replenishment_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "approved",
                "ordered",
                "rejected",
                name="requeststatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum("purchase", "transfer", name="requestkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "reason",
            sa.Enum(
                "stock_low",
                "stock_out",
                "scheduled_review",
                "manual",
                name="requestreason",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("supplier_id", sa.Uuid(), nullable=True),
        sa.Column("source_warehouse_id", sa.Uuid(), nullable=True),
        sa.Column("suggested_quantity", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("evaluated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("edited_by", sa.String(length=120), nullable=False),
        sa.Column("edited_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=120), nullable=False),
        sa.Column("approved_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("rejected_by", sa.String(length=120), nullable=False),
        sa.Column("rejected_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.String(length=500), nullable=False),
        sa.Column("ordered_by", sa.String(length=120), nullable=False),
        sa.Column("ordered_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ordered_quantity", sa.BigInteger(), nullable=True),
        sa.Column("purchase_order_id", sa.Uuid(), nullable=True),
        sa.Column("transfer_id", sa.Uuid(), nullable=True),
        sa.Column("document_number", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "(kind = 'transfer' AND source_warehouse_id IS NOT NULL "
            "AND source_warehouse_id <> warehouse_id) "
            "OR (kind = 'purchase' AND source_warehouse_id IS NULL)",
            name=op.f("ck_replenishment_requests_kind_consistent"),
        ),
        sa.CheckConstraint(
            "ordered_quantity IS NULL OR ordered_quantity > 0",
            name=op.f("ck_replenishment_requests_ordered_positive"),
        ),
        sa.CheckConstraint(
            "quantity IS NULL OR quantity > 0",
            name=op.f("ck_replenishment_requests_quantity_positive"),
        ),
        sa.CheckConstraint(
            "suggested_quantity > 0", name=op.f("ck_replenishment_requests_suggested_positive")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_replenishment_requests_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_replenishment_requests_purchase_order_id_purchase_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["source_warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_replenishment_requests_source_warehouse_id_warehouses"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_replenishment_requests_supplier_id_suppliers"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["stock_transfers.id"],
            name=op.f("fk_replenishment_requests_transfer_id_stock_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_replenishment_requests_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replenishment_requests")),
    )
    with op.batch_alter_table("replenishment_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_replenishment_requests_created", ["created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_replenishment_requests_product", ["product_id", "warehouse_id"], unique=False
        )
        batch_op.create_index(
            "ix_replenishment_requests_purchase_order", ["purchase_order_id"], unique=False
        )
        batch_op.create_index(
            "ix_replenishment_requests_status_created", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_replenishment_requests_supplier", ["supplier_id", "status"], unique=False
        )
        batch_op.create_index("ix_replenishment_requests_transfer", ["transfer_id"], unique=False)
        batch_op.create_index(
            "uq_replenishment_requests_active",
            ["warehouse_id", "product_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('open', 'approved')"),
            postgresql_where=sa.text("status IN ('open', 'approved')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("replenishment_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_replenishment_requests_active",
            sqlite_where=sa.text("status IN ('open', 'approved')"),
            postgresql_where=sa.text("status IN ('open', 'approved')"),
        )
        batch_op.drop_index("ix_replenishment_requests_transfer")
        batch_op.drop_index("ix_replenishment_requests_supplier")
        batch_op.drop_index("ix_replenishment_requests_status_created")
        batch_op.drop_index("ix_replenishment_requests_purchase_order")
        batch_op.drop_index("ix_replenishment_requests_product")
        batch_op.drop_index("ix_replenishment_requests_created")

    op.drop_table("replenishment_requests")
    with op.batch_alter_table("replenishment_policies", schema=None) as batch_op:
        batch_op.drop_index("ix_replenishment_policies_product")

    op.drop_table("replenishment_policies")
    with op.batch_alter_table("replenishment_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_replenishment_runs_started")

    op.drop_table("replenishment_runs")
