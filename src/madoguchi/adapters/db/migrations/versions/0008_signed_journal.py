"""sign the journal: per-site transaction number and signature counter, key id, signature

Each entry written from now on carries its site's transaction number, its site's
signature counter (signed entries), the fingerprint of the signing key or the reason it
is unsigned, and an Ed25519 signature over its hash (docs/journal.md). Entries already
written keep their fields and their hash; the columns are added in place (no table
rebuild, which would drop the append-only triggers on SQLite). The two indexes let a
server find a site's last counters after reading the head.

Revision ID: 0008
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("tx_number", sa.BigInteger()),
    ("sig_counter", sa.BigInteger()),
    ("key_id", sa.String(length=64)),
    ("unsigned_reason", sa.String(length=300)),
    ("signature", sa.String(length=100)),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("journal", sa.Column(name, type_, nullable=True))
    op.create_index("ix_journal_site_tx", "journal", ["site", "tx_number"])
    op.create_index("ix_journal_site_sig", "journal", ["site", "sig_counter"])


def downgrade() -> None:
    op.drop_index("ix_journal_site_sig", table_name="journal")
    op.drop_index("ix_journal_site_tx", table_name="journal")
    for name, _ in reversed(_COLUMNS):
        op.drop_column("journal", name)
