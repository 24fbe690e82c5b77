"""trainings: absence notices ("I can't come" to one session, the place on the course kept)

Revision ID: trainings_0002
Revises: trainings_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "trainings_0002"
down_revision: str | None = "trainings_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_absences",
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("noted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["telegram_id"], ["users.telegram_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id", "telegram_id"),
    )


def downgrade() -> None:
    op.drop_table("training_absences")
