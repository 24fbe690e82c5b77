"""What the engine needs from Telegram (a Messenger) and from a feature (a CampaignSource)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403: blocked by the user, or the account is deactivated
    CHAT_NOT_FOUND = "chat_not_found"  # 400 chat not found
    RETRY_AFTER = "retry_after"  # 429: wait exactly retry_after, then try again
    TRANSIENT = "transient"  # network error, timeout or 5xx: retry with backoff
    FAILED = "failed"  # refused for good (e.g. 400 can't parse entities)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    outcome: Outcome
    message_id: int | None = None
    retry_after: float | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A finished message: Telegram HTML, an optional file (by file_id) and link button."""

    html: str
    photo: str | None = None
    document: str | None = None
    link_url: str | None = None
    link_label: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Progress:
    sent: int
    blocked: int
    failed: int
    remaining: int
    cancelled: int
    rate: float  # messages a second over the last few seconds

    @property
    def total(self) -> int:
        return self.sent + self.blocked + self.failed + self.remaining + self.cancelled

    @property
    def seconds_left(self) -> float | None:
        return self.remaining / self.rate if self.rate > 0 else None


class Messenger(Protocol):
    async def deliver(self, chat_id: int, message: OutgoingMessage, *,
                      paid: bool) -> DeliveryResult: ...


class CampaignSource(Protocol):
    """A feature whose messages the engine sends (announcements, reminders...)."""

    async def render(self, campaign_id: int, locale: str) -> OutgoingMessage | None:
        """The message for one locale; None when the campaign no longer exists."""

    async def on_unreachable(self, chat_id: int, outcome: Outcome) -> None:
        """The chat blocked the bot or is gone: stop sending to it next time."""

    async def on_progress(self, campaign_id: int, progress: Progress) -> None: ...

    async def on_finished(self, campaign_id: int, progress: Progress) -> None: ...
