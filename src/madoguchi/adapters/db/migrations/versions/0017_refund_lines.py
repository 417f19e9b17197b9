"""refund lines: which copies of which sale line each refund gave back (partial refunds)

Revision ID: 0017
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refund_lines",
        sa.Column("refund_id", sa.String(length=36), nullable=False),
        sa.Column("sale_line_id", sa.String(length=36), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["refund_id"], ["refunds.id"], name=op.f("fk_refund_lines_refund_id_refunds")),
        sa.ForeignKeyConstraint(["sale_line_id"], ["sale_lines.id"],
                                name=op.f("fk_refund_lines_sale_line_id_sale_lines")),
        sa.PrimaryKeyConstraint("refund_id", "sale_line_id", name=op.f("pk_refund_lines")),
    )
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.create_index("ix_refund_lines_sale", ["sale_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_refund_lines_sale")
    op.drop_table("refund_lines")
