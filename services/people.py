"""Who is writing: records each person once, remembers their language and roles."""

from __future__ import annotations

import time
from dataclasses import dataclass

from storage.models import Role
from storage.repositories.users import Person, TelegramIdentity, UserRepository

# A person's cached record stays good until a role, language or erasure changes (in any
# process: UserRepository.version). Only their last_seen_at is written again, this often, so
# a busy chat does not write on every update.
LAST_SEEN_EVERY_SECONDS = 300.0
MAX_CACHED_PEOPLE = 50_000


@dataclass(slots=True)
class _Cached:
    person: Person
    identity: TelegramIdentity | None
    version: tuple[int, int]
    recorded_at: float


class PeopleService:
    def __init__(self, users: UserRepository, default_locale: str, admin_ids: tuple[int, ...]):
        self._users = users
        self._default_locale = default_locale
        self._admin_ids = admin_ids
        self._cache: dict[int, _Cached] = {}
        # Bumped by every change made here; a read that raced with one is not cached, or an
        # update processed concurrently could put back the roles a grant just replaced.
        self._generation: dict[int, int] = {}

    async def bootstrap_admins(self) -> None:
        """Makes HOTLINE_ADMIN_IDS admins from the first start on."""
        for telegram_id in self._admin_ids:
            await self._users.grant(telegram_id, Role.ADMIN, self._default_locale)

    def _fresh(self, telegram_id: int) -> _Cached | None:
        cached = self._cache.get(telegram_id)
        if cached is None or cached.version != self._users.version():
            return None
        return cached

    async def seen(self, identity: TelegramIdentity, locale_guess: str) -> tuple[Person, bool]:
        """Records a contact; returns the person and whether this was their first."""
        cached = self._fresh(identity.telegram_id)
        if (cached is not None and cached.identity == identity
                and time.monotonic() - cached.recorded_at < LAST_SEEN_EVERY_SECONDS):
            return cached.person, False
        generation = self._generation.get(identity.telegram_id, 0)
        version = self._users.version()
        person, created = await self._users.record_contact(identity, locale_guess)
        self._remember(identity.telegram_id, generation, version, person, identity)
        return person, created

    async def get(self, telegram_id: int) -> Person | None:
        cached = self._fresh(telegram_id)
        if cached is not None:
            return cached.person
        generation = self._generation.get(telegram_id, 0)
        version = self._users.version()
        person = await self._users.get(telegram_id)
        if person is not None:
            # No identity from Telegram here: the next update of theirs records the contact.
            self._remember(telegram_id, generation, version, person, None)
        return person

    def _remember(self, telegram_id: int, generation: int, version: tuple[int, int],
                  person: Person, identity: TelegramIdentity | None) -> None:
        if (self._generation.get(telegram_id, 0) != generation
                or self._users.version() != version):
            return  # a change overlapped the read: what was read may be the old state
        recorded = time.monotonic() if identity is not None else float("-inf")
        if len(self._cache) >= MAX_CACHED_PEOPLE:
            self._cache.clear()
        self._cache[telegram_id] = _Cached(person, identity, version, recorded)

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
