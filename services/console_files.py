"""Files people sent the bot (an idea's photo), shown in the web console.

The console asks for a file by the record it belongs to; the bot fetches it from Telegram
(getFile, then the download) so the browser never sees a Telegram address with the bot's
token in it. Recently shown files are kept in memory, bounded by total size.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Protocol

CACHE_BYTES = 64 * 1024 * 1024
# What a page may show as an image, recognised by the file's first bytes.
IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
               (b"GIF8", "image/gif"))


class FileSource(Protocol):
    async def fetch(self, file_id: str) -> bytes | None:
        """The file's bytes, or None when Telegram no longer has it (or cannot be reached)."""


def image_type(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for sign, kind in IMAGE_TYPES if data.startswith(sign)), None)


class ConsoleFiles:
    def __init__(self, source: FileSource, limit: int = CACHE_BYTES) -> None:
        self._source = source
        self._limit = limit
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        # Two browsers opening the same idea fetch its photo from Telegram once.
        self._fetching: dict[str, asyncio.Lock] = {}

    async def image(self, file_id: str) -> tuple[bytes, str] | None:
        """The image and its content type; None if it cannot be had or is not an image."""
        data = await self._bytes(file_id)
        kind = image_type(data) if data else None
        return (data, kind) if data and kind else None

    async def data(self, file_id: str) -> bytes | None:
        """Any file's bytes (a case's document or voice note), through the same cache."""
        return await self._bytes(file_id)

    async def _bytes(self, file_id: str) -> bytes | None:
        if file_id in self._kept:
            self._kept.move_to_end(file_id)
            return self._kept[file_id]
        lock = self._fetching.setdefault(file_id, asyncio.Lock())
        async with lock:
            data = self._kept.get(file_id)
            if data is None:
                data = await self._source.fetch(file_id)
                if data is not None:
                    self._keep(file_id, data)
        self._fetching.pop(file_id, None)
        return data

    def _keep(self, file_id: str, data: bytes) -> None:
        if len(data) > self._limit:
            return
        self._kept[file_id] = data
        self._size += len(data)
        while self._size > self._limit:
            _old, dropped = self._kept.popitem(last=False)
            self._size -= len(dropped)
