"""The sender: claims due outbox rows, sends them within the limits, records every result.

A row is claimed in the database before it is sent and its result recorded right after (in
small batches), so a crash loses nothing: unclaimed rows wait, rows claimed by a dead sender
are taken over once their lease expires, and only the few on the wire at the moment of the
crash can reach their recipient twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.delivery.limits import RateBudget
from services.delivery.protocol import (
    CampaignSource,
    DeliveryResult,
    Messenger,
    Outcome,
    OutgoingMessage,
    Progress,
)
from storage.models import utcnow
from storage.repositories.outbox import (
    BLOCKED,
    CANCELLED,
    CLAIMED,
    FAILED,
    PENDING,
    SENT,
    ClaimedMessage,
    OutboxRepository,
    OutboxResult,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EngineSettings:
    concurrency: int = 64  # sends on the wire at once (latency hides behind them)
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 5  # network errors and 5xx, then the row is recorded as failed
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    flush_interval: float = 0.2
    progress_interval: float = 2.0
    idle_poll: float = 5.0  # look for due rows at least this often (another process's work)


class DeliveryEngine:
    def __init__(self, outbox: OutboxRepository, limiter: RateBudget, messenger: Messenger,
                 settings: EngineSettings | None = None) -> None:
        self.outbox = outbox
        self.limiter = limiter
        self.settings = settings or EngineSettings()
        self.sender_id = f"{uuid.uuid4().hex[:12]}"
        self._sources: dict[str, CampaignSource] = {}
        # The Telegram side (bot/telegram_sender.py); also what sends a single preview.
        self.messenger = messenger
        self._queue: asyncio.Queue[ClaimedMessage] = asyncio.Queue()
        self._results: list[OutboxResult] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._campaigns: set[tuple[str, int]] = set()
        self._rendered: dict[tuple[str, int, str], OutgoingMessage | None] = {}
        self._recent: deque[float] = deque(maxlen=5000)  # send times, for the rate shown
        self._in_hand = 0  # claimed by us and not yet recorded
        self._hand_target = 32
        self._stopped: set[tuple[str, int]] = set()
        # Taken from the queue by a worker but not yet on the wire (waiting for the limiter).
        self._waiting: dict[int, ClaimedMessage] = {}
        self._workers: list[asyncio.Task] = []
        self._closing = False
        self._stopping = asyncio.Event()
        self._on_wire: set[asyncio.Task] = set()  # workers whose call Telegram is answering
        # Workers waiting for a row or for their turn: the only moments a cancel is harmless.
        self._idle: set[asyncio.Task] = set()
        # When our claims were last made fresh in the database (monotonic, taken before the
        # statement): each row's at its claim, all of ours at the latest renewal.
        self._claimed_at: dict[int, float] = {}
        self._renewed_at = 0.0

    def register_source(self, kind: str, source: CampaignSource) -> None:
        self._sources[kind] = source

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    # Calls already on the wire get this long to be answered at shutdown, so their results
    # are recorded and a restart neither waits for the lease nor sends them again.
    STOP_GRACE = 10.0

    def start(self) -> None:
        self._closing = False
        self._stopping = asyncio.Event()
        loops = [self._claim_loop(), self._flush_loop(), self._progress_loop(),
                 self._renew_loop()]
        self._tasks = [asyncio.create_task(loop) for loop in loops]
        self._workers = [asyncio.create_task(self._worker())
                         for _ in range(self.settings.concurrency)]

    def stop_campaign(self, kind: str, campaign_id: int) -> None:
        """A campaign was cancelled: rows already claimed here are not sent either."""
        self._stopped.add((kind, campaign_id))

    def wake(self) -> None:
        """New rows are due (a broadcast confirmed, a scheduled time reached)."""
        self._wake.set()

    async def stop(self) -> None:
        # Loops and workers are asked to finish rather than cancelled: a cancel landing in the
        # middle of a database call can leave its connection inside a transaction, and SQLite
        # then refuses every other writer until it times out.
        self._closing = True
        self._stopping.set()
        self._wake.set()
        for worker in list(self._idle):
            worker.cancel()
        running = [*self._tasks, *self._workers]
        if running:
            _, late = await asyncio.wait(running, timeout=self.STOP_GRACE)
            for task in late:  # a call that never answers must not hold up shutdown
                task.cancel()
        await asyncio.gather(*self._tasks, *self._workers, return_exceptions=True)
        self._tasks, self._workers = [], []
        await self._flush()
        # Rows claimed but never sent go back at once, rather than after the lease.
        leftover = []
        unsent = list(self._waiting.values())
        self._waiting.clear()
        while not self._queue.empty():
            unsent.append(self._queue.get_nowait())
        for message in unsent:
            if (message.campaign_kind, message.campaign_id) in self._stopped:
                leftover.append(OutboxResult(message.id, CANCELLED, error="cancelled"))
            else:
                leftover.append(OutboxResult(message.id, PENDING, not_before=utcnow()))
        await self.outbox.record(self.sender_id, leftover)

    # -- claiming -------------------------------------------------------------------------

    async def _pause(self, seconds: float) -> None:
        """Sleeps, but wakes at once when the engine is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _claim_loop(self) -> None:
        while not self._closing:
            if self._in_hand > self._hand_target // 2:
                await self._pause(0.02)
                continue
            # Cleared before looking, so a wake() during the claim is not lost.
            self._wake.clear()
            try:
                claimed = await self._claim_some()
            except Exception:  # the database may be briefly unavailable; keep going
                log.exception("claiming outbox rows failed")
                claimed = 0
            if not claimed:
                await self._sleep_until_due()

    async def _claim_some(self) -> int:
        asked = time.monotonic()
        batch = await self.outbox.claim(self.sender_id, self._hand_target - self._in_hand,
                                        self.settings.lease)
        for message in batch:
            self._claimed_at[message.id] = asked
            self._in_hand += 1
            self._campaigns.add((message.campaign_kind, message.campaign_id))
            self._queue.put_nowait(message)
        # Hold about a second's worth: enough to keep the workers busy, few enough that a
        # crash leaves little claimed and unsent (paid broadcasts go up to 1,000 a second).
        limits = self.limiter.limits
        rate = limits.paid_rate if batch and batch[0].paid else limits.global_rate
        self._hand_target = max(8, int(rate))
        return len(batch)

    async def _sleep_until_due(self) -> None:
        due = await self.outbox.next_due()
        timeout = self.settings.idle_poll
        if due is not None:
            due = due if due.tzinfo else due.replace(tzinfo=UTC)
            timeout = min(timeout, max(0.05, (due - datetime.now(UTC)).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    # -- sending --------------------------------------------------------------------------

    async def _worker(self) -> None:
        while not self._closing:
            async with self._interruptible():
                message = await self._queue.get()
            self._waiting[message.id] = message
            try:
                result = await self._send(message)
            except Exception as exc:  # a bug in rendering must not stall the whole queue
                log.exception("sending outbox row %s failed", message.id)
                result = self._retry_or_fail(message, f"error: {type(exc).__name__}")
            if result is None:  # stopping: the row stays in _waiting and goes back unsent
                return
            self._waiting.pop(message.id, None)
            self._results.append(result)
            if result.state == PENDING:
                self.wake()

    async def _payload(self, message: ClaimedMessage) -> OutgoingMessage | None:
        key = (message.campaign_kind, message.campaign_id, message.locale)
        if key not in self._rendered:
            source = self._sources.get(message.campaign_kind)
            self._rendered[key] = (
                await source.render(message.campaign_id, message.locale) if source else None)
        return self._rendered[key]

    @contextlib.asynccontextmanager
    async def _interruptible(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        assert task is not None
        self._idle.add(task)
        try:
            yield
        finally:
            self._idle.discard(task)

    async def _send(self, message: ClaimedMessage) -> OutboxResult | None:
        """The row's outcome, or None when the engine stopped before it went out."""
        claimed = self._claimed_at.pop(message.id, 0.0)
        campaign = (message.campaign_kind, message.campaign_id)
        payload = None if campaign in self._stopped else await self._payload(message)
        if payload is None:
            return OutboxResult(message.id, CANCELLED, error="cancelled")
        if self._closing:
            return None
        async with self._interruptible():
            await self.limiter.acquire(message.chat_id, paid=message.paid)
        if campaign in self._stopped:  # cancelled while this row waited for its turn
            return OutboxResult(message.id, CANCELLED, error="cancelled")
        if self._closing:
            return None
        if self._claim_may_have_lapsed(claimed):
            # Another sender may hold it by now (this process stalled past its renewals):
            # sending would make two. Handed back; whoever holds it sends it (the record
            # only changes a row this sender still holds).
            log.warning("outbox row %s: our claim may have lapsed; handed back unsent",
                        message.id)
            return OutboxResult(message.id, PENDING, not_before=utcnow())
        # On the wire from here: after a crash it may have arrived or not (the lease decides).
        self._waiting.pop(message.id, None)
        task = asyncio.current_task()
        assert task is not None
        self._on_wire.add(task)
        try:
            outcome = await self.messenger.deliver(message.chat_id, payload,
                                                   paid=message.paid)
        finally:
            self._on_wire.discard(task)
        self._recent.append(time.monotonic())
        return await self._result(message, outcome)

    async def _result(self, message: ClaimedMessage, result: DeliveryResult) -> OutboxResult:
        match result.outcome:
            case Outcome.SENT:
                return OutboxResult(message.id, SENT, message_id=result.message_id)
            case Outcome.BLOCKED | Outcome.CHAT_NOT_FOUND:
                source = self._sources.get(message.campaign_kind)
                if source is not None:
                    await source.on_unreachable(message.chat_id, result.outcome)
                return OutboxResult(message.id, BLOCKED, error=result.outcome.value)
            case Outcome.RETRY_AFTER:
                # The send gateway already waited out many 429s for this row; put it back
                # for later rather than hold a worker (not an attempt that failed).
                wait = result.retry_after or 1.0
                return OutboxResult(message.id, PENDING,
                                    not_before=utcnow() + timedelta(seconds=wait))
            case Outcome.TRANSIENT:
                return self._retry_or_fail(message, result.reason or "network error")
            case _:
                return OutboxResult(message.id, FAILED, error=result.reason or "failed")

    def _claim_may_have_lapsed(self, claimed: float) -> bool:
        """True when the row's claim is older than two thirds of the lease: the renewals
        keep a live sender's claims within a third, so an older one means this process
        stalled, and another sender takes a claim over once it is a whole lease old."""
        fresh = max(claimed, self._renewed_at)
        return time.monotonic() - fresh > self.settings.lease.total_seconds() * 2 / 3

    def _retry_or_fail(self, message: ClaimedMessage, reason: str) -> OutboxResult:
        if message.attempts >= self.settings.max_attempts:
            return OutboxResult(message.id, FAILED,
                                error=f"{reason} (after {message.attempts} attempts)")
        delay = min(self.settings.backoff_max,
                    self.settings.backoff_base * 2 ** (message.attempts - 1))
        delay *= 0.5 + random.random() / 2  # jitter, so retries do not arrive in step
        return OutboxResult(message.id, PENDING, error=reason,
                            not_before=utcnow() + timedelta(seconds=delay))

    async def _renew_loop(self) -> None:
        # Rows wait in our queue (behind the rate limit, a retry_after) for a while: renewing
        # the claim three times per lease keeps a live sender's rows its own, while a dead
        # sender's rows expire and are taken over.
        while not self._closing:
            await self._pause(self.settings.lease.total_seconds() / 3)
            if self._closing:
                return
            asked = time.monotonic()
            try:
                await self.outbox.renew(self.sender_id)
                self._renewed_at = asked
            except Exception:
                log.exception("renewing outbox claims failed")

    # -- recording ------------------------------------------------------------------------

    async def _flush_loop(self) -> None:
        while not self._closing:  # stop() records what is left itself
            await self._pause(self.settings.flush_interval)
            try:
                await self._flush()
            except Exception:
                log.exception("recording delivery results failed; retrying")

    async def _flush(self) -> None:
        results, self._results = self._results, []
        if not results:
            return
        try:
            await self.outbox.record(self.sender_id, results)
        except Exception:
            self._results = results + self._results
            raise
        self._in_hand -= len(results)

    # -- progress -------------------------------------------------------------------------

    def current_rate(self) -> float:
        now = time.monotonic()
        window = [t for t in self._recent if now - t <= 5.0]
        if len(window) < 2:
            return 0.0
        return len(window) / max(now - window[0], 1.0)

    async def progress(self, kind: str, campaign_id: int) -> Progress:
        counts = await self.outbox.counts(kind, campaign_id)
        return Progress(
            sent=counts.get(SENT, 0),
            blocked=counts.get(BLOCKED, 0),
            failed=counts.get(FAILED, 0),
            remaining=counts.get(PENDING, 0) + counts.get(CLAIMED, 0),
            cancelled=counts.get(CANCELLED, 0),
            rate=self.current_rate(),
        )

    async def _progress_loop(self) -> None:
        while not self._closing:
            await self._pause(self.settings.progress_interval)
            if self._closing:
                return
            for kind, campaign_id in list(self._campaigns):
                try:
                    await self._report(kind, campaign_id)
                except Exception:
                    log.exception("progress of %s %s failed", kind, campaign_id)

    async def _report(self, kind: str, campaign_id: int) -> None:
        source = self._sources.get(kind)
        progress = await self.progress(kind, campaign_id)
        if progress.remaining == 0:
            self._campaigns.discard((kind, campaign_id))
            for key in [k for k in self._rendered if k[:2] == (kind, campaign_id)]:
                del self._rendered[key]
            if source is not None:
                await source.on_finished(campaign_id, progress)
        elif source is not None:
            await source.on_progress(campaign_id, progress)
