"""A photo or a file attached to an announcement composed in the console.

The review step checks the upload (type and size, on the server), hands it to the bot once
to get Telegram's file_id, and keeps that file_id on the composing form's one-time token
(the one Send claims): a forged form cannot make the broadcast send any other file.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from console.auth import viewer
from console.forms import Form
from console.keys import SERVICES
from console.rendering import render_refusal
from services.announcements.broadcasts import Draft
from services.announcements.media_upload import (
    DOCUMENT_MAX_BYTES,
    Attachment,
    MediaKind,
    MediaRefused,
    check_attachment,
)

# What the review step may receive: the largest file and the text fields beside it.
UPLOAD_BODY_MAX = DOCUMENT_MAX_BYTES + 1024 * 1024
FIELDS = (MediaKind.PHOTO.value, MediaKind.DOCUMENT.value)
# "1" on the form while an attachment uploaded before is kept; the box that drops it.
KEPT = "kept"
DROP = "drop_attachment"
# The confirmation page's note of the attachment it showed (its file_id, or empty).
SHOWN = "attachment"
# The one-time token of the composing form, from the empty form to Send: a second Send (a
# double click, the back button to an older confirmation) publishes nothing more.
SEND_PURPOSE = "/console/announcements"


def accepts_uploads(view: Callable[[web.Request], Awaitable[web.StreamResponse]]
                    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Lets one view read a body as large as an attachment may be (the server's own limit
    stays small for every other request, the webhook included)."""

    @functools.wraps(view)
    async def larger(request: web.Request) -> web.StreamResponse:
        roomier = request.clone(client_max_size=UPLOAD_BODY_MAX)
        try:
            return await view(roomier)
        except web.HTTPRequestEntityTooLarge:
            # `roomier` knows the signed-in viewer (and so their language) by now.
            return await render_refusal(roomier, 413, "console_comms.media.error.request_too_big")

    return larger


def read_upload(form: Form, posted: Mapping[str, Any]) -> Attachment | None:
    """The chosen file, checked; a refusal goes beside its field of the form."""
    chosen = [(name, posted[name]) for name in FIELDS
              if isinstance(posted.get(name), web.FileField)]
    try:
        return _checked(form, chosen)
    finally:
        # aiohttp spools uploads into temporary files: they go as soon as they are read.
        for value in posted.values():
            if isinstance(value, web.FileField):
                value.file.close()


def _checked(form: Form, chosen: list[tuple[str, web.FileField]]) -> Attachment | None:
    if len(chosen) > 1:
        form.fail(MediaKind.DOCUMENT.value, "console_comms.media.error.two_files")
        return None
    if not chosen:
        return None
    name, upload = chosen[0]
    try:
        return check_attachment(name, upload.filename or "", upload.file.read())
    except MediaRefused as refusal:
        form.fail(name, refusal.reason, limit=refusal.limit)
        return None


async def attached(request: web.Request, token: str) -> dict | None:
    """The attachment uploaded earlier for this composing form, if any."""
    tokens = request.app[SERVICES].form_tokens
    return await tokens.payload(token, viewer(request).telegram_id, SEND_PURPOSE)


async def attach(request: web.Request, token: str, media: dict | None) -> bool:
    """Keeps `media` (or nothing) on the composing form's token; False if it is not usable."""
    tokens = request.app[SERVICES].form_tokens
    return await tokens.attach(token, viewer(request).telegram_id, SEND_PURPOSE, media)


async def upload(request: web.Request, form: Form, attachment: Attachment,
                 title: str) -> dict | None:
    """Uploads the file once to the storage chat (never the composer's own chat); its file_id
    is what the broadcast sends. None (and a refusal beside the field) when no storage chat
    is set or Telegram refused it."""
    services = request.app[SERVICES]
    uploader = services.announcements.uploader
    me = viewer(request)
    if not uploader.ready:
        form.fail(attachment.kind.value, "records.media.no_storage_chat")
        return None
    caption = services.texts.html(me.locale, "console_comms.media.upload_caption", title=title)
    file_id = await uploader.upload(attachment, caption)
    if file_id is None:
        form.fail(attachment.kind.value, "console_comms.media.error.upload")
        return None
    return {"kind": attachment.kind.value, "file_id": file_id, "name": attachment.filename}


def with_media(draft: Draft, media: dict | None) -> Draft:
    """The draft carrying the attachment as the chat dialog's drafts carry theirs."""
    if not media:
        return draft
    return dataclasses.replace(draft, **{media["kind"]: media["file_id"]})
