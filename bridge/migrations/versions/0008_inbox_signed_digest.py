"""Inbox rows remember a digest of what the vendor signed, unique per source: a signed delivery
replayed under a fresh, unsigned delivery id is stored once.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # add_column and create_index need no table copy on SQLite; existing rows stay NULL, and
    # NULLs never collide in a unique index (SQLite and PostgreSQL alike).
    op.add_column("inbox_events", sa.Column("signed_digest", sa.String(64)))
    op.create_index("uq_inbox_signed", "inbox_events", ["source", "signed_digest"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_inbox_signed", table_name="inbox_events")
    with op.batch_alter_table("inbox_events") as batch:
        batch.drop_column("signed_digest")
