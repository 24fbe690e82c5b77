"""Every announcement, in any state, with its delivery figures: the web console's history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Announcement, OutboxMessage
from storage.repositories.announcements import AnnouncementRecord
from storage.repositories.announcements import _record as record_of


class AnnouncementHistoryRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def page(self, offset: int, limit: int,
                   states: Sequence[str] = ()) -> tuple[list[AnnouncementRecord], int]:
        """Newest first, optionally only in `states`; and how many there are in all."""
        query = select(Announcement)
        counted = select(func.count()).select_from(Announcement)
        if states:
            query = query.where(Announcement.state.in_(list(states)))
            counted = counted.where(Announcement.state.in_(list(states)))
        async with self._db.session() as session:
            rows = await session.execute(
                query.order_by(Announcement.id.desc()).offset(offset).limit(limit))
            total = (await session.execute(counted)).scalar_one()
            return [record_of(row) for row in rows.scalars()], int(total)

    async def outbox_counts(self, kind: str,
                            campaign_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Outbox rows per state, for several campaigns in one query."""
        if not campaign_ids:
            return {}
        async with self._db.session() as session:
            rows = await session.execute(
                select(OutboxMessage.campaign_id, OutboxMessage.state, func.count())
                .where(OutboxMessage.campaign_kind == kind,
                       OutboxMessage.campaign_id.in_(list(campaign_ids)))
                .group_by(OutboxMessage.campaign_id, OutboxMessage.state))
            counts: dict[int, dict[str, int]] = {i: {} for i in campaign_ids}
            for campaign_id, state, count in rows:
                counts[campaign_id][state] = int(count)
            return counts
