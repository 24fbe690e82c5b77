"""Telegram's flood limits, kept on our side so that sending stays at the ceiling, not over it.

Limits as Telegram documents them: 30 messages a second across chats (or 1,000 with paid
broadcast), about one a second per private chat (a burst of 3), 20 a minute per group. Each
is a GCRA cell (a "theoretical arrival time" per bucket, equivalent to a token bucket), so the
same arithmetic runs in memory here and in Redis (services/delivery/shared_limits.py) when
several processes share one bot token.

Replies to people (interactive) book the next free slot of the overall budget and go first;
broadcasts only take a slot that is free now and leave a reserve of it unspent, so a reply
never queues behind a broadcast.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    global_rate: float = 30.0
    paid_rate: float = 1000.0
    # Overall messages that may leave at once. Telegram's bucket takes 30 at once, but a
    # burst on top of a steady 30/s puts up to 60 in one second. Here the burst is small and
    # mostly for replies (interactive_reserve): broadcasts get a quarter of a message of it,
    # enough to make up for a sleep that woke late without losing the slot, so their pace
    # alone keeps every one-second window at 30 or fewer; replies add at most the reserve.
    global_burst: float = 4.25
    paid_burst: float = 1.0
    private_rate: float = 1.0
    private_burst: float = 3.0
    group_rate: float = 20 / 60
    group_burst: float = 20.0
    # Tokens of an overall burst a broadcast never spends: room for replies to people
    # (only where there is a burst; replies also book their slot ahead of broadcasts).
    interactive_reserve: float = 3.0
    # Under the ceiling: requests reach Telegram with some jitter, and the clocks differ.
    # 28.65 a second: 30 intervals take 1.047 s, so jitter of up to ~40 ms on the way to
    # Telegram still leaves no one-second window with 31.
    margin: float = 0.955

    def overall(self, paid: bool) -> tuple[float, float]:
        """(seconds between messages, burst tolerance in seconds) of the overall budget."""
        rate, burst = (self.paid_rate, self.paid_burst) if paid else \
            (self.global_rate, self.global_burst)
        interval = 1 / (rate * self.margin)
        return interval, (burst - 1) * interval

    def chat(self, chat_id: int) -> tuple[float, float]:
        rate, burst = (self.private_rate, self.private_burst) if chat_id > 0 else \
            (self.group_rate, self.group_burst)
        interval = 1 / rate  # per-chat waits are long already: no margin needed
        return interval, (burst - 1) * interval

    def reserve(self, paid: bool, interactive: bool) -> float:
        """Seconds of the overall budget a message must leave unspent."""
        if paid or interactive:
            return 0.0
        spare = min(self.interactive_reserve, self.global_burst - 1)
        return spare * self.overall(False)[0]


@dataclass(frozen=True, slots=True)
class Decision:
    taken: bool
    wait: float  # taken: seconds until the booked slot; not taken: seconds to look again
    per_chat: bool = False  # the wait is one chat's (other chats may go meanwhile)


class RateBudget(ABC):
    """Waits for room under every limit; subclasses keep the cells (memory or Redis)."""

    def __init__(self, limits: Limits | None,
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self.limits = limits or Limits()
        self._sleep = sleep
        # Broadcast waiters queue here one at a time, so the pace is even and fair and only
        # one of them per process asks the store at a time.
        self._lock = asyncio.Lock()

    @abstractmethod
    async def _decide(self, chat_id: int, *, paid: bool, interactive: bool) -> Decision: ...

    @abstractmethod
    async def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram said retry_after: honour it for the chat, or for everyone.

        The answer does not say which limit was hit. When our own cell for that chat is
        spent, it was the chat's: only that chat waits. Otherwise it was the overall limit,
        and nothing leaves before then.
        """

    async def ping(self) -> None:
        """Raises when the store does not answer (memory always does)."""
        return None

    async def close(self) -> None:
        """Releases the store's connections."""
        return None

    async def acquire(self, chat_id: int, *, paid: bool = False,
                      interactive: bool = False) -> None:
        """Waits until a message to chat_id fits every limit, then spends it.

        A reply books its slot in one step and sleeps until it. A broadcast takes only a slot
        that is free now: waiting for the overall budget happens in turn (under the lock);
        waiting for one chat's budget outside it, so other chats go on meanwhile.
        """
        if interactive:
            while True:
                decision = await self._decide(chat_id, paid=paid, interactive=True)
                if decision.wait > 0:
                    await self._sleep(decision.wait)
                if decision.taken:
                    return
        while True:
            async with self._lock:
                while True:
                    decision = await self._decide(chat_id, paid=paid, interactive=False)
                    if decision.taken:
                        return
                    if decision.per_chat:
                        break
                    await self._sleep(decision.wait)
            await self._sleep(decision.wait)


class RateLimiter(RateBudget):
    """The budget of one process (the embedded default: SQLite, one bot process)."""

    _MAX_CHATS = 100_000

    def __init__(self, limits: Limits | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__(limits, sleep)
        self._clock = clock  # with `sleep`, replaceable so tests can run time forward
        self._overall: dict[bool, float] = {}  # paid? -> theoretical arrival time
        self._chats: dict[int, float] = {}
        self._paused_until = 0.0

    def _chat_tat(self, chat_id: int, now: float) -> float:
        tat = self._chats.get(chat_id)
        if tat is None:
            if len(self._chats) >= self._MAX_CHATS:
                # Cells in the past are full buckets: forgetting them changes nothing.
                self._chats = {k: v for k, v in self._chats.items() if v > now}
            return now
        return max(tat, now)

    async def _decide(self, chat_id: int, *, paid: bool, interactive: bool) -> Decision:
        now = self._clock()
        limits = self.limits
        interval, tolerance = limits.overall(paid)
        chat_interval, chat_tolerance = limits.chat(chat_id)
        overall = max(self._overall.get(paid, now), now)
        chat = self._chat_tat(chat_id, now)
        chat_wait = max(chat - chat_tolerance - now, self._paused_until - now)
        if chat_wait > 1e-9:
            return Decision(False, chat_wait, per_chat=chat - chat_tolerance - now > 1e-9)
        overall_wait = overall - tolerance + limits.reserve(paid, interactive) - now
        if overall_wait > 1e-9 and not interactive:
            return Decision(False, overall_wait)
        slot = now + max(overall_wait, 0.0)
        self._overall[paid] = max(overall, slot) + interval
        self._chats[chat_id] = max(chat, slot) + chat_interval
        return Decision(True, slot - now if slot - now > 1e-9 else 0.0)

    async def pause(self, chat_id: int, seconds: float) -> None:
        now = self._clock()
        _interval, tolerance = self.limits.chat(chat_id)
        chat = self._chat_tat(chat_id, now)
        if chat - tolerance > now + 1e-9:
            self._chats[chat_id] = max(chat, now + seconds + tolerance)
        else:
            self._paused_until = max(self._paused_until, now + seconds)
