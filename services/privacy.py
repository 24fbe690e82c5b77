"""What we hold about a person, and erasing it on request (/forget)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.conversation_log import ConversationLog
from services.people import PeopleService
from storage.repositories.users import UserRepository


@dataclass(frozen=True, slots=True)
class PrivacySummary:
    display_name: str
    username: str | None
    locale: str
    roles: tuple[str, ...]
    has_profile: bool
    profile_name: str | None
    profile_organisation: str | None
    profile_community: str | None
    logged_messages: int
    retention_days: int


class PrivacyService:
    def __init__(
        self,
        users: UserRepository,
        people: PeopleService,
        conversation_log: ConversationLog,
        retention_days: int,
    ) -> None:
        self._users = users
        self._people = people
        self._log = conversation_log
        self._retention_days = retention_days
        # Features that keep records about a person (hotline transcripts, idea contact
        # details) add how to anonymise them; /forget runs each.
        self.erasers: list[Callable[[int], Awaitable[object]]] = []

    async def summary(self, telegram_id: int) -> PrivacySummary | None:
        person = await self._users.get(telegram_id)
        if person is None:
            return None
        profile = await self._users.get_profile(telegram_id)
        return PrivacySummary(
            display_name=person.display_name,
            username=person.username,
            locale=person.locale,
            roles=tuple(sorted(person.roles)),
            has_profile=profile is not None,
            profile_name=profile.full_name if profile else None,
            profile_organisation=profile.organisation if profile else None,
            profile_community=profile.community if profile else None,
            logged_messages=await self._log.count_for_user(telegram_id),
            retention_days=self._retention_days,
        )

    async def forget(self, telegram_id: int) -> int:
        """Erases the person's messages, profile and name; returns how many messages went.

        The bare Telegram id and roles stay: staff must keep records of who held which role,
        and later features keep anonymised case and idea records that point at the id.
        """
        erased = await self._log.erase_user(telegram_id)
        for erase in self.erasers:
            await erase(telegram_id)
        await self._users.anonymise(telegram_id)
        self._people.forget_cached(telegram_id)
        return erased
