"""case handoffs: the one-line summary (or the reason for none) written when a case is handed on (issue 15, item 6)

Revision ID: case_handoffs_0001
Revises: workspace_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "case_handoffs_0001"
down_revision: str | None = "workspace_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotline_case_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("skip_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hotline_case_handoffs_case_id", "hotline_case_handoffs", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_hotline_case_handoffs_case_id", table_name="hotline_case_handoffs")
    op.drop_table("hotline_case_handoffs")
