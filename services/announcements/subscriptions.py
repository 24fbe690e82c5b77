"""Who wants which announcements: topics, project kinds, a street, and reachability."""

from __future__ import annotations

from collections.abc import Sequence

from storage.repositories.announcements import (
    AnnouncementRepository,
    Kind,
    SubscriberSettings,
    Topic,
)


class SubscriptionService:
    def __init__(self, repository: AnnouncementRepository) -> None:
        self._repo = repository

    async def topics(self) -> list[Topic]:
        return await self._repo.topics()

    async def save_topic(self, topic: Topic, position: int | None) -> bool:
        """Adds the topic or renames it (`hotline announce topics set`); True when new."""
        return await self._repo.save_topic(topic, position)

    async def topic(self, key: str) -> Topic | None:
        return next((t for t in await self._repo.topics() if t.key == key), None)

    async def kinds(self) -> list[Kind]:
        return await self._repo.kinds()

    async def settings(self, telegram_id: int) -> SubscriberSettings:
        return await self._repo.subscriber(telegram_id)

    async def toggle_topic(self, telegram_id: int, topic: str) -> bool:
        """Flips one topic; returns whether the person is now subscribed to it."""
        subscribed = topic not in (await self._repo.subscriber(telegram_id)).topics
        await self._repo.set_topic(telegram_id, topic, subscribed)
        return subscribed

    async def subscribe(self, telegram_id: int, topics: Sequence[str]) -> None:
        for topic in topics:
            await self._repo.set_topic(telegram_id, topic, True)

    async def subscribe_many(self, telegram_ids: Sequence[int], topics: Sequence[str]) -> None:
        await self._repo.subscribe_many(telegram_ids, topics)

    async def unsubscribe_all(self, telegram_id: int) -> int:
        return await self._repo.unsubscribe_all(telegram_id)

    async def forget_subscriber(self, telegram_id: int) -> int:
        """/forget: every topic and preference goes; returns the topics dropped."""
        return await self._repo.erase_subscriber(telegram_id)

    async def toggle_kind(self, telegram_id: int, kind: str) -> frozenset[str]:
        kinds = set((await self._repo.subscriber(telegram_id)).kinds)
        kinds ^= {kind}
        await self._repo.set_kinds(telegram_id, kinds)
        return frozenset(kinds)

    async def set_street(self, telegram_id: int, street: str | None) -> None:
        await self._repo.set_street(telegram_id, street)

    async def mark_unreachable(self, telegram_id: int, reason: str) -> None:
        await self._repo.mark_unreachable(telegram_id, reason)
