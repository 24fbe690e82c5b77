"""A case's state changes: claim, escalate, close, reopen, transfer, hand over.

Every state change is one UPDATE ... WHERE status = <expected>, checked by rowcount: two
experts pressing Claim at once, or a checker racing a claim, can never both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.models import Case, CaseClaim, CaseStatus, utcnow

ACTIVE = (CaseStatus.OFFERED, CaseStatus.OPEN)


class CaseStateChanges:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(self, case_id: int, expert_id: int) -> bool:
        """First claim wins; the claim is recorded in the category the case waits in."""
        now = utcnow()
        async with self._db.session() as session:
            won = (await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OFFERED)
                .values(status=CaseStatus.OPEN, expert_id=expert_id, claimed_at=now,
                        escalate_at=None)
                .returning(Case.category, Case.waiting_since, Case.created_at))).first()
            if won is None:
                return False
            session.add(CaseClaim(case_id=case_id, category=won.category, expert_id=expert_id,
                                  waiting_since=won.waiting_since or won.created_at,
                                  claimed_at=now))
            return True

    async def unclaim(self, case_id: int, expert_id: int, escalate_at: datetime) -> bool:
        """Undoes a claim the claimer cannot act on (the bot cannot write to them). Every
        offer already says "taken", so the case waits under a claim deadline: when it
        passes, the escalation check offers the case one step up."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OPEN,
                                   Case.expert_id == expert_id)
                .values(status=CaseStatus.OFFERED, expert_id=None, claimed_at=None,
                        escalate_at=escalate_at))
            if result.rowcount != 1:
                return False
            latest = (await session.execute(select(CaseClaim.id).where(
                CaseClaim.case_id == case_id, CaseClaim.expert_id == expert_id)
                .order_by(CaseClaim.id.desc()).limit(1))).scalar()
            if latest is not None:
                await session.execute(delete(CaseClaim).where(CaseClaim.id == latest))
            return True

    async def escalate(self, case_id: int, from_level: int, to_level: int,
                       escalate_at: datetime | None) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OFFERED,
                                   Case.escalation_level == from_level)
                .values(escalation_level=to_level, escalate_at=escalate_at))
            return result.rowcount == 1

    async def postpone(self, case_id: int, level: int, was: datetime | None,
                       escalate_at: datetime | None) -> bool:
        """Moves a waiting case's claim deadline, only if it is still `was` at `level`: of
        two checkers that find the same case due, one acts on it."""
        same = Case.escalate_at.is_(None) if was is None else Case.escalate_at == was
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OFFERED,
                                   Case.escalation_level == level, same)
                .values(escalate_at=escalate_at))
            return result.rowcount == 1

    async def close(self, case_id: int, closed_by: str) -> bool:
        """Closes an active case; the asker is owed the closed card from now."""
        now = utcnow()
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status.in_(ACTIVE))
                .values(status=CaseStatus.CLOSED, closed_at=now, closed_by=closed_by,
                        escalate_at=None, closed_card_due=now))
            return result.rowcount == 1

    async def lease_closed_card(self, case_id: int, due: datetime, until: datetime) -> bool:
        """Takes the sending of the closed card owed since `due`, until `until`: of two
        processes (or a door and the check), one sends it."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.CLOSED,
                                   Case.closed_card_due == due)
                .values(closed_card_due=until))
            return result.rowcount == 1

    async def settle_closed_card(self, case_id: int, lease: datetime,
                                 due: datetime | None, card_id: int | None = None) -> None:
        """After a send under `lease`: the card's id and nothing owed (due None), or owed
        again from `due`. A reopening meanwhile took the lease away: nothing is changed."""
        values: dict[str, object] = {"closed_card_due": due}
        if card_id is not None:
            values["closed_card_id"] = card_id
        async with self._db.session() as session:
            await session.execute(update(Case).where(
                Case.id == case_id, Case.closed_card_due == lease).values(**values))

    async def reopen(self, case_id: int, closed_since: datetime | None) -> bool:
        """Back to the same expert, if it was closed after `closed_since` (staff: None, any
        time) and had one."""
        since = () if closed_since is None else (Case.closed_at >= closed_since,)
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.CLOSED,
                                   Case.expert_id.is_not(None), *since)
                .values(status=CaseStatus.OPEN, closed_at=None, closed_by=None,
                        closed_card_id=None, closed_card_due=None))
            return result.rowcount == 1

    async def reopen_waiting(self, case_id: int, escalate_at: datetime) -> bool:
        """A closed case opened again with nobody holding it (its expert left the roster):
        it waits for a claim in its category, from now, under a claim deadline (see
        `release`)."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.CLOSED)
                .values(status=CaseStatus.OFFERED, closed_at=None, closed_by=None,
                        closed_card_id=None, closed_card_due=None, expert_id=None,
                        expert_anchor_id=None,
                        escalation_level=0, escalate_at=escalate_at, claimed_at=None,
                        waiting_since=utcnow()))
            return result.rowcount == 1

    async def release(self, case_id: int, expert_id: int, escalate_at: datetime) -> bool:
        """The expert gives up their hold: the case waits for a claim again in its
        category, its claim time counting from now; only while that expert holds it.

        The claim deadline is set in the same UPDATE: the offers are sent after the commit,
        and a process killed in between must leave a case the escalation check will find,
        not one waiting for nobody."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OPEN,
                                   Case.expert_id == expert_id)
                .values(status=CaseStatus.OFFERED, expert_id=None, escalation_level=0,
                        escalate_at=escalate_at, expert_anchor_id=None, claimed_at=None,
                        waiting_since=utcnow()))
            return result.rowcount == 1

    async def transfer(self, case_id: int, expert_id: int, category: str,
                       escalate_at: datetime) -> bool:
        """Back to waiting for a claim, in another category; only its current expert may.
        It is waiting again: not claimed, and its next claim time counts from now."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OPEN,
                                   Case.expert_id == expert_id)
                .values(status=CaseStatus.OFFERED, category=category, expert_id=None,
                        escalation_level=0, escalate_at=escalate_at, expert_anchor_id=None,
                        claimed_at=None, first_answer_at=None, waiting_since=utcnow()))
            return result.rowcount == 1

    async def reassign(self, case_id: int, expert_id: int) -> bool:
        """Staff take-over: the case stays open, with a new expert."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Case).where(Case.id == case_id, Case.status == CaseStatus.OPEN)
                .values(expert_id=expert_id, expert_anchor_id=None))
            return result.rowcount == 1

    async def set_fields(self, case_id: int, **values: object) -> None:
        """Bookkeeping that races nothing: anchors, the staff topic."""
        async with self._db.session() as session:
            await session.execute(update(Case).where(Case.id == case_id).values(**values))

    async def mark_first_answer(self, case_id: int) -> None:
        async with self._db.session() as session:
            await session.execute(update(Case).where(
                Case.id == case_id, Case.first_answer_at.is_(None)).values(
                    first_answer_at=utcnow()))
