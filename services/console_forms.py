"""One-time tokens for the console's forms: a form that changes something carries one, and
the change happens only for the submission that claims it. A second submission of the same
form (a double click, a reload, the back button) is told where the first one led.

The claim comes first and the change after it; if the change fails the token is released,
so the same form can be sent again. A process dying between the two leaves the token used
with no result: that submission is then reported as "already sent" without a page to show,
and the staff member opens the form afresh.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from storage.models import utcnow
from storage.repositories.console_forms import ConsoleFormRepository

# As long as a console session can last: a form older than that cannot be sent anyway.
LIFETIME = timedelta(hours=24)


class Outcome(StrEnum):
    CLAIMED = "claimed"  # this submission goes ahead
    DONE = "done"  # sent before; `result` is where it led
    RUNNING = "running"  # sent before, and that submission has not finished yet
    UNKNOWN = "unknown"  # no such token for this person and form (forged, or too old)


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: Outcome
    token_hash: str
    result: str = ""
    payload: dict | None = None


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class FormTokens:
    def __init__(self, repository: ConsoleFormRepository) -> None:
        self._repo = repository

    async def issue(self, telegram_id: int, purpose: str, payload: dict | None = None) -> str:
        """A new token for one form of `purpose` shown to this person."""
        token = secrets.token_urlsafe(24)
        now = utcnow()
        await self._repo.add(token_hash(token), telegram_id, purpose,
                             json.dumps(payload, ensure_ascii=False) if payload else "",
                             now, now - LIFETIME)
        return token

    async def claim(self, token: str, telegram_id: int, purpose: str) -> Claim:
        hashed = token_hash(token)
        if token and await self._repo.claim(hashed, telegram_id, purpose, utcnow(),
                                            utcnow() - LIFETIME):
            record = await self._repo.get(hashed)
            payload = json.loads(record.payload) if record and record.payload else None
            return Claim(Outcome.CLAIMED, hashed, payload=payload)
        return await self.used(token, telegram_id, purpose)

    async def used(self, token: str, telegram_id: int, purpose: str) -> Claim:
        """What became of a token, without claiming it: DONE or RUNNING if it was used,
        UNKNOWN otherwise (not used yet, or not this person's form)."""
        hashed = token_hash(token)
        record = await self._repo.get(hashed) if token else None
        if (record is None or record.telegram_id != telegram_id or record.purpose != purpose
                or not record.used):
            return Claim(Outcome.UNKNOWN, hashed)
        if record.result:
            return Claim(Outcome.DONE, hashed, result=record.result)
        return Claim(Outcome.RUNNING, hashed)

    async def usable(self, token: str, telegram_id: int, purpose: str) -> bool:
        """Whether this person's form of `purpose` may still be sent with this token."""
        record = await self._repo.get(token_hash(token)) if token else None
        return (record is not None and not record.used and record.telegram_id == telegram_id
                and record.purpose == purpose and record.created_at > utcnow() - LIFETIME)

    async def payload(self, token: str, telegram_id: int, purpose: str) -> dict | None:
        """What is attached to an unused token of this person's form (None otherwise)."""
        if not await self.usable(token, telegram_id, purpose):
            return None
        record = await self._repo.get(token_hash(token))
        return json.loads(record.payload) if record and record.payload else None

    async def attach(self, token: str, telegram_id: int, purpose: str,
                     payload: dict | None) -> bool:
        """Replaces what an unused token carries (None: nothing); False if it is not usable."""
        return await self._repo.set_payload(
            token_hash(token), telegram_id, purpose,
            json.dumps(payload, ensure_ascii=False) if payload else "", utcnow() - LIFETIME)

    async def finish(self, claim: Claim, result: str) -> None:
        await self._repo.finish(claim.token_hash, result)

    async def release(self, claim: Claim) -> None:
        await self._repo.release(claim.token_hash)
