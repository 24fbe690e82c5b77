"""hotline: "which case?" picks kept in the database, so a restart loses no message text

Revision ID: hotline_0002
Revises: hotline_0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "hotline_0002"
down_revision: str | None = "hotline_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotline_pending_picks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("media_ref", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
        sa.Column("reply_to", sa.BigInteger(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["hotline_cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.telegram_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "message_id", name="uq_hotline_pending_picks_message"),
    )
    with op.batch_alter_table("hotline_pending_picks", schema=None) as batch_op:
        batch_op.create_index("ix_hotline_pending_picks_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hotline_pending_picks", schema=None) as batch_op:
        batch_op.drop_index("ix_hotline_pending_picks_created")
    op.drop_table("hotline_pending_picks")
