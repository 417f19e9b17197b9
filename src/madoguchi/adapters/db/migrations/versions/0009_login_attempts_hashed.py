"""login attempts: a login that names no account is kept as a keyed hash, not as typed

A failed login used to store what was typed in the login box, verbatim and forever (a
password typed there by mistake was kept in clear). From now on a login naming no
account is stored as HMAC-SHA256 under a key kept outside the database, marked by
``login_hashed``. The failures already stored for logins naming no account are deleted:
they cannot be hashed here (the key is not in the database), and they only counted
towards a lock of a few minutes.

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login_hashed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("DELETE FROM login_attempts WHERE login NOT IN (SELECT login FROM staff)")


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_column("login_hashed")
