"""Telegram's flood limits, kept on our side so that sending stays at the ceiling, not over it.

Token buckets as Telegram documents them: 30 messages a second across chats (or 1,000 with
paid broadcast), about one a second per private chat (a burst of 3), 20 a minute per group.
Interactive replies take tokens at once and never wait; broadcasts wait and leave a reserve
in the global bucket, so a person's reply always finds room and goes first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    global_rate: float = 30.0
    paid_rate: float = 1000.0
    private_rate: float = 1.0
    private_burst: float = 3.0
    group_rate: float = 20 / 60
    group_burst: float = 20.0
    # Tokens of the global bucket a broadcast never spends: room for replies to people.
    interactive_reserve: float = 3.0
    # A hair under the ceiling: clocks and the network are not perfectly even.
    margin: float = 0.985


class _Bucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self, level: float) -> float:
        missing = level - self.tokens
        return 0.0 if missing <= 1e-9 else missing / self.rate


class RateLimiter:
    _MAX_CHATS = 100_000

    def __init__(self, limits: Limits | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._sleep = sleep  # with `clock`, replaceable so tests can run time forward
        now = clock()
        m = self.limits.margin
        self._global = _Bucket(self.limits.global_rate * m, self.limits.global_rate, now)
        self._paid = _Bucket(self.limits.paid_rate * m, self.limits.paid_rate, now)
        self._chats: dict[int, _Bucket] = {}
        self._paused_until = 0.0
        # Broadcast waiters queue here one at a time, so the pace is even and fair.
        self._lock = asyncio.Lock()

    def _chat(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= self._MAX_CHATS:
                self._chats.clear()  # idle buckets are full anyway; forgetting them is safe
            limits = self.limits
            private = chat_id > 0
            bucket = _Bucket(limits.private_rate if private else limits.group_rate,
                             limits.private_burst if private else limits.group_burst, now)
            self._chats[chat_id] = bucket
        bucket.refill(now)
        return bucket

    def take_interactive(self, chat_id: int) -> None:
        """A reply to a person: counted, never delayed (broadcasts make room instead)."""
        now = self._clock()
        self._global.refill(now)
        self._global.tokens -= 1
        self._chat(chat_id, now).tokens -= 1

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram said retry_after: honour it for the chat, or for everyone.

        The answer does not say which limit was hit. When our own bucket for that chat is
        empty (replies to that person used it up), it was the chat's: only that chat waits.
        Otherwise it was the global limit, and no broadcast message leaves before then.
        """
        now = self._clock()
        chat = self._chat(chat_id, now)
        if chat.tokens < 1:
            chat.tokens = min(chat.tokens, 1 - seconds * chat.rate)
        else:
            self._paused_until = max(self._paused_until, now + seconds)

    async def acquire(self, chat_id: int, *, paid: bool = False) -> None:
        """Waits until a broadcast message to chat_id fits every limit, then spends it.

        Waiting for the global budget happens in turn (under the lock, so the pace is even);
        waiting for one chat's budget happens outside it, so other chats go on meanwhile.
        """
        while True:
            async with self._lock:
                while True:
                    now = self._clock()
                    overall = self._paid if paid else self._global
                    overall.refill(now)
                    reserve = 0.0 if paid else self.limits.interactive_reserve
                    overall_wait = max(self._paused_until - now, overall.wait_for(1 + reserve))
                    if overall_wait > 0:
                        await self._sleep(overall_wait)
                        continue
                    chat = self._chat(chat_id, now)
                    chat_wait = chat.wait_for(1)
                    if chat_wait <= 0:
                        overall.tokens -= 1
                        chat.tokens -= 1
                        return
                    break
            await self._sleep(chat_wait)
