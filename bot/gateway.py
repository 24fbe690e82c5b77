"""The one send path: every Bot API call the bot makes passes here (PTB's request layer).

For each call that creates a message it waits for room in the shared budget (replies to
people ahead of broadcast traffic), keeps each chat's messages in order (a per-chat FIFO held
across retries), and applies the one retry policy: a 429 waits exactly `retry_after` and
tries again, 5xx answers and network errors back off and try again. Only a final failure
(blocked, chat gone, refused, retries exhausted) reaches the caller; it is logged here once
and, for replies to people, handed to the failure record that staff see.

`classify()` is the one mapping of Telegram's answers to outcomes, for every caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData

from bot.settings import Settings
from bot.transport import DelegatingRequest, default_request
from services.delivery.limits import RateBudget
from services.delivery.protocol import DeliveryResult, Outcome
from services.send_failures import FinalFailure, SendFailureLog

log = logging.getLogger(__name__)

# Methods Telegram counts against its flood limits: the ones that create messages.
COUNTED_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendAudio", "sendVideo",
    "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendMediaGroup",
    "sendVenue", "sendPoll", "sendDice", "sendVideoNote", "copyMessage", "forwardMessage",
    "copyMessages", "forwardMessages",
})


# -- the one mapping --------------------------------------------------------------------------

def outcome_of(status: int, description: str) -> Outcome:
    """A Bot API answer's status and description -> what to do about it."""
    if status == 429:
        return Outcome.RETRY_AFTER
    if status == 403:
        return Outcome.BLOCKED
    if status == 400:
        return (Outcome.CHAT_NOT_FOUND if "chat not found" in description.lower()
                else Outcome.FAILED)
    if status >= 500 or status == 0:  # 0: no answer at all (network)
        return Outcome.TRANSIENT
    return Outcome.FAILED


def classify(error: TelegramError) -> DeliveryResult:
    """PTB's exception (as a caller of the gateway sees it) -> the outcome."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
        return DeliveryResult(Outcome.RETRY_AFTER, retry_after=seconds, reason=error.message)
    if isinstance(error, ChatMigrated):
        return DeliveryResult(Outcome.FAILED, reason=f"chat migrated to {error.new_chat_id}")
    if isinstance(error, Forbidden):
        return DeliveryResult(outcome_of(403, error.message), reason=error.message)
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB: check it first
        return DeliveryResult(outcome_of(400, error.message), reason=error.message)
    if isinstance(error, TimedOut | NetworkError):
        return DeliveryResult(Outcome.TRANSIENT, reason=error.message)
    return DeliveryResult(Outcome.TRANSIENT, reason=error.message)


# -- what kind of traffic a call is -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Traffic:
    broadcast: bool = False
    # The caller already spent the budget for the first attempt (the delivery engine paces
    # itself, so it knows when a row went on the wire).
    prepaid: bool = False


_INTERACTIVE = Traffic()
_TRAFFIC: ContextVar[Traffic | None] = ContextVar("send_traffic", default=None)


@contextlib.contextmanager
def broadcast_traffic(*, prepaid: bool = False) -> Iterator[None]:
    """Calls made inside are broadcast traffic: they wait behind replies to people."""
    token = _TRAFFIC.set(Traffic(broadcast=True, prepaid=prepaid))
    try:
        yield
    finally:
        _TRAFFIC.reset(token)


# -- final failures ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # for 5xx and network errors: the first try and three more
    backoff_base: float = 0.25
    backoff_max: float = 8.0
    # 429s are Telegram's "come back later", not failures; this only stops a loop that
    # would otherwise never end.
    max_retry_after: int = 30
    # Calls that create no message (edits, callback answers) have a fallback or go stale:
    # a longer pause than this is handed back to the caller instead of waited out.
    longest_wait_uncounted: float = 10.0

    def backoff(self, failures: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * 2 ** (failures - 1))
        return delay * (0.5 + random.random() / 2)  # jitter: retries do not arrive in step


class ChatQueues:
    """One FIFO lock per chat with a call in progress; a chat's entry goes when it is idle."""

    def __init__(self) -> None:
        self._locks: dict[object, tuple[asyncio.Lock, list[int]]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def hold(self, chat: object) -> AsyncIterator[None]:
        entry = self._locks.get(chat)
        if entry is None:
            entry = self._locks[chat] = (asyncio.Lock(), [0])
        lock, users = entry
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[chat]


def _chat_of(parameters: dict[str, Any]) -> tuple[object, int]:
    """(the FIFO key, the numeric id for the budget; "@channel" names count as a group)."""
    raw = parameters.get("chat_id")
    text = str(raw)
    if text.lstrip("-").isdigit():
        return int(text), int(text)
    return text, 0


def _retry_after(payload: bytes) -> float:
    try:
        answer = json.loads(payload)
        return float(answer["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return 1.0


def _description(payload: bytes) -> str:
    try:
        return str(json.loads(payload).get("description") or "")
    except (ValueError, AttributeError):
        return payload[:80].decode("utf-8", "replace")


class SendGateway(DelegatingRequest):
    def __init__(self, inner: BaseRequest, budget: RateBudget, *,
                 policy: RetryPolicy | None = None,
                 on_final_failure: Callable[[FinalFailure], None] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__(inner)
        self.budget = budget
        self.policy = policy or RetryPolicy()
        self._on_final_failure = on_final_failure
        self._sleep = sleep
        self.chats = ChatQueues()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]

        async def call() -> tuple[int, bytes]:
            return await self._inner.do_request(url, method, request_data, read_timeout,
                                                write_timeout, connect_timeout, pool_timeout)

        if api_method not in COUNTED_METHODS:
            return await self._with_retries(api_method, call, None)
        parameters = request_data.parameters if request_data is not None else {}
        key, chat_id = _chat_of(parameters)
        paid = bool(parameters.get("allow_paid_broadcast"))
        async with self.chats.hold(key):
            return await self._with_retries(api_method, call, (chat_id, paid))

    async def _with_retries(self, api_method: str, call: Callable[[], Awaitable[tuple[int, bytes]]],
                            counted: tuple[int, bool] | None) -> tuple[int, bytes]:
        traffic = _TRAFFIC.get() or _INTERACTIVE
        policy = self.policy
        failures = rate_limited = 0
        first = True
        while True:
            if counted is not None and not (first and traffic.prepaid):
                await self.budget.acquire(counted[0], paid=counted[1],
                                          interactive=not traffic.broadcast)
            first = False
            try:
                status, payload = await call()
            except (TimedOut, NetworkError) as error:
                failures += 1
                if failures >= policy.attempts:
                    self._give_up(api_method, counted, traffic, Outcome.TRANSIENT,
                                  f"{error.message} (after {failures} attempts)")
                    raise
                await self._sleep(policy.backoff(failures))
                continue
            if 200 <= status < 300:
                return status, payload
            outcome = outcome_of(status, "")
            if outcome is Outcome.RETRY_AFTER:
                rate_limited += 1
                wait = _retry_after(payload)
                if rate_limited > policy.max_retry_after or (
                        counted is None and wait > policy.longest_wait_uncounted):
                    self._give_up(api_method, counted, traffic, outcome,
                                  f"rate limited ({rate_limited} times, now for {wait:.0f} s)")
                    return status, payload
                log.info("%s: 429, waiting %.0f s as Telegram asks", api_method, wait)
                if counted is not None:
                    await self.budget.pause(counted[0], wait)
                await self._sleep(wait)
                continue
            if outcome is Outcome.TRANSIENT:
                failures += 1
                if failures < policy.attempts:
                    await self._sleep(policy.backoff(failures))
                    continue
                self._give_up(api_method, counted, traffic, outcome,
                              f"{status} {_description(payload)} (after {failures} attempts)")
                return status, payload
            if counted is not None:  # refused for good: blocked, chat gone, bad request
                description = _description(payload)
                self._give_up(api_method, counted, traffic, outcome_of(status, description),
                              description)
            return status, payload

    def _give_up(self, api_method: str, counted: tuple[int, bool] | None, traffic: Traffic,
                 outcome: Outcome, reason: str) -> None:
        if counted is None:
            # Not a message (getMe, an edit, a button's answer): its caller gets the error
            # and says what it means there (the CLI in one sentence, the bot in its log).
            log.info("%s given up: %s (%s)", api_method, outcome.value, reason)
            return
        chat_id = counted[0]
        quiet = traffic.broadcast and outcome in (Outcome.BLOCKED, Outcome.CHAT_NOT_FOUND)
        # Unreachable broadcast recipients are normal (their owner records them); a reply
        # that could not be delivered is something staff should see.
        log.log(logging.INFO if quiet else logging.WARNING, "%s to chat %s given up: %s (%s)",
                api_method, chat_id, outcome.value, reason)
        if not traffic.broadcast and self._on_final_failure:
            self._on_final_failure(FinalFailure(chat_id, api_method, outcome.value, reason))


def send_request(settings: Settings, budget: RateBudget,
                 failures: SendFailureLog) -> SendGateway:
    """The request object of every Bot object that sends (the bot's and `hotline deliver`'s)."""
    return SendGateway(default_request(client=settings.http_client), budget,
                       on_final_failure=failures.note)
