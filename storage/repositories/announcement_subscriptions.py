"""Announcement topics and project kinds, who subscribes to what (narrowed by kinds and a
street), and the recipients of one announcement's audience."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update

from storage.db import Database
from storage.models import (
    AnnouncementTopic,
    ProjectKind,
    SubscriberPreference,
    Subscription,
    User,
    UserRole,
    utcnow,
)
from storage.repositories.outbox import Recipient
from storage.upsert import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    name: str
    name_en: str
    has_kinds: bool

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    name: str
    name_en: str

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name


@dataclass(frozen=True, slots=True)
class SubscriberSettings:
    topics: frozenset[str]
    kinds: frozenset[str]  # empty: every kind
    street: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class Audience:
    """Who receives an announcement: the topic's subscribers, narrowed by each non-empty set."""

    topic: str
    roles: frozenset[str] = frozenset()
    kind: str | None = None
    streets: frozenset[str] = frozenset()

    def to_json(self) -> str:
        return json.dumps({"roles": sorted(self.roles), "kind": self.kind,
                           "streets": sorted(self.streets)}, ensure_ascii=False)


class AnnouncementSubscriptions:
    """Topics, kinds and who subscribed to what (AnnouncementRepository.subscriptions)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    # -- topics and kinds -----------------------------------------------------------------

    async def topics(self) -> list[Topic]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(AnnouncementTopic).order_by(AnnouncementTopic.position))
            return [Topic(t.key, t.name, t.name_en, t.has_kinds) for t in rows.scalars()]

    async def save_topic(self, topic: Topic, position: int | None) -> bool:
        """Adds or renames a topic; returns True when it is new."""
        async with self._db.session() as session:
            row = await session.get(AnnouncementTopic, topic.key)
            if row is None:
                last = await session.execute(select(func.max(AnnouncementTopic.position)))
                session.add(AnnouncementTopic(
                    key=topic.key, name=topic.name, name_en=topic.name_en,
                    has_kinds=topic.has_kinds,
                    position=position if position is not None else (last.scalar() or 0) + 10))
                return True
            row.name, row.name_en, row.has_kinds = topic.name, topic.name_en, topic.has_kinds
            if position is not None:
                row.position = position
            return False

    async def kinds(self) -> list[Kind]:
        async with self._db.session() as session:
            rows = await session.execute(select(ProjectKind).order_by(ProjectKind.position))
            return [Kind(k.key, k.name, k.name_en) for k in rows.scalars()]

    # -- subscriptions --------------------------------------------------------------------

    async def subscriber(self, telegram_id: int) -> SubscriberSettings:
        async with self._db.session() as session:
            topics = await session.execute(
                select(Subscription.topic).where(Subscription.telegram_id == telegram_id))
            pref = await session.get(SubscriberPreference, telegram_id)
            return SubscriberSettings(
                topics=frozenset(topics.scalars()),
                kinds=frozenset(json.loads(pref.kinds_json)) if pref else frozenset(),
                street=pref.street if pref else None,
                active=pref.active if pref else True,
            )

    async def _ensure_preference(self, session: object, telegram_id: int) -> None:
        await session.execute(insert_ignoring_conflicts(  # type: ignore[attr-defined]
            session, SubscriberPreference,
            [{"telegram_id": telegram_id, "kinds_json": "[]", "active": True,
              "updated_at": utcnow()}]))

    async def set_topic(self, telegram_id: int, topic: str, subscribed: bool) -> None:
        async with self._db.session() as session:
            await self._ensure_preference(session, telegram_id)
            # Subscribing again is the person saying they are reachable again.
            await session.execute(
                update(SubscriberPreference)
                .where(SubscriberPreference.telegram_id == telegram_id)
                .values(active=True, inactive_reason=None, updated_at=utcnow()))
            if subscribed:
                await session.execute(insert_ignoring_conflicts(
                    session, Subscription,
                    [{"telegram_id": telegram_id, "topic": topic, "created_at": utcnow()}]))
            else:
                await session.execute(delete(Subscription).where(
                    Subscription.telegram_id == telegram_id, Subscription.topic == topic))

    async def subscribe_many(self, telegram_ids: Sequence[int], topics: Iterable[str]) -> None:
        """Bulk setup (imports, demo data, load tests): every id to every topic."""
        topics, now = list(topics), utcnow()
        async with self._db.session() as session:
            for start in range(0, len(telegram_ids), 1000):
                chunk = telegram_ids[start:start + 1000]
                await session.execute(insert_ignoring_conflicts(
                    session, SubscriberPreference,
                    [{"telegram_id": i, "kinds_json": "[]", "active": True, "updated_at": now}
                     for i in chunk]))
                await session.execute(insert_ignoring_conflicts(
                    session, Subscription,
                    [{"telegram_id": i, "topic": t, "created_at": now}
                     for i in chunk for t in topics]))

    async def unsubscribe_all(self, telegram_id: int) -> int:
        async with self._db.session() as session:
            result = await session.execute(
                delete(Subscription).where(Subscription.telegram_id == telegram_id))
            return int(result.rowcount)

    async def erase_subscriber(self, telegram_id: int) -> int:
        """/forget: the topics and the narrowing (kinds, street) go; returns the topics."""
        async with self._db.session() as session:
            result = await session.execute(
                delete(Subscription).where(Subscription.telegram_id == telegram_id))
            await session.execute(delete(SubscriberPreference).where(
                SubscriberPreference.telegram_id == telegram_id))
            return int(result.rowcount)

    async def set_kinds(self, telegram_id: int, kinds: Iterable[str]) -> None:
        async with self._db.session() as session:
            await self._ensure_preference(session, telegram_id)
            await session.execute(
                update(SubscriberPreference)
                .where(SubscriberPreference.telegram_id == telegram_id)
                .values(kinds_json=json.dumps(sorted(kinds)), updated_at=utcnow()))

    async def set_street(self, telegram_id: int, street: str | None) -> None:
        async with self._db.session() as session:
            await self._ensure_preference(session, telegram_id)
            await session.execute(
                update(SubscriberPreference)
                .where(SubscriberPreference.telegram_id == telegram_id)
                .values(street=street, updated_at=utcnow()))

    async def mark_unreachable(self, telegram_id: int, reason: str) -> None:
        async with self._db.session() as session:
            await session.execute(
                update(SubscriberPreference)
                .where(SubscriberPreference.telegram_id == telegram_id)
                .values(active=False, inactive_reason=reason[:32], updated_at=utcnow()))

    async def audience(self, audience: Audience) -> list[Recipient]:
        query = (
            select(User.telegram_id, User.locale, SubscriberPreference.kinds_json)
            .join(Subscription, Subscription.telegram_id == User.telegram_id)
            .join(SubscriberPreference, SubscriberPreference.telegram_id == User.telegram_id)
            .where(Subscription.topic == audience.topic, SubscriberPreference.active.is_(True),
                   User.forgotten_at.is_(None))
            .order_by(User.telegram_id)
        )
        if audience.roles:
            query = query.where(User.telegram_id.in_(
                select(UserRole.telegram_id).where(UserRole.role.in_(sorted(audience.roles)))))
        if audience.streets:
            query = query.where(SubscriberPreference.street.in_(sorted(audience.streets)))
        if audience.kind:
            # kinds_json is "[]" (every kind) or a JSON list; a quoted key cannot match a part.
            query = query.where(or_(SubscriberPreference.kinds_json == "[]",
                                    SubscriberPreference.kinds_json.contains(
                                        json.dumps(audience.kind))))
        async with self._db.session() as session:
            rows = await session.execute(query)
            return [Recipient(chat_id, locale) for chat_id, locale, _kinds in rows]
