"""roster duty: shift swaps offered in Telegram, coverage gaps announced once, notices of roster changes (issue 15)

Revision ID: roster_duty_0001
Revises: hotline_fixes_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "roster_duty_0001"
down_revision: str | None = "hotline_fixes_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roster_shift_swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("end", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("categories", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("offered_by", sa.BigInteger(), nullable=False),
        sa.Column("taker_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_roster_shift_swaps_status_starts", "roster_shift_swaps",
                    ["status", "starts_at"])
    op.create_table(
        "roster_gap_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("category", "day", "hours", name="uq_roster_gap_notices_once"),
    )
    op.create_table(
        "roster_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("roster_notices")
    op.drop_table("roster_gap_notices")
    op.drop_index("ix_roster_shift_swaps_status_starts", table_name="roster_shift_swaps")
    op.drop_table("roster_shift_swaps")
