"""Telegram's flood limits as token buckets, switchable at run time.

Counted: every method that creates messages (send*, copyMessage(s), forwardMessage(s); a media
group counts one per item). Not counted: edits, deletes, chat actions, callback answers and
everything else, which Telegram limits far more loosely.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sandbox.errors import ApiError

PRIVATE_RATE, PRIVATE_BURST = 1.0, 3.0          # about one message a second per private chat
GROUP_RATE, GROUP_BURST = 20 / 60, 20.0         # 20 messages a minute per group
GLOBAL_RATE, GLOBAL_BURST = 30.0, 30.0          # 30 messages a second across all chats
PAID_RATE, PAID_BURST = 1000.0, 1000.0          # allow_paid_broadcast: 1,000 a second overall
_MAX_CHAT_BUCKETS = 200_000


class _Bucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self, count: float) -> float:
        """Seconds until `count` tokens are there (0 when they are now)."""
        missing = count - self.tokens
        return 0.0 if missing <= 1e-9 else missing / self.rate


class FloodLimiter:
    def __init__(self, enabled: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.enabled = enabled
        self.clock = clock  # replaceable, so tests can freeze time
        self._chats: dict[int, _Bucket] = {}
        self._global = _Bucket(GLOBAL_RATE, GLOBAL_BURST, clock())
        self._paid = _Bucket(PAID_RATE, PAID_BURST, clock())

    def reset(self) -> None:
        now = self.clock()
        self._chats.clear()
        self._global = _Bucket(GLOBAL_RATE, GLOBAL_BURST, now)
        self._paid = _Bucket(PAID_RATE, PAID_BURST, now)

    def take(self, chat_id: int, *, private: bool, paid: bool = False, count: int = 1) -> None:
        """Spend `count` messages for chat_id, or raise 429 without spending anything."""
        if not self.enabled:
            return
        now = self.clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= _MAX_CHAT_BUCKETS:
                self._forget_idle(now)
            rate, burst = (PRIVATE_RATE, PRIVATE_BURST) if private else (GROUP_RATE, GROUP_BURST)
            chat = self._chats[chat_id] = _Bucket(rate, burst, now)
        overall = self._paid if paid else self._global
        chat.refill(now)
        overall.refill(now)
        wait = max(chat.wait_for(min(count, chat.burst)), overall.wait_for(count))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                           retry_after=retry_after)
        chat.tokens -= min(count, chat.burst)
        overall.tokens -= count

    def _forget_idle(self, now: float) -> None:
        for chat_id in [cid for cid, b in self._chats.items()
                        if b.tokens + (now - b.stamp) * b.rate >= b.burst]:
            del self._chats[chat_id]
