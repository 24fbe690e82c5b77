"""People, their roles and social-worker profiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.models import Draft, Role, SocialWorkerProfile, User, UserRole, utcnow
from storage.upsert import insert_ignoring_conflicts


def _is_cjk(text: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


@dataclass(frozen=True, slots=True)
class Person:
    """A user row with its roles, detached from any session."""

    telegram_id: int
    first_name: str | None
    last_name: str | None
    username: str | None
    locale: str
    roles: frozenset[str]
    created_at: datetime
    last_seen_at: datetime
    forgotten_at: datetime | None

    @property
    def full_name(self) -> str:
        """"李阿姨" for Chinese names (no space), "Emma Stone" otherwise."""
        parts = [p for p in (self.first_name, self.last_name) if p]
        separator = "" if all(_is_cjk(p) for p in parts) else " "
        return separator.join(parts)

    @property
    def display_name(self) -> str:
        return self.full_name or (f"@{self.username}" if self.username else str(self.telegram_id))


@dataclass(frozen=True, slots=True)
class TelegramIdentity:
    """What Telegram tells us about a user on every update."""

    telegram_id: int
    first_name: str | None
    last_name: str | None
    username: str | None
    language_code: str | None


def _person(user: User, roles: set[str] | frozenset[str]) -> Person:
    return Person(
        telegram_id=user.telegram_id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        locale=user.locale,
        roles=frozenset(roles),
        created_at=user.created_at,
        last_seen_at=user.last_seen_at,
        forgotten_at=user.forgotten_at,
    )


class UserRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def version(self) -> tuple[int, int]:
        """Moves when a role, a language or an erasure committed, in any process (not on a
        mere contact: storage/cache_triggers.py), so a cache of people can hold until then."""
        shared = self._db.shared_versions
        return shared["users"], shared["user_roles"]

    async def get(self, telegram_id: int) -> Person | None:
        async with self._db.session() as session:
            user = await session.get(User, telegram_id)
            if user is None:
                return None
            return _person(user, await self._roles(session, telegram_id))

    async def record_contact(self, identity: TelegramIdentity, locale: str) -> tuple[Person, bool]:
        """Creates the user on first contact (as a resident) or refreshes what Telegram says.

        Returns the person and whether they were new. `locale` is used only for a new user:
        afterwards the user's own choice (/language) wins over Telegram's language_code.
        """
        now = utcnow()
        async with self._db.session() as session:
            await session.execute(
                insert_ignoring_conflicts(
                    session,
                    User,
                    [{"telegram_id": identity.telegram_id, "locale": locale, "created_at": now,
                      "last_seen_at": now}],
                )
            )
            user = await session.get(User, identity.telegram_id, populate_existing=True)
            assert user is not None
            first = user.first_contact_at is None
            user.first_name = identity.first_name
            user.last_name = identity.last_name
            user.username = identity.username
            user.telegram_language = identity.language_code
            user.last_seen_at = now
            user.forgotten_at = None
            if first:
                # A row made in advance (a role granted by id) takes the person's language now.
                user.first_contact_at = now
                user.locale = locale
                await session.execute(
                    insert_ignoring_conflicts(
                        session,
                        UserRole,
                        [{"telegram_id": identity.telegram_id, "role": Role.RESIDENT,
                          "granted_at": now}],
                    )
                )
            await session.flush()
            return _person(user, await self._roles(session, identity.telegram_id)), first

    async def ensure_exists(self, telegram_id: int, locale: str) -> None:
        """Creates a bare row (no name yet) so that roles can be granted before first contact."""
        async with self._db.session() as session:
            now = utcnow()
            await session.execute(
                insert_ignoring_conflicts(
                    session,
                    User,
                    [{"telegram_id": telegram_id, "locale": locale, "created_at": now,
                      "last_seen_at": now}],
                )
            )

    async def ensure_many(self, telegram_ids: list[int], locale: str) -> None:
        """ensure_exists for many at once (imports, benchmarks): a few large statements."""
        now = utcnow()
        async with self._db.session() as session:
            for start in range(0, len(telegram_ids), 2000):
                await session.execute(insert_ignoring_conflicts(session, User, [
                    {"telegram_id": telegram_id, "locale": locale, "created_at": now,
                     "last_seen_at": now} for telegram_id in telegram_ids[start:start + 2000]]))

    async def grant(self, telegram_id: int, role: Role, locale: str) -> bool:
        """Gives a role; returns False when the user already had it."""
        await self.ensure_exists(telegram_id, locale)
        async with self._db.session() as session:
            result = await session.execute(
                insert_ignoring_conflicts(
                    session,
                    UserRole,
                    [{"telegram_id": telegram_id, "role": role.value, "granted_at": utcnow()}],
                )
            )
            return bool(result.rowcount)

    async def revoke(self, telegram_id: int, role: Role) -> bool:
        async with self._db.session() as session:
            result = await session.execute(
                delete(UserRole).where(
                    UserRole.telegram_id == telegram_id, UserRole.role == role.value
                )
            )
            return bool(result.rowcount)

    async def list_people(self, role: Role | None = None) -> list[Person]:
        async with self._db.session() as session:
            query = select(User).order_by(User.telegram_id)
            if role is not None:
                query = query.where(
                    User.telegram_id.in_(select(UserRole.telegram_id).where(UserRole.role == role))
                )
            users = (await session.execute(query)).scalars().all()
            roles = await session.execute(
                select(UserRole.telegram_id, UserRole.role).where(
                    UserRole.telegram_id.in_([u.telegram_id for u in users])
                )
            )
            by_user: dict[int, set[str]] = {}
            for telegram_id, name in roles:
                by_user.setdefault(telegram_id, set()).add(name)
            return [_person(u, by_user.get(u.telegram_id, set())) for u in users]

    async def set_locale(self, telegram_id: int, locale: str) -> None:
        async with self._db.session() as session:
            await session.execute(
                update(User).where(User.telegram_id == telegram_id).values(locale=locale)
            )

    async def get_profile(self, telegram_id: int) -> SocialWorkerProfile | None:
        async with self._db.session() as session:
            return await session.get(SocialWorkerProfile, telegram_id)

    async def save_profile(
        self, telegram_id: int, full_name: str, organisation: str, community: str
    ) -> None:
        async with self._db.session() as session:
            await session.merge(
                SocialWorkerProfile(
                    telegram_id=telegram_id,
                    full_name=full_name,
                    organisation=organisation,
                    community=community,
                    updated_at=utcnow(),
                )
            )

    async def erase_profile(self, telegram_id: int) -> int:
        """/forget: the social-worker profile goes; returns 1 if there was one."""
        async with self._db.session() as session:
            result = await session.execute(
                delete(SocialWorkerProfile).where(SocialWorkerProfile.telegram_id == telegram_id))
            return int(result.rowcount or 0)

    async def anonymise(self, telegram_id: int) -> None:
        """Erases what identifies the person; keeps the bare id so kept records still join.

        The profile and any dialog in progress go too, in case an eraser was skipped."""
        async with self._db.session() as session:
            await session.execute(
                update(User)
                .where(User.telegram_id == telegram_id)
                .values(
                    first_name=None,
                    last_name=None,
                    username=None,
                    telegram_language=None,
                    forgotten_at=utcnow(),
                )
            )
            await session.execute(
                delete(SocialWorkerProfile).where(SocialWorkerProfile.telegram_id == telegram_id)
            )
            await session.execute(delete(Draft).where(Draft.telegram_id == telegram_id))

    @staticmethod
    async def _roles(session, telegram_id: int) -> set[str]:  # type: ignore[no-untyped-def]
        rows = await session.execute(
            select(UserRole.role).where(UserRole.telegram_id == telegram_id)
        )
        return set(rows.scalars().all())
