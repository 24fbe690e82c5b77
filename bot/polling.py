"""Long polling that confirms an offset only after the updates are kept.

Telegram forgets updates older than the offset of the next getUpdates. PTB's Updater asks for
the next batch as soon as it has put the last one on its in-memory queue, so a kill -9 loses
whatever sat there. Here a batch is stored in the update inbox first (one transaction), and
only then does the next getUpdates carry the offset past it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.update_payload import MalformedUpdate, UnusableUpdate, check_update, payload_text
from services.update_inbox import UpdateInbox

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 10
BATCH = 100
MAX_BACKOFF = 30.0
FULL_PAUSE = 1.0


class DurablePolling:
    def __init__(self, bot: Bot, inbox: UpdateInbox) -> None:
        self._bot = bot
        self._inbox = inbox
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._offset: int | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="durable-polling")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        """Ends the long poll in progress; a batch being stored is finished first."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            if self._inbox.full:
                # Not fetching is the backpressure: Telegram keeps the updates meanwhile.
                await self._pause(FULL_PAUSE)
                continue
            try:
                updates = await self._fetch()
            except _Stopped:
                return
            except RetryAfter as exc:
                await self._pause(exc.retry_after if isinstance(exc.retry_after, int | float)
                                  else exc.retry_after.total_seconds())
                continue
            except InvalidToken:
                log.error("long polling stopped: the Bot API refused HOTLINE_BOT_TOKEN")
                return
            except Conflict as exc:
                log.warning("long polling: %s; trying again in %.0f s", exc.message, backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            except NetworkError as exc:  # timeouts included: a new poll simply starts
                log.warning("long polling: the Bot API cannot be reached (%s); trying again in "
                            "%.0f s", exc.message, backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            except TelegramError as exc:
                log.warning("long polling: getUpdates failed (%s); trying again in %.0f s",
                            exc.message, backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            except Exception:  # a poller that died quietly would leave the bot deaf
                log.exception("long polling: getUpdates failed; trying again in %.0f s", backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            if updates and not await self._keep(updates):
                await self._pause(backoff)  # the same batch comes again: the offset stayed

    async def _fetch(self) -> tuple[Update, ...]:
        fetch = asyncio.create_task(self._bot.get_updates(
            offset=self._offset, limit=BATCH, timeout=LONG_POLL_SECONDS,
            allowed_updates=Update.ALL_TYPES))
        stop = asyncio.create_task(self._stop.wait())
        await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        if not fetch.done():
            # Only an HTTP wait is cancelled here, never a database call.
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            raise _Stopped
        stop.cancel()
        return fetch.result()

    async def _keep(self, updates: tuple[Update, ...]) -> bool:
        rows: list[tuple[int, str]] = []
        for update in updates:
            try:
                update_id, payload = check_update(update.to_dict())
            except (MalformedUpdate, UnusableUpdate) as exc:
                log.warning("long polling: ignored update %s that cannot be handled: %s",
                            update.update_id, exc)
                continue
            rows.append((update_id, payload_text(payload)))
        try:
            await self._inbox.keep_many(rows)
        except Exception:
            log.exception("long polling: could not keep %d updates; they will be fetched again",
                          len(rows))
            return False
        self._offset = updates[-1].update_id + 1
        return True

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)


class _Stopped(Exception):
    """The poll was ended by stop()."""
