"""ideas: each reviewer's one live review card of an idea

Revision ID: ideas_0002
Revises: ideas_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ideas_0002"
down_revision: str | None = "ideas_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idea_review_panels",
        sa.Column("idea_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reviewer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.telegram_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("idea_id", "reviewer_id"),
    )


def downgrade() -> None:
    op.drop_table("idea_review_panels")
