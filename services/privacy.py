"""What we hold about a person (/privacy), and erasing it on request (/forget).

One list of areas serves both: each Eraser says how much its area holds now (`count`, shown
by /privacy) and erases it (`erase`, run by /forget), and records /forget keeps are listed
in `kept`, so /privacy can never leave out what /forget erases.

/forget is two steps: `ask_to_forget` issues a one-time confirmation token bound to the
person; `confirm`/`cancel` claim it (a single UPDATE, so a double press or a forged press for
someone else acts never or once). `forget` then runs every area's eraser in order and reports
what each removed, for the reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from services.console_forms import Claim, FormTokens, Outcome
from services.conversation_log import ConversationLog
from services.people import PeopleService
from storage.repositories.users import UserRepository

# The purpose a confirmation token is issued for: it answers only a /forget button.
CONFIRMATION = "bot:forget"


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
    # Area key -> how much it holds (erasers' areas, then the kept records); zeros left out.
    areas: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Eraser:
    """One area's part of /forget and /privacy. `key` names its line in both replies
    (forget_done.html, privacy.html); `erase` takes the person's id and returns how many
    things it erased or anonymised; `count` returns how many `erase` would take now.
    tests/test_privacy_show.py fails for an eraser without a count or without its line."""

    key: str
    erase: Callable[[int], Awaitable[int]]
    count: Callable[[int], Awaitable[int]] | None = None


@dataclass(frozen=True, slots=True)
class Kept:
    """Records /forget keeps (without the name), shown by /privacy all the same."""

    key: str
    count: Callable[[int], Awaitable[int]]


@dataclass(slots=True)
class ErasureReport:
    """How many things each eraser removed, by key (0 for an area that held nothing)."""

    counts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class PrivacyService:
    def __init__(
        self,
        users: UserRepository,
        people: PeopleService,
        conversation_log: ConversationLog,
        retention_days: int,
        confirmations: FormTokens,
        erasers: Sequence[Eraser],
        kept: Sequence[Kept],
    ) -> None:
        self._users = users
        self._people = people
        self._log = conversation_log
        self._retention_days = retention_days
        self._confirmations = confirmations
        # Every area that keeps something about a person has its eraser here (the list is
        # made by the composition root, bot/assembly.py); /forget runs them in this order.
        self.erasers: list[Eraser] = [Eraser("messages", conversation_log.erase_user,
                                             conversation_log.count_for_user), *erasers]
        self.kept: list[Kept] = list(kept)

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
            areas=await self.holdings(telegram_id),
        )

    async def holdings(self, telegram_id: int) -> dict[str, int]:
        """How much each area holds about the person, by key (areas holding nothing left
        out); an eraser without a count is skipped here and caught by the tests."""
        held: dict[str, int] = {}
        for area in [*self.erasers, *self.kept]:
            if area.count is not None:
                held[area.key] = held.get(area.key, 0) + int(await area.count(telegram_id))
        return {key: count for key, count in held.items() if count}

    # ------------------------------------------------------------------ confirmation

    async def ask_to_forget(self, telegram_id: int) -> str:
        """A one-time token for the confirmation buttons shown to this person."""
        return await self._confirmations.issue(telegram_id, CONFIRMATION)

    async def claim_confirmation(self, telegram_id: int, token: str) -> Claim | None:
        """The confirmation, if this person's token is still unused (None: stale or forged).
        Pressing either button uses it up, so a cancelled confirmation cannot be confirmed."""
        claim = await self._confirmations.claim(token, telegram_id, CONFIRMATION)
        return claim if claim.outcome == Outcome.CLAIMED else None

    async def release_confirmation(self, claim: Claim) -> None:
        """The erasure failed half-way: the same button may be pressed again, unless the
        token already went with the console access (then a new /forget); erasers are
        idempotent, so a second run finishes the job."""
        await self._confirmations.release(claim)

    # ------------------------------------------------------------------ erasure

    async def forget(self, telegram_id: int) -> ErasureReport:
        """Runs every eraser, then removes the name; returns what each erased.

        The bare Telegram id and roles stay: staff must keep records of who held which role,
        and kept records (cases, ideas, attendance, the audit log) point at the id.
        """
        report = ErasureReport()
        for eraser in self.erasers:
            report.counts[eraser.key] = report[eraser.key] + int(await eraser.erase(telegram_id))
        await self._users.anonymise(telegram_id)
        self._people.forget_cached(telegram_id)
        return report
