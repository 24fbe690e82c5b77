"""hotline: every rating kept, claims per category, copies that route by reply

Revision ID: hotline_fixes_0001
Revises: hotline_0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "hotline_fixes_0001"
down_revision: str | None = "hotline_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hotline_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_card_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "hotline_case_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.BigInteger(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "closed_at", name="uq_hotline_case_ratings_closing"),
    )
    op.create_index("ix_hotline_case_ratings_case_id", "hotline_case_ratings", ["case_id"])
    op.create_table(
        "hotline_case_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("expert_id", sa.BigInteger(), nullable=False),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hotline_case_claims_case_id", "hotline_case_claims", ["case_id"])
    op.create_index("ix_hotline_case_claims_claimed", "hotline_case_claims", ["claimed_at"])
    op.create_table(
        "hotline_case_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("message_row_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_row_id"], ["hotline_case_messages.id"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hotline_case_copies_case_id", "hotline_case_copies", ["case_id"])
    op.create_index("ix_hotline_case_copies_message", "hotline_case_copies",
                    ["chat_id", "message_id"])
    # What existed before: each case's rating becomes its first history row, each claim a
    # claim in the case's present category, waiting since the case was opened.
    op.execute(
        "INSERT INTO hotline_case_ratings (case_id, asker_id, stars, comment, closed_at, "
        "created_at) SELECT id, asker_id, rating, rating_comment, "
        "COALESCE(closed_at, created_at), COALESCE(closed_at, created_at) FROM hotline_cases "
        "WHERE rating IS NOT NULL")
    op.execute(
        "INSERT INTO hotline_case_claims (case_id, category, expert_id, waiting_since, "
        "claimed_at) SELECT id, category, expert_id, created_at, claimed_at FROM hotline_cases "
        "WHERE claimed_at IS NOT NULL AND expert_id IS NOT NULL")
    op.execute("UPDATE hotline_cases SET waiting_since = created_at")


def downgrade() -> None:
    op.drop_table("hotline_case_copies")
    op.drop_table("hotline_case_claims")
    op.drop_table("hotline_case_ratings")
    with op.batch_alter_table("hotline_cases", schema=None) as batch_op:
        batch_op.drop_column("closed_card_id")
        batch_op.drop_column("waiting_since")
