"""The HTTP layer under PTB: the request class, plus a wrapper that logs what the bot sent."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.aiohttp_request import AiohttpRequest
from handlers.message_log import entries_for_bot_result
from services.conversation_log import LogEntry

log = logging.getLogger(__name__)

# The methods whose results are messages worth keeping in the conversation log.
LOGGED_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendAudio", "sendVideo",
    "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendMediaGroup",
    "copyMessage", "forwardMessage", "editMessageText", "editMessageCaption",
})


class DelegatingRequest(BaseRequest):
    """Wraps another request class: subclasses add work around `inner.do_request`."""

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

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
        self.before(api_method, request_data)
        code, payload = await self._inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        self.after(api_method, request_data, code, payload)
        return code, payload

    def before(self, api_method: str, request_data: RequestData | None) -> None:
        """Runs before the call goes out."""

    def after(self, api_method: str, request_data: RequestData | None, code: int,
              payload: bytes) -> None:
        """Runs with the raw answer."""


class RecordingRequest(DelegatingRequest):
    """Records every message the bot sent in the conversation log."""

    def __init__(self, inner: BaseRequest, record: Callable[[LogEntry], None]) -> None:
        super().__init__(inner)
        self._record = record

    def after(self, api_method: str, request_data: RequestData | None, code: int,
              payload: bytes) -> None:
        if code == 200 and api_method in LOGGED_METHODS:
            self._observe(api_method, request_data, payload)

    def _observe(self, api_method: str, request_data: RequestData | None, payload: bytes) -> None:
        try:
            result: Any = json.loads(payload)["result"]
            params = request_data.parameters if request_data is not None else {}
            for entry in entries_for_bot_result(api_method, params, result):
                self._record(entry)
        except (ValueError, KeyError, TypeError):
            # Never let bookkeeping break a send; PTB itself reports malformed answers.
            log.warning("could not log the result of %s", api_method)


def default_request(*, for_updates: bool = False, client: str = "aiohttp") -> BaseRequest:
    """Our aiohttp client (or PTB's own httpx one); long polling gets a single connection."""
    if client == "httpx":
        if for_updates:
            return HTTPXRequest(connection_pool_size=1, read_timeout=40.0)
        return HTTPXRequest(connection_pool_size=64, read_timeout=15.0, pool_timeout=5.0)
    if for_updates:
        return AiohttpRequest(connection_pool_size=1, read_timeout=40.0)
    return AiohttpRequest(connection_pool_size=256, read_timeout=15.0, pool_timeout=5.0)
