"""ideas: the word an author is owed of a staff decision, kept with the decision until sent

Revision ID: ideas_0003
Revises: ideas_0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "ideas_0003"
down_revision: str | None = "ideas_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Decisions made before this revision were told at once or not at all: nothing pending.
    with op.batch_alter_table("idea_events") as table:
        table.add_column(sa.Column("notice", sqlmodel.sql.sqltypes.AutoString(length=16),
                                   nullable=True))
        table.add_column(sa.Column("notice_claimed_at", sa.DateTime(timezone=True),
                                   nullable=True))
        table.create_index("ix_idea_events_notice", ["notice"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idea_events") as table:
        table.drop_index("ix_idea_events_notice")
        table.drop_column("notice_claimed_at")
        table.drop_column("notice")
