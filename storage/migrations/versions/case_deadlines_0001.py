"""case deadlines: a case left waiting for a claim with no deadline is given one

Revision ID: case_deadlines_0001
Revises: case_handoffs_0001
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.models.base import UTCDateTime

revision: str = "case_deadlines_0001"
down_revision: str | None = "case_handoffs_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Before this revision a process killed between a case's change (asked, released,
    # transferred, reopened, moved) and its offers left it waiting at the on-duty or backup
    # step with no claim deadline, which the escalation check never selects: nobody was
    # ever offered it. Due now, the check gives each the step it missed. At the staff step
    # no deadline is the rule, so those are left as they are.
    cases = sa.table("hotline_cases", sa.column("status", sa.String),
                     sa.column("escalation_level", sa.Integer),
                     sa.column("escalate_at", UTCDateTime()))
    op.execute(cases.update()
               .where(cases.c.status == "offered", cases.c.escalation_level < 2,
                      cases.c.escalate_at.is_(None))
               .values(escalate_at=datetime.now(UTC)))


def downgrade() -> None:
    """Nothing to undo: the deadlines given are the ones the cases should have had."""
