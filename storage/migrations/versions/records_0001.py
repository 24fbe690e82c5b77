"""records: cases found by when they were opened (dashboard periods, exports, date filters)

Revision ID: records_0001
Revises: hotline_fixes_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "records_0001"
down_revision: str | None = "hotline_fixes_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `make bench ONLY=console` (30,000 cases): the dashboard and the exports read the cases
    # of a period by created_at, which without this index is a scan of every case.
    op.create_index("ix_hotline_cases_created_at", "hotline_cases", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_hotline_cases_created_at", table_name="hotline_cases")
