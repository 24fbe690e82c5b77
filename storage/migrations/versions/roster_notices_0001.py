"""roster notices: kept until sent (claimed, then sent, dropped or failed), never lost to a crash or a failed send (issue 15)

Revision ID: roster_notices_0001
Revises: roster_duty_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "roster_notices_0001"
down_revision: str | None = "roster_duty_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Notices queued before this revision were never taken (taking deleted them): pending.
    with op.batch_alter_table("roster_notices") as table:
        table.add_column(sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16),
                                   nullable=False, server_default="pending"))
        table.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_roster_notices_state", "roster_notices", ["state", "id"])


def downgrade() -> None:
    op.drop_index("ix_roster_notices_state", table_name="roster_notices")
    with op.batch_alter_table("roster_notices") as table:
        table.drop_column("sent_at")
        table.drop_column("claimed_at")
        table.drop_column("state")
