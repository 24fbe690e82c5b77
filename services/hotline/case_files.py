"""The files of a case's transcript (photos, documents, voice notes) for the web console.

A file is asked for by the case and the message it came with, never by a Telegram file_id
from the browser: the case must hold that message, and the message must carry a file. The
bytes come through the bot (services.console_files: getFile, then the download), so the
browser never sees the bot's token or Telegram's file address.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.console_files import ConsoleFiles, image_type
from services.hotline.cases import CaseService

# Bots may download files up to 20 MB from Telegram; the console serves nothing bigger.
MAX_BYTES = 20 * 1024 * 1024
# What a file is, by its first bytes, when it is not an image: (signature, offset, type, ext).
SIGNATURES = (
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"OggS", 0, "audio/ogg", "ogg"),
    (b"ID3", 0, "audio/mpeg", "mp3"),
    (b"ftyp", 4, "video/mp4", "mp4"),
    (b"PK\x03\x04", 0, "application/zip", "zip"),
)
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
                    "image/webp": "webp"}
# A voice note with an unknown signature is still Opus in Ogg: that is what Telegram records.
KIND_DEFAULTS = {"voice": ("audio/ogg", "ogg")}
SHOWN_INLINE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp",
                          "audio/ogg", "audio/mpeg"})


@dataclass(frozen=True, slots=True)
class CaseFile:
    data: bytes
    content_type: str
    filename: str
    inline: bool  # an image or a recording the page shows itself; else a download


class CaseFileError(LookupError):
    """no_file: the case holds no such message with a file; unavailable: Telegram did not
    give the file (deleted, unreachable); too_big: over MAX_BYTES."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def describe(data: bytes, kind: str) -> tuple[str, str]:
    """The content type and file extension of `data`, a message of `kind`."""
    image = image_type(data)
    if image is not None:
        return image, IMAGE_EXTENSIONS[image]
    for signature, offset, content_type, extension in SIGNATURES:
        if data[offset:offset + len(signature)] == signature:
            return content_type, extension
    return KIND_DEFAULTS.get(kind, ("application/octet-stream", "bin"))


class CaseFiles:
    def __init__(self, cases: CaseService, files: ConsoleFiles) -> None:
        self._cases = cases
        self._files = files

    async def file(self, number: str, message_id: int) -> CaseFile:
        case = await self._cases.by_number(number.strip().upper())
        if case is None:
            raise CaseFileError("no_file")
        message = next((m for m in await self._cases.messages(case.id) if m.id == message_id),
                       None)
        if message is None or not message.media_ref:
            raise CaseFileError("no_file")
        data = await self._files.data(message.media_ref)
        if data is None:
            raise CaseFileError("unavailable")
        if len(data) > MAX_BYTES:
            raise CaseFileError("too_big")
        content_type, extension = describe(data, message.kind)
        return CaseFile(data, content_type, f"{case.number}-{message_id}.{extension}",
                        content_type in SHOWN_INLINE)
