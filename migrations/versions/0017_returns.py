"""returns: return requests (RMA), their lines and dispositions; customer tokens

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 20:04:20.379341

``api_tokens.customer_id`` names the customer a ``customer`` token belongs to (it sees
only that customer's returns, ADR 0019).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "returns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "authorised",
                "rejected",
                "in_transit",
                "received",
                "inspected",
                "resolved",
                "cancelled",
                name="returnstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "requested_by",
            sa.Enum("staff", "customer", name="requestedby", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("window_override_reason", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("authorised_by", sa.String(length=120), nullable=False),
        sa.Column("authorised_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("rejected_by", sa.String(length=120), nullable=False),
        sa.Column("rejected_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.String(length=500), nullable=False),
        sa.Column("carrier_id", sa.Uuid(), nullable=True),
        sa.Column("tracking_number", sa.String(length=40), nullable=False),
        sa.Column("tracking_url", sa.String(length=600), nullable=False),
        sa.Column("shipped_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.Column("received_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("inspected_by", sa.String(length=120), nullable=False),
        sa.Column("inspected_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=False),
        sa.Column("resolved_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "resolution",
            sa.Enum(
                "refund", "credit_note", "exchange", name="resolution", native_enum=False, length=16
            ),
            nullable=True,
        ),
        sa.Column("resolution_note", sa.String(length=500), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("credited_total", ordersmith.db.Fixed(), nullable=False),
        sa.Column("refunded_total", ordersmith.db.Fixed(), nullable=False),
        sa.Column("credit_notes", sa.JSON(), nullable=True),
        sa.Column("replacement_order_id", sa.Uuid(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=120), nullable=False),
        sa.Column("cancelled_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "credited_total >= 0 AND refunded_total >= 0 AND refunded_total <= credited_total",
            name=op.f("ck_returns_amounts_in_bounds"),
        ),
        sa.ForeignKeyConstraint(
            ["carrier_id"], ["carriers.id"], name=op.f("fk_returns_carrier_id_carriers")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_returns_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_returns_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["replacement_order_id"],
            ["orders.id"],
            name=op.f("fk_returns_replacement_order_id_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_returns_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sa.UniqueConstraint("number", name=op.f("uq_returns_number")),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index("ix_returns_created", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_returns_customer_created", ["customer_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_returns_order_created", ["order_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_returns_status_created", ["status", "created_at", "id"], unique=False
        )

    op.create_table(
        "return_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("received_quantity", sa.BigInteger(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "damaged",
                "wrong_item",
                "not_as_described",
                "no_longer_needed",
                "late",
                "other",
                name="returnreason",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_return_lines_quantity_positive")),
        sa.CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= quantity",
            name=op.f("ck_return_lines_received_in_bounds"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_return_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_return_lines_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["returns.id"],
            name=op.f("fk_return_lines_return_id_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
        sa.UniqueConstraint("return_id", "line_no", name="uq_return_lines_line_no"),
    )
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.create_index("ix_return_lines_order_line", ["order_line_id"], unique=False)
        batch_op.create_index("ix_return_lines_product", ["product_id"], unique=False)

    op.create_table(
        "return_dispositions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("return_id", sa.Uuid(), nullable=False),
        sa.Column("return_line_id", sa.Uuid(), nullable=False),
        sa.Column(
            "disposition",
            sa.Enum(
                "restock",
                "refurbish",
                "scrap",
                "return_to_supplier",
                name="disposition",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=True),
        sa.Column("supplier_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(disposition = 'return_to_supplier') = (warehouse_id IS NULL) "
            "AND (disposition = 'return_to_supplier') = (supplier_id IS NOT NULL)",
            name=op.f("ck_return_dispositions_warehouse_or_supplier"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_return_dispositions_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["returns.id"],
            name=op.f("fk_return_dispositions_return_id_returns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["return_line_id"],
            ["return_lines.id"],
            name=op.f("fk_return_dispositions_return_line_id_return_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_return_dispositions_supplier_id_suppliers"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_return_dispositions_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_dispositions")),
    )
    with op.batch_alter_table("return_dispositions", schema=None) as batch_op:
        batch_op.create_index("ix_return_dispositions_return", ["return_id"], unique=False)

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_customer_id_customers"), "customers", ["customer_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_tokens_customer_id_customers"), type_="foreignkey"
        )
        batch_op.drop_column("customer_id")

    with op.batch_alter_table("return_dispositions", schema=None) as batch_op:
        batch_op.drop_index("ix_return_dispositions_return")

    op.drop_table("return_dispositions")
    with op.batch_alter_table("return_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_return_lines_product")
        batch_op.drop_index("ix_return_lines_order_line")

    op.drop_table("return_lines")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index("ix_returns_status_created")
        batch_op.drop_index("ix_returns_order_created")
        batch_op.drop_index("ix_returns_customer_created")
        batch_op.drop_index("ix_returns_created")

    op.drop_table("returns")
