"""Problems remember where they stand against their due date (on time, at risk, overdue), when
they became at risk and overdue, and the due date that state was computed for.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("problems") as batch:
        batch.add_column(sa.Column("accountability", sa.String(16), nullable=False, server_default="on_time"))
        batch.add_column(sa.Column("accountability_due", sa.Date))
        batch.add_column(sa.Column("at_risk_at", UtcDateTime))
        batch.add_column(sa.Column("overdue_at", UtcDateTime))


def downgrade() -> None:
    with op.batch_alter_table("problems") as batch:
        for column in ("overdue_at", "at_risk_at", "accountability_due", "accountability"):
            batch.drop_column(column)
