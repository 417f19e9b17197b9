"""close of month: statement imports and rows, reconciliation runs, incident inquiry log

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statement_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("layout", sa.String(100), nullable=False),
        sa.Column("encoding", sa.String(20), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_imports")),
        sa.UniqueConstraint("sha256", name=op.f("uq_statement_imports_sha256")),
    )
    op.create_table(
        "statement_rows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("transaction_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terminal_id", sa.String(64), nullable=True),
        sa.Column("merchant_reference", sa.String(64), nullable=True),
        sa.Column("processor_reference", sa.String(64), nullable=True),
        sa.Column("brand", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("deposit_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["statement_imports.id"],
                                name=op.f("fk_statement_rows_import_id_statement_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_rows")),
    )
    op.create_index("ix_statement_rows_import_line", "statement_rows", ["import_id", "line"], unique=True)
    op.create_index("ix_statement_rows_merchant_reference", "statement_rows", ["merchant_reference"])
    op.create_table(
        "reconcile_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_by", sa.String(64), nullable=False),
        sa.Column("statements", sa.Text(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("transfer_amount", sa.BigInteger(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("report_path", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconcile_runs")),
    )
    op.create_index(op.f("ix_reconcile_runs_month"), "reconcile_runs", ["month"])
    op.create_table(
        "incident_inquiries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(36), nullable=False),
        sa.Column("asked_whom", sa.String(200), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_incident_inquiries_incident_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_inquiries")),
    )
    op.create_index(op.f("ix_incident_inquiries_incident_id"), "incident_inquiries", ["incident_id"])


def downgrade() -> None:
    op.drop_table("incident_inquiries")
    op.drop_table("reconcile_runs")
    op.drop_index("ix_statement_rows_merchant_reference", table_name="statement_rows")
    op.drop_index("ix_statement_rows_import_line", table_name="statement_rows")
    op.drop_table("statement_rows")
    op.drop_table("statement_imports")
