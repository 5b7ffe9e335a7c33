"""Problems keep their weighted impact score and its parts, as last read from Zendesk.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("problems", sa.Column("impact", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("problems") as batch:
        batch.drop_column("impact")
