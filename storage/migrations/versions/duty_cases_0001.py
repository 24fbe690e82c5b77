"""duty cases: a fallback person per category, and the offers experts declined (issue 15)

Revision ID: duty_cases_0001
Revises: hotline_fixes_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "duty_cases_0001"
down_revision: str | None = "hotline_fixes_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotline_category_fallbacks",
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("category"),
    )
    op.create_table(
        "hotline_offer_declines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offer_id"], ["hotline_case_offers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_id"),
    )
    op.create_index("ix_hotline_offer_declines_case_id", "hotline_offer_declines", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_hotline_offer_declines_case_id", table_name="hotline_offer_declines")
    op.drop_table("hotline_offer_declines")
    op.drop_table("hotline_category_fallbacks")
