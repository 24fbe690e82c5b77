"""Moving a case nobody has claimed yet to another category (staff, from the web console)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update

from storage.db import Database
from storage.models import Case, CaseOffer, CaseStatus, utcnow


class WaitingCaseRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def move(self, case_id: int, from_category: str, to_category: str,
                   escalate_at: datetime) -> bool:
        """Puts a waiting case at the start of another category's queue and forgets its
        offers, in one transaction: a Claim button sent for the old category can no longer
        win it (a claim needs an offer or the case's category). False when the case was
        claimed, closed or moved meanwhile. The claim deadline is set here, not after the
        new offers are sent: a process killed in between leaves the escalation check a case
        to find."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OFFERED,
                                   Case.category == from_category)
                .values(category=to_category, escalation_level=0, escalate_at=escalate_at,
                        waiting_since=utcnow()))
            if result.rowcount != 1:
                return False
            await session.execute(delete(CaseOffer).where(CaseOffer.case_id == case_id))
            return True
