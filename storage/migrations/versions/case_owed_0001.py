"""cases: what a kill could leave unsent (no claim deadline, a closing, a rating's notices)

Revision ID: case_owed_0001
Revises: case_handoffs_0001
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.models.base import UTCDateTime

revision: str = "case_owed_0001"
down_revision: str | None = "case_handoffs_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The asker's "closed, please rate" message is owed from the closing until it is sent.
    # Cases closed before this revision were told at once or not at all: nothing is owed.
    with op.batch_alter_table("hotline_cases") as table:
        table.add_column(sa.Column("closed_card_due", sa.DateTime(timezone=True),
                                   nullable=True))
        table.create_index("ix_hotline_cases_closed_card_due", ["closed_card_due"])
    # What a rating owes the expert and staff, until told. Earlier ratings: nothing owed.
    with op.batch_alter_table("hotline_case_ratings") as table:
        table.add_column(sa.Column("notice", sqlmodel.sql.sqltypes.AutoString(length=8),
                                   nullable=True))
        table.add_column(sa.Column("notice_told", sqlmodel.sql.sqltypes.AutoString(length=32),
                                   nullable=False, server_default=""))
        table.add_column(sa.Column("notice_due", sa.DateTime(timezone=True), nullable=True))
        table.create_index("ix_hotline_case_ratings_notice_due", ["notice_due"])

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
    # The deadlines given are the ones the cases should have had: they stay.
    with op.batch_alter_table("hotline_case_ratings") as table:
        table.drop_index("ix_hotline_case_ratings_notice_due")
        table.drop_column("notice_due")
        table.drop_column("notice_told")
        table.drop_column("notice")
    with op.batch_alter_table("hotline_cases") as table:
        table.drop_index("ix_hotline_cases_closed_card_due")
        table.drop_column("closed_card_due")
