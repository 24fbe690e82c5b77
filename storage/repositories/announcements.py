"""Topics, subscriptions and announcements: who hears about what, and what was published.

Topics and subscriptions are kept by announcement_subscriptions.py, which AnnouncementRepository
holds as its `subscriptions`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from storage.db import Database
from storage.models import Announcement
from storage.repositories.announcement_subscriptions import (
    AnnouncementSubscriptions,
    Audience,
    Kind,
    SubscriberSettings,
    Topic,
)
from storage.timestamps import as_utc

# Imported from here by the announcement services, the CLI and the console.
__all__ = ["AnnouncementRecord", "AnnouncementRepository", "Audience", "Kind",
           "SubscriberSettings", "Topic"]


@dataclass(frozen=True, slots=True)
class AnnouncementRecord:
    id: int
    author_id: int | None
    topic: str
    title: str
    body_html: str
    photo_file_id: str | None
    document_file_id: str | None
    link_url: str | None
    details: dict
    audience: dict
    paid: bool
    state: str
    send_at: datetime
    recipients: int
    progress_chat_id: int | None
    progress_message_id: int | None
    created_at: datetime
    finished_at: datetime | None


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _record(row: Announcement) -> AnnouncementRecord:
    assert row.id is not None
    return AnnouncementRecord(
        id=row.id, author_id=row.author_id, topic=row.topic, title=row.title,
        body_html=row.body_html, photo_file_id=row.photo_file_id,
        document_file_id=row.document_file_id, link_url=row.link_url,
        details=json.loads(row.details_json), audience=json.loads(row.audience_json),
        paid=row.paid, state=row.state, send_at=_utc(row.send_at),  # type: ignore[arg-type]
        recipients=row.recipients,
        progress_chat_id=row.progress_chat_id, progress_message_id=row.progress_message_id,
        created_at=_utc(row.created_at),  # type: ignore[arg-type]
        finished_at=_utc(row.finished_at),
    )

class AnnouncementRepository:
    """Announcements and their states; `subscriptions` (announcement_subscriptions.py) keeps
    the topics and who wants which, on the same database."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self.subscriptions = AnnouncementSubscriptions(database)

    # -- announcements --------------------------------------------------------------------

    async def create(self, **values: object) -> AnnouncementRecord:
        async with self._db.session() as session:
            row = Announcement(**values)  # type: ignore[arg-type]
            session.add(row)
            await session.flush()
            return _record(row)

    async def get(self, announcement_id: int) -> AnnouncementRecord | None:
        async with self._db.session() as session:
            row = await session.get(Announcement, announcement_id)
            return _record(row) if row is not None else None

    async def latest(self, limit: int, topics: Iterable[str] | None = None
                     ) -> list[AnnouncementRecord]:
        query = (select(Announcement).where(Announcement.state.in_(("sending", "done")))
                 .order_by(Announcement.id.desc()).limit(limit))
        if topics is not None:
            query = query.where(Announcement.topic.in_(list(topics)))
        async with self._db.session() as session:
            return [_record(row) for row in (await session.execute(query)).scalars()]

    async def count_by_state(self) -> dict[str, int]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(Announcement.state, func.count()).group_by(Announcement.state))
            return {state: int(n) for state, n in rows}

    async def move(self, announcement_id: int, from_states: Iterable[str], to_state: str,
                   **values: object) -> bool:
        """Changes the state only if it is one of from_states; True when this call did it."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Announcement)
                .where(Announcement.id == announcement_id,
                       Announcement.state.in_(list(from_states)))
                .values(state=to_state, **values))
            return bool(result.rowcount)

    async def set_progress_message(self, announcement_id: int, chat_id: int,
                                   message_id: int) -> None:
        async with self._db.session() as session:
            await session.execute(
                update(Announcement).where(Announcement.id == announcement_id)
                .values(progress_chat_id=chat_id, progress_message_id=message_id))

    async def due_scheduled(self, now: datetime) -> list[int]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(Announcement.id).where(Announcement.state == "scheduled",
                                              Announcement.send_at <= now))
            return list(rows.scalars())

    async def scheduled_times(self) -> list[tuple[int, datetime]]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(Announcement.id, Announcement.send_at)
                .where(Announcement.state == "scheduled"))
            return [(announcement_id, _utc(when)) for announcement_id, when in rows]
