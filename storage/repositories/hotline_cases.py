"""Hotline cases, their offers (Claim buttons) and their messages (transcript + id mapping).

Creating and reading cases, offers, blocks and the transcript's group-committed inserts are
here; CaseRepository holds the repositories of the rest as `changes` (state changes,
hotline_case_changes.py), `transcript` (hotline_case_transcript.py), `history` (ratings,
claims and copies, hotline_case_history.py) and `log` (the case log, hotline_case_log.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update

from storage.db import Database
from storage.group_insert import GroupInsert
from storage.models import (
    Case,
    CaseCopy,
    CaseCounter,
    CaseMessage,
    CaseOffer,
    CaseStatus,
    HotlineBlock,
    User,
    utcnow,
)
from storage.repositories.hotline_case_changes import ACTIVE, CaseStateChanges
from storage.repositories.hotline_case_history import CaseHistory
from storage.repositories.hotline_case_log import CaseLog
from storage.repositories.hotline_case_transcript import CaseTranscript
from storage.upsert import insert_ignoring_conflicts

MAX_CACHED_PEOPLE = 50_000


class CaseRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        # The case's other tables, each with its own repository: state changes (one
        # conditional UPDATE each), the transcript, the history (ratings, claims, copies) and
        # the log of events the console's timeline shows.
        self.changes = CaseStateChanges(database)
        self.transcript = CaseTranscript(database)
        self.history = CaseHistory(database)
        self.log = CaseLog(database)
        self._messages = GroupInsert(database, CaseMessage.__table__)
        # user id -> (hotline_cases version when read, their active cases). Asked on every
        # relayed message, changed by claims and closes only, so any write to the table, in
        # this process or another (the console's, a second bot's), drops it all.
        self._active: dict[int, tuple[int, list[Case]]] = {}
        # (hotline_blocks version when read, who is barred): checked on every relayed message,
        # changed rarely (the CLI, the console), in effect from the next message on.
        self._blocked: tuple[int, frozenset[int]] | None = None

    # ------------------------------------------------------------------ creating

    async def create(self, asker_id: int, category: str, escalate_at: datetime | None,
                     level: int, *, year: int | None = None,
                     messages: Sequence[CaseMessage] = ()) -> Case:
        """A new case with the next number of `year`, allocated in the same transaction, and
        its question's `messages` (their case_id is set here): a case is never stored
        without its question.

        The service passes the bureau's year: from 00:00 to 08:00 on 1 January in Shanghai
        the UTC year is still the old one (the default, for callers without a zone)."""
        now = utcnow()
        year = now.year if year is None else year
        async with self._db.session() as session:
            await session.execute(insert_ignoring_conflicts(
                session, CaseCounter, [{"year": year, "last": 0}]))
            number = (await session.execute(
                update(CaseCounter).where(CaseCounter.year == year)
                .values(last=CaseCounter.last + 1).returning(CaseCounter.last))).scalar_one()
            case = Case(number=f"C-{year}-{number:04d}", asker_id=asker_id,
                        category=category, escalate_at=escalate_at, escalation_level=level,
                        created_at=now, waiting_since=now)
            session.add(case)
            await session.flush()
            for message in messages:  # stored after the asking, as the timeline reads them
                message.case_id, message.created_at = case.id, utcnow()
                session.add(message)
            return case

    # ------------------------------------------------------------------ reading

    async def get(self, case_id: int) -> Case | None:
        async with self._db.session() as session:
            return await session.get(Case, case_id)

    async def by_number(self, number: str) -> Case | None:
        async with self._db.session() as session:
            return (await session.execute(
                select(Case).where(Case.number == number))).scalar_one_or_none()

    async def active_of_asker(self, asker_id: int) -> list[Case]:
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(
                Case.asker_id == asker_id, Case.status.in_(ACTIVE)).order_by(Case.id))
            return list(rows.scalars())

    async def closed_of_asker(self, asker_id: int, since: datetime) -> list[Case]:
        """The asker's answered cases closed at `since` or later, newest first."""
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(
                Case.asker_id == asker_id, Case.status == CaseStatus.CLOSED,
                Case.expert_id.is_not(None), Case.closed_at >= since)
                .order_by(Case.closed_at.desc()))
            return list(rows.scalars())

    async def by_staff_thread(self, thread_id: int) -> Case | None:
        async with self._db.session() as session:
            return (await session.execute(select(Case).where(
                Case.staff_thread_id == thread_id).limit(1))).scalar_one_or_none()

    async def open_of_expert(self, expert_id: int) -> list[Case]:
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(
                Case.expert_id == expert_id, Case.status == CaseStatus.OPEN).order_by(Case.id))
            return list(rows.scalars())

    async def active_of(self, user_id: int) -> list[Case]:
        """The cases a person takes part in now: as asker (waiting or open) or as expert."""
        versions = self._db.table_versions
        version = versions[Case.__tablename__]
        known = self._active.get(user_id)
        if known is not None and known[0] == version:
            return list(known[1])
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(or_(
                and_(Case.asker_id == user_id, Case.status.in_(ACTIVE)),
                and_(Case.expert_id == user_id, Case.status == CaseStatus.OPEN)))
                .order_by(Case.id))
            cases = list(rows.scalars())
        if versions[Case.__tablename__] == version:  # no write overlapped the read
            if len(self._active) >= MAX_CACHED_PEOPLE:
                self._active.clear()
            self._active[user_id] = (version, cases)
        return list(cases)

    async def closed_cards_owed(self, now: datetime, limit: int = 100) -> list[Case]:
        """Closed cases whose asker is owed the closed card, due by `now`, oldest first."""
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(
                Case.status == CaseStatus.CLOSED, Case.closed_card_due.is_not(None),
                Case.closed_card_due <= now).order_by(Case.closed_card_due).limit(limit))
            return list(rows.scalars())

    async def due(self, now: datetime) -> list[Case]:
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(
                Case.status == CaseStatus.OFFERED, Case.escalate_at.is_not(None),
                Case.escalate_at <= now).order_by(Case.escalate_at))
            return list(rows.scalars())

    async def between(self, first: datetime, last: datetime) -> list[Case]:
        async with self._db.session() as session:
            rows = await session.execute(select(Case).where(
                Case.created_at >= first, Case.created_at < last).order_by(Case.id))
            return list(rows.scalars())

    async def case_of_message(self, chat_id: int, message_id: int) -> int | None:
        """The case a message in a chat belongs to: a relayed copy, an original, an offer."""
        async with self._db.session() as session:
            found = (await session.execute(select(CaseMessage.case_id).where(or_(
                and_(CaseMessage.target_chat_id == chat_id,
                     CaseMessage.target_message_id == message_id),
                and_(CaseMessage.source_chat_id == chat_id,
                     CaseMessage.source_message_id == message_id))).limit(1))).scalar()
            if found is not None:
                return found
            found = (await session.execute(select(CaseOffer.case_id).where(
                CaseOffer.chat_id == chat_id, CaseOffer.message_id == message_id)
                .limit(1))).scalar()
            if found is not None:
                return found
            found = (await session.execute(select(CaseCopy.case_id).where(
                CaseCopy.chat_id == chat_id, CaseCopy.message_id == message_id)
                .order_by(CaseCopy.id.desc()).limit(1))).scalar()
            if found is not None:
                return found
            return (await session.execute(select(Case.id).where(or_(
                and_(Case.asker_id == chat_id, Case.asker_anchor_id == message_id),
                and_(Case.expert_id == chat_id, Case.expert_anchor_id == message_id)))
                .limit(1))).scalar()

    # ------------------------------------------------------------------ offers

    async def add_offer(self, case_id: int, expert_id: int | None, chat_id: int,
                        message_id: int, level: int) -> None:
        async with self._db.session() as session:
            session.add(CaseOffer(case_id=case_id, expert_id=expert_id, chat_id=chat_id,
                                  message_id=message_id, level=level))

    async def offers(self, case_id: int) -> list[CaseOffer]:
        async with self._db.session() as session:
            rows = await session.execute(select(CaseOffer).where(CaseOffer.case_id == case_id)
                                         .order_by(CaseOffer.id))
            return list(rows.scalars())

    # ------------------------------------------------------------------ messages

    async def add_message(self, message: CaseMessage) -> CaseMessage:
        """Stores a transcript row (committed with others arriving at the same moment)."""
        message.id = await self._messages.insert(message.model_dump(exclude={"id"}))
        return message

    # ------------------------------------------------------------------ blocks

    async def block(self, telegram_id: int, reason: str) -> bool:
        now = utcnow()
        async with self._db.session() as session:
            # Staff may bar someone by id before they ever wrote: the bare user row first,
            # exactly as granting a role by id makes it.
            await session.execute(insert_ignoring_conflicts(session, User, [
                {"telegram_id": telegram_id, "created_at": now, "last_seen_at": now}]))
            result = await session.execute(insert_ignoring_conflicts(
                session, HotlineBlock,
                [{"telegram_id": telegram_id, "reason": reason, "blocked_at": utcnow()}]))
            return bool(result.rowcount)

    async def unblock(self, telegram_id: int) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                delete(HotlineBlock).where(HotlineBlock.telegram_id == telegram_id))
            return bool(result.rowcount)

    async def is_blocked(self, telegram_id: int) -> bool:
        versions = self._db.table_versions
        version = versions[HotlineBlock.__tablename__]
        if self._blocked is None or self._blocked[0] != version:
            blocked = frozenset(await self.blocked_ids())
            if versions[HotlineBlock.__tablename__] != version:
                return telegram_id in blocked  # a change overlapped the read: not kept
            self._blocked = (version, blocked)
        return telegram_id in self._blocked[1]

    async def blocked_ids(self) -> set[int]:
        async with self._db.session() as session:
            return set((await session.execute(select(HotlineBlock.telegram_id))).scalars())
