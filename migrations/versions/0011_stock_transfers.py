"""stock transfers: documents moving stock between warehouses, with their lines

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 18:54:04.092952
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stock_transfers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("from_warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("to_warehouse_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_transit",
                "partially_received",
                "received",
                "cancelled",
                name="transferstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("dispatched_by", sa.String(length=120), nullable=False),
        sa.Column("dispatched_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("received_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=120), nullable=False),
        sa.Column("cancelled_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=150), nullable=False),
        sa.CheckConstraint(
            "from_warehouse_id <> to_warehouse_id",
            name=op.f("ck_stock_transfers_warehouses_differ"),
        ),
        sa.ForeignKeyConstraint(
            ["from_warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_transfers_from_warehouse_id_warehouses"),
        ),
        sa.ForeignKeyConstraint(
            ["to_warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_transfers_to_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_transfers")),
        sa.UniqueConstraint("number", name=op.f("uq_stock_transfers_number")),
    )
    with op.batch_alter_table("stock_transfers", schema=None) as batch_op:
        batch_op.create_index("ix_stock_transfers_created", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_stock_transfers_from_created",
            ["from_warehouse_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_stock_transfers_status_created", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_stock_transfers_to_created", ["to_warehouse_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "stock_transfer_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("transfer_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("shipped_quantity", sa.BigInteger(), nullable=False),
        sa.Column("received_quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_transfer_lines_quantity_positive")),
        sa.CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= shipped_quantity",
            name=op.f("ck_stock_transfer_lines_received_within_shipped"),
        ),
        sa.CheckConstraint(
            "shipped_quantity >= 0 AND shipped_quantity <= quantity",
            name=op.f("ck_stock_transfer_lines_shipped_within_quantity"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_stock_transfer_lines_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["stock_transfers.id"],
            name=op.f("fk_stock_transfer_lines_transfer_id_stock_transfers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_transfer_lines")),
        sa.UniqueConstraint("transfer_id", "line_no", name="uq_stock_transfer_lines_line_no"),
        sa.UniqueConstraint("transfer_id", "product_id", name="uq_stock_transfer_lines_product"),
    )
    with op.batch_alter_table("stock_transfer_lines", schema=None) as batch_op:
        batch_op.create_index("ix_stock_transfer_lines_product", ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_transfer_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_transfer_lines_product")

    op.drop_table("stock_transfer_lines")
    with op.batch_alter_table("stock_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_transfers_to_created")
        batch_op.drop_index("ix_stock_transfers_status_created")
        batch_op.drop_index("ix_stock_transfers_from_created")
        batch_op.drop_index("ix_stock_transfers_created")

    op.drop_table("stock_transfers")
