"""workspace: internal notes on a case, waiting alerts given once, canned replies, the case log (issue 14)

Revision ID: workspace_0001
Revises: hotline_fixes_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "workspace_0001"
down_revision: str | None = "hotline_fixes_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotline_case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hotline_case_notes_case_id", "hotline_case_notes", ["case_id"])
    op.create_table(
        "hotline_case_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("mark", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "kind", "mark", name="uq_hotline_case_alerts_once"),
    )
    op.create_index("ix_hotline_case_alerts_case_id", "hotline_case_alerts", ["case_id"])
    op.create_table(
        "hotline_snippets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hotline_snippets_category", "hotline_snippets", ["category"])
    op.create_table(
        "hotline_case_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hotline_case_log_case_id", "hotline_case_log", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_hotline_case_log_case_id", table_name="hotline_case_log")
    op.drop_table("hotline_case_log")
    op.drop_index("ix_hotline_snippets_category", table_name="hotline_snippets")
    op.drop_table("hotline_snippets")
    op.drop_index("ix_hotline_case_alerts_case_id", table_name="hotline_case_alerts")
    op.drop_table("hotline_case_alerts")
    op.drop_index("ix_hotline_case_notes_case_id", table_name="hotline_case_notes")
    op.drop_table("hotline_case_notes")
