"""Signing in to the web console: one-time links sent by the bot, then browser sessions.

A link holds 32 random bytes, valid for ten minutes and usable once; the session cookie holds
another 32. Only SHA-256 hashes of both are stored. A session ends after 8 hours without a
request or 24 hours after sign-in, whichever comes first, or when its holder signs out.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from services.people import PeopleService
from storage.models import utcnow
from storage.repositories.console import ConsoleRepository, SessionRecord

LINK_LIFETIME = timedelta(minutes=10)
IDLE_LIMIT = timedelta(hours=8)
ABSOLUTE_LIMIT = timedelta(hours=24)
# last_seen_at is written at most this often, so reading pages is not a write per request.
TOUCH_EVERY = timedelta(minutes=1)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class SignInRefused(Exception):
    """The link cannot open a session; `reason` is "unknown", "used" or "expired", and
    `locale` the language of the person it was made for (None for an unknown link)."""

    def __init__(self, reason: str, locale: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locale = locale


class ConsoleAccess:
    def __init__(self, repository: ConsoleRepository, people: PeopleService,
                 base_url: str, clock: Callable[[], datetime] = utcnow) -> None:
        """`base_url`: HOTLINE_CONSOLE_URL, else the address the server really bound (the
        composition root binds it first: the port may have been 0, any free port)."""
        self._repository = repository
        self._people = people
        self.base_url = base_url.rstrip("/")
        self._clock = clock

    @property
    def secure_cookie(self) -> bool:
        return self.base_url.startswith("https://")

    async def issue_link(self, telegram_id: int) -> str:
        token = secrets.token_urlsafe(32)
        await self._repository.add_token(_hash(token), telegram_id,
                                         self._clock() + LINK_LIFETIME)
        return f"{self.base_url}/console/login?token={token}"

    async def check(self, token: str) -> str:
        """Whether the link could still sign in, without using it (a link scanner or a chat
        preview opening the URL must not use it up); returns the locale of its owner."""
        if not _SECRET.match(token):
            raise SignInRefused("unknown")
        token_hash = _hash(token)
        owner = await self._repository.token_owner(token_hash)
        person = await self._people.get(owner) if owner is not None else None
        if person is None:
            raise SignInRefused("unknown")
        state = await self._repository.token_state(token_hash, self._clock())
        if state.used or state.expired:
            raise SignInRefused("used" if state.used else "expired", person.locale)
        return person.locale

    async def redeem(self, token: str) -> tuple[str, SessionRecord]:
        """Uses the link once; returns the new session's secret (for the cookie) and record."""
        if not _SECRET.match(token):
            raise SignInRefused("unknown")
        token_hash, now = _hash(token), self._clock()
        owner = await self._repository.token_owner(token_hash)
        person = await self._people.get(owner) if owner is not None else None
        if person is None:
            raise SignInRefused("unknown")
        secret = secrets.token_urlsafe(32)
        record = SessionRecord(
            id_hash=_hash(secret), telegram_id=person.telegram_id,
            csrf_token=secrets.token_urlsafe(32), locale=person.locale,
            created_at=now, last_seen_at=now, expires_at=now + ABSOLUTE_LIMIT)
        if not await self._repository.redeem_token(token_hash, now, record):
            state = await self._repository.token_state(token_hash, now)
            raise SignInRefused("used" if state.used else "expired", person.locale)
        return secret, record

    async def session_for(self, secret: str | None) -> SessionRecord | None:
        """The live session behind a cookie value, or None (missing, forged, ended, expired)."""
        if not secret or not _SECRET.match(secret):
            return None
        record = await self._repository.get_session(_hash(secret))
        now = self._clock()
        if record is None or record.expires_at <= now or record.last_seen_at + IDLE_LIMIT <= now:
            return None
        if now - record.last_seen_at >= TOUCH_EVERY:
            await self._repository.touch(record.id_hash, now)
        return record

    async def set_locale(self, record: SessionRecord, locale: str) -> None:
        await self._repository.set_locale(record.id_hash, locale)

    async def sign_out(self, record: SessionRecord) -> None:
        await self._repository.delete_session(record.id_hash)

    async def sign_out_everywhere(self, telegram_id: int) -> int:
        """`/console logout`: ends every browser session of the person; how many there were."""
        return await self._repository.delete_sessions_of(telegram_id)

    async def purge_expired(self) -> int:
        now = self._clock()
        return await self._repository.purge(now, now - IDLE_LIMIT)
