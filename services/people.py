"""Who is writing: records each person once, remembers their language and roles."""

from __future__ import annotations

import time
from dataclasses import dataclass

from storage.models import Role
from storage.repositories.users import Person, TelegramIdentity, UserRepository

# Re-reading a person at most this often keeps a busy chat from writing on every update,
# while role changes made from the CLI (another process) still arrive within a minute.
CACHE_SECONDS = 60.0


@dataclass(slots=True)
class _Cached:
    person: Person
    identity: TelegramIdentity
    stored_at: float


class PeopleService:
    def __init__(self, users: UserRepository, default_locale: str, admin_ids: tuple[int, ...]):
        self._users = users
        self._default_locale = default_locale
        self._admin_ids = admin_ids
        self._cache: dict[int, _Cached] = {}
        # Bumped by every change; a read that raced with a change is not cached, or an update
        # processed concurrently could put back the roles a grant just replaced.
        self._generation: dict[int, int] = {}

    async def bootstrap_admins(self) -> None:
        """Makes HOTLINE_ADMIN_IDS admins from the first start on."""
        for telegram_id in self._admin_ids:
            await self._users.grant(telegram_id, Role.ADMIN, self._default_locale)

    async def seen(self, identity: TelegramIdentity, locale_guess: str) -> tuple[Person, bool]:
        """Records a contact; returns the person and whether this was their first."""
        cached = self._cache.get(identity.telegram_id)
        if (
            cached is not None
            and cached.identity == identity
            and time.monotonic() - cached.stored_at < CACHE_SECONDS
        ):
            return cached.person, False
        generation = self._generation.get(identity.telegram_id, 0)
        person, created = await self._users.record_contact(identity, locale_guess)
        if self._generation.get(identity.telegram_id, 0) == generation:
            self._cache[identity.telegram_id] = _Cached(person, identity, time.monotonic())
        return person, created

    async def get(self, telegram_id: int) -> Person | None:
        cached = self._cache.get(telegram_id)
        if cached is not None and time.monotonic() - cached.stored_at < CACHE_SECONDS:
            return cached.person
        return await self._users.get(telegram_id)

    def _changed(self, telegram_id: int) -> None:
        self._generation[telegram_id] = self._generation.get(telegram_id, 0) + 1
        self._cache.pop(telegram_id, None)

    async def set_locale(self, telegram_id: int, locale: str) -> None:
        self._changed(telegram_id)
        await self._users.set_locale(telegram_id, locale)
        self._changed(telegram_id)

    async def grant(self, telegram_id: int, role: Role) -> bool:
        self._changed(telegram_id)
        changed = await self._users.grant(telegram_id, role, self._default_locale)
        self._changed(telegram_id)
        return changed

    async def revoke(self, telegram_id: int, role: Role) -> bool:
        self._changed(telegram_id)
        changed = await self._users.revoke(telegram_id, role)
        self._changed(telegram_id)
        return changed

    async def list_people(self, role: Role | None = None) -> list[Person]:
        return await self._users.list_people(role)

    def forget_cached(self, telegram_id: int) -> None:
        self._changed(telegram_id)
