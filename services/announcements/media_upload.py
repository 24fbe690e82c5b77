"""An attachment uploaded in the web console, checked here, then handed to Telegram once to
get a file_id: the broadcast then sends that file_id, exactly as for an announcement
composed in the chat with a photo or a file.

Services never talk to Telegram: `MediaUploader` is the small port bot/ implements.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Protocol

PHOTO_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
NAME_MAX = 120
# Photos Telegram shows as photos; recognised by their first bytes, not by the name given.
PHOTO_SIGNATURES = {"jpg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}
# Files residents are sent by the bureau: forms, notices, sheets, scans.
DOCUMENT_SUFFIXES = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt",
                               "csv", "odt", "ods", "zip", "jpg", "jpeg", "png"})


# The refusals check_attachment gives (text keys of console_announcements.po).
REFUSAL_KEYS = frozenset({
    "console_comms.media.error.kind", "console_comms.media.error.empty",
    "console_comms.media.error.too_big", "console_comms.media.error.photo_type",
    "console_comms.media.error.document_type",
})


class MediaKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class MediaRefused(ValueError):
    """`reason` is a text key; `limit` goes into it (megabytes, or the accepted types)."""

    def __init__(self, reason: str, limit: object = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: MediaKind
    filename: str
    data: bytes


class MediaUploader(Protocol):
    @property
    def ready(self) -> bool:
        """Whether a storage chat is set to upload to."""

    async def upload(self, attachment: Attachment, caption_html: str) -> str | None:
        """Uploads the file to the storage chat (never a person's chat) and returns
        Telegram's file_id; None if that failed."""


def _suffix(filename: str) -> str:
    return PurePath(filename).suffix.lower().lstrip(".")


def check_attachment(kind: str, filename: str, data: bytes) -> Attachment:
    """The upload as the broadcast may send it, or a MediaRefused saying what is wrong."""
    if kind not in tuple(MediaKind):
        raise MediaRefused("console_comms.media.error.kind")
    name = PurePath(filename.replace("\\", "/")).name.strip()[-NAME_MAX:] or "file"
    if not data:
        raise MediaRefused("console_comms.media.error.empty")
    if kind == MediaKind.PHOTO:
        if len(data) > PHOTO_MAX_BYTES:
            raise MediaRefused("console_comms.media.error.too_big", PHOTO_MAX_BYTES // 2**20)
        if not any(data.startswith(sign) for sign in PHOTO_SIGNATURES.values()):
            raise MediaRefused("console_comms.media.error.photo_type")
        return Attachment(MediaKind.PHOTO, name, data)
    if len(data) > DOCUMENT_MAX_BYTES:
        raise MediaRefused("console_comms.media.error.too_big", DOCUMENT_MAX_BYTES // 2**20)
    if _suffix(name) not in DOCUMENT_SUFFIXES:
        raise MediaRefused("console_comms.media.error.document_type",
                           ", ".join(sorted(DOCUMENT_SUFFIXES)))
    return Attachment(MediaKind.DOCUMENT, name, data)
