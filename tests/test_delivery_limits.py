"""The delivery limiter on a simulated clock: Telegram's limits, the reserve for replies to
people, and retry_after honoured for the right scope."""

from __future__ import annotations

import asyncio

from services.delivery.limits import Limits, RateLimiter


class SimulatedTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def limiter(time: SimulatedTime, **limits: float) -> RateLimiter:
    # The whole window may go at once, as Telegram's own bucket allows (the default paces
    # within the window: see the last test).
    limits = {"burst_share": 1.0, **limits}
    return RateLimiter(Limits(margin=1.0, **limits), clock=time.clock, sleep=time.sleep)


async def _times(time: SimulatedTime, rl: RateLimiter, chats: list[int], *,
                 paid: bool = False) -> list[float]:
    started, stamps = time.now, []
    for chat in chats:
        await rl.acquire(chat, paid=paid)
        stamps.append(time.now - started)
    return stamps


async def test_broadcasts_keep_to_30_in_any_second_and_leave_a_reserve() -> None:
    time = SimulatedTime()
    rl = limiter(time)
    stamps = await _times(time, rl, list(range(1, 128)))
    # 30 in a window of one second, never more: the next 30 when the first have left it.
    assert stamps[29] == 0.0 and stamps[30] == 1.0 and stamps[-1] == 4.0
    # At a steady pace the window is always full: a reply waits for the next place to free,
    # and while it waits broadcasts leave the last 3 places of the window to replies.
    rl = limiter(time)
    start = time.now
    for chat in range(1, 31):
        await rl.acquire(chat)
        time.now += 1 / 31
    before = time.now
    await rl.acquire(5000, interactive=True)
    assert abs(time.now - before - 1 / 31) < 1e-6
    assert abs(time.now - start - 1.0) < 1e-6
    before = time.now
    await rl.acquire(5001)
    assert abs(time.now - before - 4 / 31) < 1e-6  # not 1/31: the reserve was left


async def test_paid_broadcasts_use_their_own_1000_a_second() -> None:
    time = SimulatedTime()
    rl = limiter(time)
    stamps = await _times(time, rl, list(range(1, 3001)), paid=True)
    assert stamps[999] == 0.0 and abs(stamps[-1] - 2.0) < 1e-6


async def test_one_a_second_per_chat_and_twenty_a_minute_per_group() -> None:
    time = SimulatedTime()
    rl = limiter(time)
    private = await _times(time, rl, [42] * 5)
    assert private[:3] == [0.0, 0.0, 0.0] and abs(private[4] - 2.0) < 1e-6
    group = await _times(time, rl, [-100123] * 22)
    assert group[19] == 0.0 and abs(group[21] - 6.0) < 1e-6  # 2 more at 20 a minute


async def test_retry_after_pauses_the_chat_or_everyone() -> None:
    time = SimulatedTime()
    rl = limiter(time)
    # The person's own budget is used up (three replies): a 429 for them is theirs alone.
    for _ in range(3):
        await rl.acquire(7, interactive=True)
    await rl.pause(7, 4.0)
    start = time.now
    await rl.acquire(8)
    assert time.now == start  # another chat goes at once
    await rl.acquire(7)
    assert abs(time.now - start - 4.0) < 1e-6
    # A 429 for a chat with budget left means the global limit: everyone waits.
    await rl.pause(9, 2.0)
    start = time.now
    await rl.acquire(10)
    assert abs(time.now - start - 2.0) < 1e-6


async def test_by_default_no_one_second_window_holds_more_than_30() -> None:
    time = SimulatedTime()
    rl = RateLimiter(clock=time.clock, sleep=time.sleep)
    stamps = await _times(time, rl, list(range(1, 200)))
    for index in range(len(stamps) - 30):
        assert stamps[index + 30] - stamps[index] > 1.0
    # Paced within the window: at most 3 leave at the same moment...
    assert max(stamps.count(at) for at in stamps) <= 3
    # ...and a sender that woke a little late goes at once (the slot it slept through).
    time.now += 0.05
    assert await _times(time, rl, [300]) == [0.0]
