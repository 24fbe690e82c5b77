"""Telegram's flood limits, kept on our side so that sending stays at the ceiling, not over it.

Limits as Telegram documents them: 30 messages a second across chats (or 1,000 with paid
broadcast), about one a second per private chat (a burst of 3), 20 a minute per group.

- The overall budget is a sliding window: the last 30 (or 1,000) send times, and a message
  goes when the oldest of them is more than a window ago, so no window ever holds more than
  30. Within it broadcasts are paced evenly (a GCRA cell at 30 a window) with a small
  burst, so they do not all arrive at once, and a sender that woke a little late catches
  up; replies to people go at once whenever the window has room.
- Each chat is a GCRA cell (a "theoretical arrival time", equivalent to a token bucket).

The same arithmetic runs in memory here and in Redis (services/delivery/shared_limits.py)
when several processes share one bot token. Replies to people go first: while one waits, it
raises a flag, and broadcasts then leave the last few places of the window to replies.
"""

from __future__ import annotations

import asyncio
import math
import time
from abc import ABC, abstractmethod
from collections import deque
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
    # Places of the overall window a broadcast leaves while a reply to a person waits.
    interactive_reserve: int = 3
    # The overall burst: this share of the window may leave at once (at least 2 messages).
    burst_share: float = 0.1
    # The window is 1/margin seconds: requests reach Telegram with some jitter, and the
    # clocks differ. 0.96: 30 in 1.042 s, so ~40 ms of jitter still never makes 31 a second.
    margin: float = 0.96

    def overall(self, paid: bool) -> tuple[float, int, float, float]:
        """(window in seconds, messages it may hold, seconds between messages, burst
        tolerance in seconds) of the overall budget."""
        window, size = 1 / self.margin, int(self.paid_rate if paid else self.global_rate)
        interval = window / size
        burst = max(2, math.ceil(size * self.burst_share))
        return window, size, interval, (burst - 1) * interval

    def chat(self, chat_id: int) -> tuple[float, float]:
        """(seconds between messages, burst tolerance in seconds) of one chat."""
        rate, burst = (self.private_rate, self.private_burst) if chat_id > 0 else \
            (self.group_rate, self.group_burst)
        interval = 1 / rate  # per-chat waits are long already: no margin needed
        return interval, (burst - 1) * interval

    def reserve(self, paid: bool, interactive: bool) -> int:
        """Places of the window a message leaves to replies (when one is waiting)."""
        return 0 if paid or interactive else self.interactive_reserve


@dataclass(frozen=True, slots=True)
class Decision:
    taken: bool
    wait: float  # not taken: seconds to look again
    per_chat: bool = False  # the wait is one chat's (other chats may go meanwhile)


class RateBudget(ABC):
    """Waits for room under every limit; subclasses keep the state (memory or Redis)."""

    def __init__(self, limits: Limits | None,
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self.limits = limits or Limits()
        self._sleep = sleep
        # Waiters of each kind queue here one at a time (FIFO), so the pace is fair and only
        # one of them per process asks the store at a time.
        self._broadcast_turn = asyncio.Lock()
        self._reply_turn = asyncio.Lock()

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

        Waiting for the overall budget happens in turn (under the kind's lock); waiting for
        one chat's budget outside it, so other chats go on meanwhile.
        """
        turn = self._reply_turn if interactive else self._broadcast_turn
        while True:
            async with turn:
                while True:
                    decision = await self._decide(chat_id, paid=paid, interactive=interactive)
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
        self._sent: dict[bool, deque[float]] = {
            paid: deque(maxlen=self.limits.overall(paid)[1]) for paid in (False, True)}
        self._pace: dict[bool, float] = {}  # paid? -> the overall cell's arrival time
        self._chats: dict[int, float] = {}
        self._paused_until = 0.0
        self._chat_paused: dict[int, float] = {}
        self._replies_waiting_until = 0.0

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
        chat_interval, chat_tolerance = self.limits.chat(chat_id)
        chat = self._chat_tat(chat_id, now)
        # A reply is counted in its chat's cell but waits only when Telegram said so (a
        # 429): a person answering quickly gets each answer at once, as they expect.
        own_wait = max(self._chat_paused.get(chat_id, 0.0) - now,
                       -1.0 if interactive else chat - chat_tolerance - now)
        chat_wait = max(own_wait, self._paused_until - now)
        if chat_wait > 1e-9:
            return Decision(False, chat_wait, per_chat=own_wait > 1e-9)
        window, size, interval, tolerance = self.limits.overall(paid)
        need = size
        if now < self._replies_waiting_until:
            need -= self.limits.reserve(paid, interactive)
        sent = self._sent[paid]
        pace = max(self._pace.get(paid, now), now)
        wait = sent[-need] + window - now if len(sent) >= need else 0.0
        if not interactive:  # replies are few and short: only the window holds them
            wait = max(wait, pace - tolerance - now)
        if wait > 1e-9:
            if interactive:
                self._replies_waiting_until = max(self._replies_waiting_until,
                                                  now + wait + 0.1)
            return Decision(False, wait)
        sent.append(now)
        if not interactive:
            self._pace[paid] = pace + interval
        self._chats[chat_id] = chat + chat_interval
        return Decision(True, 0.0)

    async def pause(self, chat_id: int, seconds: float) -> None:
        now = self._clock()
        _interval, tolerance = self.limits.chat(chat_id)
        chat = self._chat_tat(chat_id, now)
        if chat - tolerance > now + 1e-9:
            self._chats[chat_id] = max(chat, now + seconds + tolerance)
            if len(self._chat_paused) >= self._MAX_CHATS:
                self._chat_paused = {k: v for k, v in self._chat_paused.items() if v > now}
            self._chat_paused[chat_id] = max(self._chat_paused.get(chat_id, 0.0), now + seconds)
        else:
            self._paused_until = max(self._paused_until, now + seconds)
