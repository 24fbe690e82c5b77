"""Telegram's budgets shared by every process of one deployment, kept in Redis.

The same sliding window and chat cells as services/delivery/limits.py, decided by one Lua
script per message (one round trip, atomic across processes, on Redis's own clock), so the
bot and any number of `hotline deliver` processes together stay within one bot token's limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

from services.delivery.limits import Decision, Limits, RateBudget

log = logging.getLogger(__name__)

# KEYS: overall window (a list, newest first), chat cell, pause, replies waiting, pace cell,
# chat pause.
# ARGV: window, size, reserve, chat interval, chat tolerance, interactive, interval, tolerance.
# Returns {taken, wait, per_chat} (numbers as strings: Redis would truncate Lua floats).
_DECIDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window, size, reserve = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local chat_interval, chat_tolerance = tonumber(ARGV[4]), tonumber(ARGV[5])
local interactive = ARGV[6] == '1'
local interval, tolerance = tonumber(ARGV[7]), tonumber(ARGV[8])
local chat = math.max(tonumber(redis.call('GET', KEYS[2]) or now), now)
local paused = tonumber(redis.call('GET', KEYS[3]) or 0)
-- A reply is counted in its chat's cell but waits only for a 429's pause of that chat.
local own_wait = tonumber(redis.call('GET', KEYS[6]) or 0) - now
if not interactive then
  own_wait = math.max(own_wait, chat - chat_tolerance - now)
end
local chat_wait = math.max(own_wait, paused - now)
if chat_wait > 1e-9 then
  return {'0', string.format('%.6f', chat_wait), own_wait > 1e-9 and '1' or '0'}
end
local need = size
if reserve > 0 and redis.call('EXISTS', KEYS[4]) == 1 then
  need = size - reserve
end
local pace = math.max(tonumber(redis.call('GET', KEYS[5]) or now), now)
local wait = 0
if not interactive then
  wait = pace - tolerance - now
end
if redis.call('LLEN', KEYS[1]) >= need then
  wait = math.max(wait, tonumber(redis.call('LINDEX', KEYS[1], need - 1)) + window - now)
end
if wait > 1e-9 then
  if interactive then
    redis.call('SET', KEYS[4], '1', 'PX', math.ceil(wait * 1000) + 100)
  end
  return {'0', string.format('%.6f', wait), '0'}
end
redis.call('LPUSH', KEYS[1], string.format('%.6f', now))
redis.call('LTRIM', KEYS[1], 0, size - 1)
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
if not interactive then
  redis.call('SET', KEYS[5], string.format('%.6f', pace + interval),
             'PX', math.ceil((pace + interval - now) * 1000) + 1000)
end
local new_chat = chat + chat_interval
redis.call('SET', KEYS[2], string.format('%.6f', new_chat),
           'PX', math.ceil((new_chat - now) * 1000) + 1000)
return {'1', '0', '0'}
"""

# KEYS: chat cell, pause, chat pause. ARGV: seconds, chat tolerance.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local seconds, chat_tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local chat = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
if chat - chat_tolerance > now + 1e-9 then
  local until_ = math.max(chat, now + seconds + chat_tolerance)
  redis.call('SET', KEYS[1], string.format('%.6f', until_),
             'PX', math.ceil((until_ - now) * 1000) + 1000)
  redis.call('SET', KEYS[3], string.format('%.6f', now + seconds),
             'PX', math.ceil(seconds * 1000) + 1000)
else
  local paused = tonumber(redis.call('GET', KEYS[2]) or 0)
  local until_ = math.max(paused, now + seconds)
  redis.call('SET', KEYS[2], string.format('%.6f', until_),
             'PX', math.ceil((until_ - now) * 1000) + 1000)
end
return 1
"""


class BudgetUnavailable(Exception):
    """Redis does not answer."""


def budget_namespace(bot_token: str) -> str:
    """Keys of one bot token, without the token itself in them (Redis is not a secret store)."""
    return "hotline:budget:" + hashlib.sha256(bot_token.encode()).hexdigest()[:16]


class RedisRateLimiter(RateBudget):
    def __init__(self, url: str, namespace: str, limits: Limits | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__(limits, sleep)
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._decide_script = self._redis.register_script(_DECIDE)
        self._pause_script = self._redis.register_script(_PAUSE)
        self._prefix = namespace

    async def ping(self) -> None:
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise BudgetUnavailable(str(exc) or type(exc).__name__) from None

    def _chat_key(self, chat_id: int) -> str:
        return f"{self._prefix}:chat:{chat_id}"

    async def _decide(self, chat_id: int, *, paid: bool, interactive: bool) -> Decision:
        limits = self.limits
        window, size, interval, tolerance = limits.overall(paid)
        chat_interval, chat_tolerance = limits.chat(chat_id)
        overall = f"{self._prefix}:{'paid' if paid else 'global'}"
        keys = [overall, self._chat_key(chat_id), f"{self._prefix}:pause",
                f"{self._prefix}:replies_waiting", f"{overall}:pace",
                f"{self._chat_key(chat_id)}:paused"]
        args = [repr(window), str(size), str(limits.reserve(paid, interactive)),
                repr(chat_interval), repr(chat_tolerance), "1" if interactive else "0",
                repr(interval), repr(tolerance)]
        while True:
            try:
                taken, wait, per_chat = await self._decide_script(keys=keys, args=args)
                return Decision(taken == b"1", float(wait), per_chat=per_chat == b"1")
            except (RedisError, OSError) as exc:
                # Sending without the shared budget would draw 429s for every process:
                # wait for Redis instead, loudly.
                _log_unavailable(exc)
                await self._sleep(1.0)

    async def pause(self, chat_id: int, seconds: float) -> None:
        _interval, chat_tolerance = self.limits.chat(chat_id)
        try:
            await self._pause_script(
                keys=[self._chat_key(chat_id), f"{self._prefix}:pause",
                      f"{self._chat_key(chat_id)}:paused"],
                args=[repr(seconds), repr(chat_tolerance)])
        except (RedisError, OSError) as exc:
            _log_unavailable(exc)  # the caller waits retry_after itself regardless

    async def close(self) -> None:
        await self._redis.aclose()


def _log_unavailable(exc: BaseException) -> None:
    log.warning("the shared send budget (Redis) does not answer: %s",
                                        exc)
