"""live: hotline_changed_cases and its triggers, so live console pages see every process's changes

Revision ID: live_0001
Revises: workspace_0001, freshness_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage import case_change_triggers

revision: str = "live_0001"
# The case notes and log (workspace) and cache_versions (freshness) must exist.
down_revision: str | tuple[str, ...] | None = ("workspace_0001", "freshness_0001")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hotline_changed_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    case_change_triggers.install(op.get_bind())


def downgrade() -> None:
    case_change_triggers.uninstall(op.get_bind())
    op.drop_table("hotline_changed_cases")
