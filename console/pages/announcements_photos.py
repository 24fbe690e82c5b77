"""An announcement's photo in the console (the compose preview, the review and the detail
page), fetched through the bot's file proxy: the page never sees a Telegram address."""

from __future__ import annotations

from aiohttp import web

from console.auth import requires
from console.keys import SERVICES
from console.pages.announcements_media import attached
from console.pages.page_parts import path_id
from storage.models import Role

# Private to this browser; the file behind a file_id never changes.
HEADERS = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
_TOKEN_LENGTH = 128


async def _image(request: web.Request, file_id: str | None) -> web.Response:
    found = await request.app[SERVICES].files.image(file_id) if file_id else None
    if found is None:
        raise web.HTTPNotFound()
    data, content_type = found
    return web.Response(body=data, content_type=content_type, headers=HEADERS)


@requires(Role.STAFF)
async def sent_photo(request: web.Request) -> web.Response:
    """The photo an announcement was sent with."""
    record = await request.app[SERVICES].announcements.get(path_id(request))
    if record is None:
        raise web.HTTPNotFound()
    return await _image(request, record.photo_file_id)


@requires(Role.STAFF)
async def draft_photo(request: web.Request) -> web.Response:
    """The photo attached to a form being composed, only for the person composing it."""
    token = request.match_info["once"]
    if len(token) > _TOKEN_LENGTH:
        raise web.HTTPNotFound()
    media = await attached(request, token)
    if not media or media.get("kind") != "photo":
        raise web.HTTPNotFound()
    return await _image(request, media.get("file_id"))


def routes() -> list[web.RouteDef]:
    return [
        web.get(r"/announcements/{id:\d+}/photo", sent_photo),
        web.get(r"/announcements/draft-photo/{once:[A-Za-z0-9_-]+}", draft_photo),
    ]
