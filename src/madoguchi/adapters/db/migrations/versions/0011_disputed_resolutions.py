"""disputed_resolutions: a disputed statement row (照会中) resolved with evidence

A statement row that was none of our payments, or the second row of a duplicate, is kept
out of the month's 公金振替. When the agent's answer shows whose payment it was (or that
it was none of ours after all), an accountant records it here; the close of the month of
that resolution carries the row's fee into its transfer, naming the row.

Revision ID: 0011
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disputed_resolutions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("disputed_month", sa.String(7), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("brand", sa.String(32), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("deposit_date", sa.Date(), nullable=False),
        sa.Column("payment_reference", sa.String(64), nullable=True),
        sa.Column("evidence", sa.String(500), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["statement_imports.id"],
                                name=op.f("fk_disputed_resolutions_import_id_statement_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputed_resolutions")),
        sa.UniqueConstraint("import_id", "line", name="uq_disputed_resolutions_row"),
    )
    op.create_index("ix_disputed_resolutions_resolved_on", "disputed_resolutions", ["resolved_on"])


def downgrade() -> None:
    op.drop_index("ix_disputed_resolutions_resolved_on", table_name="disputed_resolutions")
    op.drop_table("disputed_resolutions")
