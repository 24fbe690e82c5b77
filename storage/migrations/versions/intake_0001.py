"""intake: the durable update inbox (kept before Telegram is answered)

Revision ID: intake_0001
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "intake_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_inbound_updates_unprocessed", "inbound_updates", ["update_id"],
                    sqlite_where=sa.text("processed_at IS NULL"),
                    postgresql_where=sa.text("processed_at IS NULL"))
    op.create_index("ix_inbound_updates_processed_at", "inbound_updates", ["processed_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_updates_processed_at", table_name="inbound_updates")
    op.drop_index("ix_inbound_updates_unprocessed", table_name="inbound_updates")
    op.drop_table("inbound_updates")
