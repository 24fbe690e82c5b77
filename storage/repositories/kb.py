"""Knowledge-base entries and synonyms; every entry write re-indexes it in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Case, KbEntry, KbStatus, KbSuggestion, KbSynonym, utcnow
from storage.repositories import kb_index
from storage.repositories.kb_index import Alternatives

BULK = 500  # rows in one import after which PostgreSQL's statistics are refreshed


async def _reindex(session: AsyncSession, entry: KbEntry) -> None:
    assert entry.id is not None
    if entry.status == KbStatus.PUBLISHED:
        await kb_index.put(session, entry.id, entry.question_tokens, entry.answer_tokens)
    else:
        await kb_index.remove(session, entry.id)


class KbRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add_many(self, entries: Sequence[KbEntry]) -> list[int]:
        """All or nothing: an import is one transaction."""
        async with self._db.session() as session:
            session.add_all(entries)
            await session.flush()
            for entry in entries:
                await _reindex(session, entry)
            if session.bind.dialect.name == "postgresql" and len(entries) >= BULK:
                # Fresh statistics, or the planner takes the new rows for a handful and
                # walks every entry instead of using the index until autovacuum comes by.
                await session.execute(text("ANALYZE kb_entries"))
                await session.execute(text("ANALYZE kb_search"))
            return [entry.id for entry in entries if entry.id is not None]

    async def get(self, entry_id: int) -> KbEntry | None:
        async with self._db.session() as session:
            return await session.get(KbEntry, entry_id)

    async def get_many(self, ids: Sequence[int]) -> dict[int, KbEntry]:
        if not ids:
            return {}
        async with self._db.session() as session:
            rows = await session.execute(select(KbEntry).where(KbEntry.id.in_(list(ids))))
            return {entry.id: entry for entry in rows.scalars()}

    async def for_case(self, case_id: int) -> KbEntry | None:
        async with self._db.session() as session:
            return (await session.execute(select(KbEntry).where(
                KbEntry.source_case_id == case_id))).scalars().first()

    @staticmethod
    def _proposals_of(telegram_id: int):  # type: ignore[no-untyped-def]
        asked = select(Case.id).where(Case.asker_id == telegram_id)
        return select(KbEntry.id).where(
            KbEntry.status == KbStatus.PROPOSED,
            (KbEntry.proposed_by == telegram_id) | KbEntry.source_case_id.in_(asked))

    async def count_proposals_of(self, telegram_id: int) -> int:
        """/privacy: what erase_proposals_of would erase now."""
        async with self._db.session() as session:
            return len(list((await session.execute(self._proposals_of(telegram_id))).scalars()))

    async def erase_proposals_of(self, telegram_id: int) -> int:
        """/forget: unapproved proposals that hold this person's words (as the asker of the
        case, or as the expert who wrote the answer) go; approved entries were reviewed by
        staff and carry no personal details."""
        async with self._db.session() as session:
            doomed = list((await session.execute(self._proposals_of(telegram_id))).scalars())
            for entry_id in doomed:
                await kb_index.remove(session, entry_id)
            if doomed:
                await session.execute(delete(KbEntry).where(KbEntry.id.in_(doomed)))
            return len(doomed)

    async def listing(self, statuses: Sequence[str], limit: int = 1000,
                      offset: int = 0) -> list[KbEntry]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(KbEntry).where(KbEntry.status.in_(list(statuses)))
                .order_by(KbEntry.id).limit(limit).offset(offset))
            return list(rows.scalars())

    async def count(self, statuses: Sequence[str]) -> int:
        async with self._db.session() as session:
            return (await session.execute(select(func.count()).select_from(KbEntry).where(
                KbEntry.status.in_(list(statuses))))).scalar_one()

    async def change(self, entry_id: int, expected_status: str | None = None,
                     **values: Any) -> KbEntry | None:
        """Changes an entry (and its index words); None when it is gone or, with
        expected_status, no longer in that status (a second approval finds nothing)."""
        async with self._db.session() as session:
            conditions = [KbEntry.id == entry_id]
            if expected_status is not None:
                conditions.append(KbEntry.status == expected_status)
            result = await session.execute(update(KbEntry).where(*conditions).values(
                updated_at=utcnow(), **values).returning(KbEntry.id))
            if result.scalar() is None:
                return None
            entry = await session.get(KbEntry, entry_id, populate_existing=True)
            assert entry is not None
            await _reindex(session, entry)
            return entry

    async def candidates(self, alternatives: Alternatives,
                         limit: int) -> list[tuple[KbEntry, float]]:
        """Published entries only: nothing else is in the index."""
        if not any(alternatives):
            return []
        ranked = kb_index.ranked(self._db.dialect, alternatives, limit)
        statement = (select(KbEntry, ranked.c.rank)
                     .join(ranked, KbEntry.id == ranked.c.entry_id)
                     .where(KbEntry.status == KbStatus.PUBLISHED)
                     .order_by(ranked.c.rank.desc(), KbEntry.id))
        async with self._db.session() as session:
            rows = await session.execute(statement)
            return [(entry, float(rank)) for entry, rank in rows.all()]

    async def word_counts(self) -> dict[str, int]:
        async with self._db.session() as session:
            return await kb_index.word_counts(session)

    async def count_shown(self, ids: Sequence[int]) -> None:
        await self._bump(ids, shown_count=KbEntry.shown_count + 1)

    async def count_helpful(self, entry_id: int) -> None:
        await self._bump([entry_id], helpful_count=KbEntry.helpful_count + 1)

    async def count_rejected(self, ids: Sequence[int]) -> None:
        await self._bump(ids, rejected_count=KbEntry.rejected_count + 1)

    async def _bump(self, ids: Sequence[int], **values: Any) -> None:
        if ids:
            async with self._db.session() as session:
                await session.execute(update(KbEntry).where(KbEntry.id.in_(list(ids)))
                                      .values(**values))

    async def ranked_by(self, column: str, limit: int) -> list[KbEntry]:
        """The published entries most often helpful (or rejected), at least once."""
        field = getattr(KbEntry, column)
        async with self._db.session() as session:
            rows = await session.execute(
                select(KbEntry).where(KbEntry.status == KbStatus.PUBLISHED, field > 0)
                .order_by(field.desc(), KbEntry.id).limit(limit))
            return list(rows.scalars())

    async def synonyms(self) -> dict[str, list[str]]:
        async with self._db.session() as session:
            rows = await session.execute(select(KbSynonym).order_by(KbSynonym.group_key,
                                                                    KbSynonym.term))
            groups: dict[str, list[str]] = {}
            for row in rows.scalars():
                groups.setdefault(row.group_key, []).append(row.term)
            return groups

    async def put_synonyms(self, group_key: str, terms: Sequence[str]) -> None:
        """Adds the words to the group (a word already in another group moves here)."""
        async with self._db.session() as session:
            await session.execute(delete(KbSynonym).where(KbSynonym.term.in_(list(terms))))
            session.add_all(KbSynonym(term=term, group_key=group_key) for term in terms)


class KbSuggestionRepository:
    """What /ask suggested, and the asker's one decision on it."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, asker_id: int, entry_ids: Sequence[int]) -> int:
        async with self._db.session() as session:
            row = KbSuggestion(asker_id=asker_id, entry_ids=",".join(map(str, entry_ids)))
            session.add(row)
            await session.flush()
            await session.execute(update(KbEntry).where(KbEntry.id.in_(list(entry_ids)))
                                  .values(shown_count=KbEntry.shown_count + 1))
            assert row.id is not None
            return row.id

    async def decide(self, suggestion_id: int, asker_id: int, outcome: str,
                     chosen_entry_id: int | None = None) -> list[int] | None:
        """Records the decision once (a second press finds nothing: None) and counts it on the
        entries: the chosen one helpful, or every one shown rejected. Returns the entries."""
        async with self._db.session() as session:
            row = await session.get(KbSuggestion, suggestion_id)
            if row is None or row.asker_id != asker_id or row.outcome != "pending":
                return None
            shown = [int(i) for i in row.entry_ids.split(",") if i]
            if chosen_entry_id is not None and chosen_entry_id not in shown:
                return None
            result = await session.execute(
                update(KbSuggestion).where(KbSuggestion.id == suggestion_id,
                                           KbSuggestion.outcome == "pending")
                .values(outcome=outcome, chosen_entry_id=chosen_entry_id,
                        decided_at=utcnow()).returning(KbSuggestion.id))
            if result.scalar() is None:
                return None
            if chosen_entry_id is not None:
                await session.execute(update(KbEntry).where(KbEntry.id == chosen_entry_id)
                                      .values(helpful_count=KbEntry.helpful_count + 1))
            else:
                await session.execute(update(KbEntry).where(KbEntry.id.in_(shown))
                                      .values(rejected_count=KbEntry.rejected_count + 1))
            return shown

    async def link_case(self, suggestion_id: int, case_id: int) -> None:
        async with self._db.session() as session:
            await session.execute(update(KbSuggestion).where(KbSuggestion.id == suggestion_id)
                                  .values(case_id=case_id))

    async def questions_for_case(self, case_id: int) -> list[str]:
        """The entries the asker saw and found not enough, for the expert's card."""
        async with self._db.session() as session:
            ids = (await session.execute(select(KbSuggestion.entry_ids).where(
                KbSuggestion.case_id == case_id))).scalars().first()
            if not ids:
                return []
            order = [int(i) for i in ids.split(",") if i]
            rows = await session.execute(select(KbEntry.id, KbEntry.question).where(
                KbEntry.id.in_(order)))
            questions = dict(rows.all())
            return [questions[i] for i in order if i in questions]

    async def decided_between(self, first: datetime,
                              last: datetime) -> list[tuple[str, str, int | None]]:
        """(outcome, shown entry ids, chosen entry) of the suggestions made in [first, last)."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(KbSuggestion.outcome, KbSuggestion.entry_ids,
                       KbSuggestion.chosen_entry_id).where(
                    KbSuggestion.created_at >= first, KbSuggestion.created_at < last))
            return [(o, ids, chosen) for o, ids, chosen in rows.all()]
