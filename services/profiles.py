"""The short social-worker profile (name, organisation, community), asked for when needed."""

from __future__ import annotations

from dataclasses import dataclass

from storage.repositories.users import UserRepository

# Field name -> longest accepted length, mirrored by the table's columns.
PROFILE_FIELDS: dict[str, int] = {"full_name": 64, "organisation": 128, "community": 64}


class ProfileInputError(ValueError):
    """The answer cannot be stored; `reason` is a text key, `limit` the bound it broke."""

    def __init__(self, reason: str, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Profile:
    full_name: str
    organisation: str
    community: str


def clean_profile_answer(field: str, raw: str | None) -> str:
    value = " ".join((raw or "").split())
    if not value:
        raise ProfileInputError("profile.error.empty")
    if len(value) > PROFILE_FIELDS[field]:
        raise ProfileInputError("profile.error.too_long", PROFILE_FIELDS[field])
    return value


class ProfileService:
    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def get(self, telegram_id: int) -> Profile | None:
        row = await self._users.get_profile(telegram_id)
        if row is None:
            return None
        return Profile(row.full_name, row.organisation, row.community)

    async def save(self, telegram_id: int, profile: Profile) -> None:
        await self._users.save_profile(
            telegram_id, profile.full_name, profile.organisation, profile.community
        )
