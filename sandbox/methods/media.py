"""sendPhoto, sendDocument, sendVoice and sendMediaGroup, with uploads and file_id reuse."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.file_store import StoredFile
from sandbox.formatting import format_text
from sandbox.methods.common import (
    Outgoing,
    caption_content,
    prepare,
    send,
    take_flood,
    user_resolver,
)
from sandbox.methods.registry import method
from sandbox.params import Params, UploadedFile
from sandbox.state import Sandbox

_MEDIA_GROUP_KINDS = ("photo", "document")


def stored_files(sandbox: Sandbox, value: Any, kind: str, *, duration: int = 0,
                 upload: UploadedFile | None = None) -> list[StoredFile]:
    """The files an InputFile-or-String parameter names; several sizes for a photo."""
    files = sandbox.files
    if upload is None and isinstance(value, UploadedFile):
        upload = value
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            return files.add_photo(upload.data)
        if kind == "voice":
            content_type = upload.content_type
            mime = content_type if content_type.startswith("audio/") else "audio/ogg"
            return [files.add_voice(upload.data, duration, mime)]
        content_type = upload.content_type
        mime = None if content_type == "application/octet-stream" else content_type
        return [files.add_document(upload.data, upload.filename or "file", mime)]
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {kind} in the request")
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    stored = files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return files.siblings(stored) if kind == "photo" else [stored]


def media_object(sandbox: Sandbox, kind: str, found: list[StoredFile],
                 duration: int | None = None) -> Any:
    if kind == "photo":
        return sandbox.files.photo_sizes(found)
    stored = found[0]
    base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if kind == "voice":
        seconds = duration if duration is not None else stored.extra.get("duration", 0)
        return {**base, "duration": seconds, "mime_type": stored.mime_type,
                "file_size": stored.file_size}
    document = {**base}
    if stored.file_name:
        document["file_name"] = stored.file_name
    document["mime_type"] = stored.mime_type
    document["file_size"] = stored.file_size
    return document


def _send_single(sandbox: Sandbox, p: Params, content: dict[str, Any]) -> dict[str, Any]:
    out: Outgoing = prepare(sandbox, p)
    content.update(caption_content(sandbox, p))
    take_flood(sandbox, out)
    return send(sandbox, out, content).data


@method("sendPhoto")
def send_photo(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    found = stored_files(sandbox, p.get("photo"), "photo")
    content: dict[str, Any] = {"photo": media_object(sandbox, "photo", found)}
    if p.get("has_spoiler"):
        content["has_media_spoiler"] = True
    if p.get("show_caption_above_media"):
        content["show_caption_above_media"] = True
    return _send_single(sandbox, p, content)


@method("sendDocument")
def send_document(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    found = stored_files(sandbox, p.get("document"), "document")
    return _send_single(sandbox, p, {"document": media_object(sandbox, "document", found)})


@method("sendVoice")
def send_voice(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    duration = p.get("duration")
    found = stored_files(sandbox, p.get("voice"), "voice", duration=duration or 0)
    return _send_single(sandbox, p, {"voice": media_object(sandbox, "voice", found, duration)})


@method("sendMediaGroup")
def send_media_group(sandbox: Sandbox, p: Params) -> list[dict[str, Any]]:
    media = p.get("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("media group must contain 2-10 items")
    kinds = {item.get("type") if isinstance(item, dict) else None for item in media}
    if not kinds <= set(_MEDIA_GROUP_KINDS):
        raise bad_request("the sandbox supports only photo and document media groups")
    if len(kinds) > 1:
        raise bad_request("document can't be mixed with other media types")
    out = prepare(sandbox, p)
    contents = []
    for item in media:
        kind = item["type"]
        reference = item.get("media")
        upload = p.upload(reference) if isinstance(reference, str) else None
        if isinstance(reference, str) and reference.startswith("attach://") and upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        found = stored_files(sandbox, reference, kind, upload=upload)
        content: dict[str, Any] = {kind: media_object(sandbox, kind, found)}
        caption = item.get("caption")
        if caption:
            text, entities = format_text(caption, item.get("parse_mode"),
                                         item.get("caption_entities"),
                                         resolve_user=user_resolver(sandbox), caption=True)
            if text:
                content["caption"] = text
                if entities:
                    content["caption_entities"] = entities
        if item.get("has_spoiler"):
            content["has_media_spoiler"] = True
        contents.append(content)
    take_flood(sandbox, out, count=len(contents))
    group_id = str(sandbox.rng.getrandbits(60))
    return [send(sandbox, out, {"media_group_id": group_id, **content}).data
            for content in contents]
