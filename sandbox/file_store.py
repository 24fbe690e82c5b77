"""Uploaded files, their file_ids and download paths, bounded by total bytes."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import random
import struct
from collections import deque
from dataclasses import dataclass, field
from typing import Any

# Telegram file_ids start with a type marker; bots only care that they are opaque strings.
_ID_PREFIX = {"photo": "AgACAgIAAxkBAA", "document": "BQACAgIAAxkBAA", "voice": "AwACAgIAAxkBAA"}
_PHOTO_SIDES = (90, 320, 800, 1280)
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
               "image/webp": ".webp", "audio/ogg": ".oga"}


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo, document or voice
    data: bytes
    file_path: str
    mime_type: str
    file_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # width/height or duration
    group: tuple[str, ...] = ()  # file_ids of all sizes of the same photo

    @property
    def file_size(self) -> int:
        return len(self.data)

    def file_object(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": self.file_size, "file_path": self.file_path}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG from its header, without decoding it."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return None


def _sniff_image_mime(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"


class FileStore:
    def __init__(self, rng: random.Random, max_bytes: int) -> None:
        self._rng = rng
        self._max_bytes = max_bytes
        self._bytes = 0
        self._counter = 0
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._groups: deque[tuple[list[str], int]] = deque()  # oldest first, for eviction

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def _new_id(self, kind: str) -> str:
        raw = self._counter.to_bytes(4, "big") + self._rng.getrandbits(160).to_bytes(20, "big")
        prefix = _ID_PREFIX.get(kind, "CAACAgIAAxkBAA")
        return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _unique_id(self, data: bytes, tag: str) -> str:
        digest = hashlib.blake2b(data + tag.encode(), digest_size=9).digest()
        return "AQAD" + base64.urlsafe_b64encode(digest).decode()

    def _add(self, kind: str, data: bytes, mime_type: str, file_name: str | None,
             tag: str, extra: dict[str, Any]) -> StoredFile:
        self._counter += 1
        folder = {"photo": "photos", "voice": "voice"}.get(kind, "documents")
        extension = _EXTENSIONS.get(mime_type) or mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
            file_id=self._new_id(kind),
            file_unique_id=self._unique_id(data, f"{kind}:{tag}"),
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{self._counter}{extension}",
            mime_type=mime_type,
            file_name=file_name,
            extra=extra,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def _remember(self, files: list[StoredFile], size: int) -> None:
        self._groups.append(([f.file_id for f in files], size))
        self._bytes += size
        while self._bytes > self._max_bytes and len(self._groups) > 1:
            ids, freed = self._groups.popleft()
            self._bytes -= freed
            for file_id in ids:
                gone = self._by_id.pop(file_id, None)
                if gone is not None:
                    self._by_path.pop(gone.file_path, None)

    def add_photo(self, data: bytes) -> list[StoredFile]:
        """One upload, several PhotoSize files (Telegram keeps a few resolutions of a photo)."""
        width, height = image_size(data) or (1280, 960)
        mime_type = _sniff_image_mime(data)
        longest = max(width, height, 1)
        sizes: list[StoredFile] = []
        for side in _PHOTO_SIDES:
            scale = min(1.0, side / longest)
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            if sizes and (w, h) == (sizes[-1].extra["width"], sizes[-1].extra["height"]):
                break
            sizes.append(self._add("photo", data, mime_type, None, str(side),
                                   {"width": w, "height": h}))
        group = tuple(f.file_id for f in sizes)
        for size in sizes:
            size.group = group
        self._remember(sizes, len(data))
        return sizes

    def add_document(self, data: bytes, file_name: str, mime_type: str | None) -> StoredFile:
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._add("document", data, mime, file_name, "doc", {})
        self._remember([stored], len(data))
        return stored

    def add_voice(self, data: bytes, duration: int, mime_type: str = "audio/ogg") -> StoredFile:
        stored = self._add("voice", data, mime_type, None, "voice", {"duration": duration})
        self._remember([stored], len(data))
        return stored

    def photo_sizes(self, sizes: list[StoredFile]) -> list[dict[str, Any]]:
        return [{"file_id": f.file_id, "file_unique_id": f.file_unique_id,
                 "file_size": f.file_size, "width": f.extra["width"],
                 "height": f.extra["height"]} for f in sizes]

    def siblings(self, stored: StoredFile) -> list[StoredFile]:
        """All sizes of the photo `stored` is one size of (just itself for other kinds)."""
        if not stored.group:
            return [stored]
        return [self._by_id[i] for i in stored.group if i in self._by_id]
