"""calendar: the working calendar entered by the bureau, and the yearly reminders to enter it

Revision ID: calendar_0001
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "calendar_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "working_calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("notice_year", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    with op.batch_alter_table("working_calendar_days", schema=None) as batch_op:
        batch_op.create_index("ix_working_calendar_days_notice_year", ["notice_year"],
                              unique=False)
    op.create_table(
        "working_calendar_reminders",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )


def downgrade() -> None:
    op.drop_table("working_calendar_reminders")
    with op.batch_alter_table("working_calendar_days", schema=None) as batch_op:
        batch_op.drop_index("ix_working_calendar_days_notice_year")
    op.drop_table("working_calendar_days")
