"""purchasing: suppliers, supplier products, purchase orders, receipts; supplier mail

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 18:56:39.358990

``communications`` now also logs messages to suppliers: ``customer_id`` becomes
nullable, ``supplier_id`` is added, and a CHECK keeps exactly one of them set.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ordersmith.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("payment_terms_days >= 0", name=op.f("ck_suppliers_terms_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("code", name=op.f("uq_suppliers_code")),
    )
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.create_index("ix_suppliers_active_code", ["active", "code"], unique=False)

    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "approved",
                "sent",
                "partially_received",
                "received",
                "closed",
                "cancelled",
                name="purchaseorderstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("total", ordersmith.db.Fixed(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=False),
        sa.Column("approved_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=120), nullable=False),
        sa.Column("sent_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=120), nullable=False),
        sa.Column("closed_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=500), nullable=False),
        sa.Column("cancelled_by", sa.String(length=120), nullable=False),
        sa.Column("cancelled_at", ordersmith.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "payment_terms_days >= 0", name=op.f("ck_purchase_orders_terms_not_negative")
        ),
        sa.CheckConstraint("total >= 0", name=op.f("ck_purchase_orders_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_purchase_orders_supplier_id_suppliers")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_purchase_orders_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_orders_number")),
    )
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.create_index("ix_purchase_orders_created", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_purchase_orders_status_created", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_purchase_orders_supplier_created", ["supplier_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_purchase_orders_warehouse_created",
            ["warehouse_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "supplier_products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_sku", sa.String(length=64), nullable=False),
        sa.Column("unit_cost", ordersmith.db.Fixed(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("min_order_quantity", sa.BigInteger(), nullable=False),
        sa.Column("pack_multiple", sa.BigInteger(), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("created_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "lead_time_days >= 0", name=op.f("ck_supplier_products_lead_time_not_negative")
        ),
        sa.CheckConstraint(
            "min_order_quantity >= 1", name=op.f("ck_supplier_products_moq_positive")
        ),
        sa.CheckConstraint(
            "pack_multiple >= 1", name=op.f("ck_supplier_products_pack_multiple_positive")
        ),
        sa.CheckConstraint(
            "unit_cost >= 0", name=op.f("ck_supplier_products_unit_cost_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_supplier_products_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_supplier_products_supplier_id_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_products")),
        sa.UniqueConstraint("supplier_id", "product_id", name="uq_supplier_products_supplier"),
    )
    with op.batch_alter_table("supplier_products", schema=None) as batch_op:
        batch_op.create_index("ix_supplier_products_product", ["product_id"], unique=False)
        batch_op.create_index(
            "uq_supplier_products_preferred",
            ["product_id"],
            unique=True,
            sqlite_where=sa.text("preferred"),
            postgresql_where=sa.text("preferred"),
        )

    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purchase_order_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("supplier_sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", ordersmith.db.Fixed(), nullable=False),
        sa.Column("amount", ordersmith.db.Fixed(), nullable=False),
        sa.Column("quoted_unit_cost", ordersmith.db.Fixed(), nullable=False),
        sa.Column("quoted_lead_time_days", sa.Integer(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=False),
        sa.Column("received_quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchase_order_lines_quantity_positive")),
        sa.CheckConstraint(
            "quoted_lead_time_days >= 0",
            name=op.f("ck_purchase_order_lines_lead_time_not_negative"),
        ),
        sa.CheckConstraint(
            "received_quantity >= 0", name=op.f("ck_purchase_order_lines_received_not_negative")
        ),
        sa.CheckConstraint(
            "unit_cost >= 0 AND amount >= 0 AND quoted_unit_cost >= 0",
            name=op.f("ck_purchase_order_lines_costs_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_purchase_order_lines_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_order_lines_purchase_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_lines")),
        sa.UniqueConstraint("purchase_order_id", "line_no", name="uq_purchase_order_lines_line_no"),
    )
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.create_index("ix_purchase_order_lines_product", ["product_id"], unique=False)

    op.create_table(
        "purchase_receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purchase_order_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("delivery_note", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.Column("received_at", ordersmith.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_receipts_purchase_order_id_purchase_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_purchase_receipts_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_receipts")),
    )
    with op.batch_alter_table("purchase_receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchase_receipts_order", ["purchase_order_id", "received_at"], unique=False
        )

    op.create_table(
        "purchase_receipt_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("purchase_order_line_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("invoiced_unit_cost", ordersmith.db.Fixed(), nullable=True),
        sa.CheckConstraint(
            "invoiced_unit_cost IS NULL OR invoiced_unit_cost >= 0",
            name=op.f("ck_purchase_receipt_lines_cost_not_negative"),
        ),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_purchase_receipt_lines_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_line_id"],
            ["purchase_order_lines.id"],
            name=op.f("fk_purchase_receipt_lines_purchase_order_line_id_purchase_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["purchase_receipts.id"],
            name=op.f("fk_purchase_receipt_lines_receipt_id_purchase_receipts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_receipt_lines")),
    )
    with op.batch_alter_table("purchase_receipt_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchase_receipt_lines_order_line", ["purchase_order_line_id"], unique=False
        )
        batch_op.create_index("ix_purchase_receipt_lines_receipt", ["receipt_id"], unique=False)

    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supplier_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("customer_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            "ix_communications_supplier", ["supplier_id", "created_at"], unique=False
        )
        batch_op.create_check_constraint(
            op.f("ck_communications_one_recipient_party"),
            "(customer_id IS NULL) <> (supplier_id IS NULL)",
        )


def downgrade() -> None:
    op.execute("DELETE FROM communications WHERE customer_id IS NULL")  # suppliers' mail
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_communications_one_recipient_party"), type_="check")
        batch_op.drop_index("ix_communications_supplier")
        batch_op.alter_column("customer_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("supplier_id")

    with op.batch_alter_table("purchase_receipt_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_receipt_lines_receipt")
        batch_op.drop_index("ix_purchase_receipt_lines_order_line")

    op.drop_table("purchase_receipt_lines")
    with op.batch_alter_table("purchase_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_receipts_order")

    op.drop_table("purchase_receipts")
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_order_lines_product")

    op.drop_table("purchase_order_lines")
    with op.batch_alter_table("supplier_products", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_supplier_products_preferred",
            sqlite_where=sa.text("preferred"),
            postgresql_where=sa.text("preferred"),
        )
        batch_op.drop_index("ix_supplier_products_product")

    op.drop_table("supplier_products")
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_orders_warehouse_created")
        batch_op.drop_index("ix_purchase_orders_supplier_created")
        batch_op.drop_index("ix_purchase_orders_status_created")
        batch_op.drop_index("ix_purchase_orders_created")

    op.drop_table("purchase_orders")
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.drop_index("ix_suppliers_active_code")

    op.drop_table("suppliers")
