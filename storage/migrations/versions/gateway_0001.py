"""gateway: messages to people the send gateway gave up on

Revision ID: gateway_0001
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_send_failures_at", "send_failures", ["at"])
    op.create_index("ix_send_failures_chat_id", "send_failures", ["chat_id"])


def downgrade() -> None:
    op.drop_index("ix_send_failures_chat_id", table_name="send_failures")
    op.drop_index("ix_send_failures_at", table_name="send_failures")
    op.drop_table("send_failures")
