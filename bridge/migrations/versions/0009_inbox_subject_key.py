"""Inbox rows name what they are about (`subject_key`, e.g. "ticket:123"), so that several
workers claim the events of one ticket one at a time, in arrival order; a partial index over the
unfinished rows answers whether a subject has an earlier one.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UNFINISHED = sa.text("status IN ('pending', 'processing')")


def upgrade() -> None:
    # Existing rows stay NULL: they are claimed as before, in id order.
    op.add_column("inbox_events", sa.Column("subject_key", sa.String(64)))
    op.create_index("ix_inbox_subject_unfinished", "inbox_events", ["subject_key", "id"],
                    postgresql_where=UNFINISHED, sqlite_where=UNFINISHED)


def downgrade() -> None:
    op.drop_index("ix_inbox_subject_unfinished", table_name="inbox_events")
    with op.batch_alter_table("inbox_events") as batch:
        batch.drop_column("subject_key")
