"""A problem's workaround and its knowledge article (issue 17), and the linked tickets told of it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from bridge.storage.types import BigId, UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "problem_workarounds",
        sa.Column("problem_id", BigId, sa.ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("text", sa.Text),
        sa.Column("article_url", sa.String(2000)),
        sa.Column("article_id", BigId),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("article_written_at", UtcDateTime),
        sa.Column("article_fix_version", sa.String(200)),
    )
    op.create_table(
        "workaround_answers",
        sa.Column("problem_id", BigId, sa.ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("ticket_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("answered_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workaround_answers")
    op.drop_table("problem_workarounds")
