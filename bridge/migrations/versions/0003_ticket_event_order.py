"""Order ticket changes made within the same second by the event's own time.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("last_event_at", UtcDateTime))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("last_event_at")
