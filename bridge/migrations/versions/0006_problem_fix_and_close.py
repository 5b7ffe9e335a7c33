"""Problems remember when the fix shipped (and in which version) and when they closed.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("problems") as batch:
        batch.add_column(sa.Column("fixed_at", UtcDateTime))
        batch.add_column(sa.Column("fix_version", sa.String(120)))
        batch.add_column(sa.Column("closed_at", UtcDateTime))


def downgrade() -> None:
    with op.batch_alter_table("problems") as batch:
        for column in ("closed_at", "fix_version", "fixed_at"):
            batch.drop_column(column)
