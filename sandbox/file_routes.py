"""File downloads: the Bot API's /file/bot<token>/<file_path> and the chat page's view."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from sandbox import jsonlib
from sandbox.errors import ApiError, not_found, unauthorized
from sandbox.file_store import StoredFile
from sandbox.state import Sandbox

SANDBOX_KEY: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)


def _error(error: ApiError) -> web.Response:
    return web.Response(status=error.code, body=jsonlib.dumps(error.payload()),
                        content_type="application/json")


def _file_response(stored: StoredFile) -> web.Response:
    headers = {"Cache-Control": "private, max-age=3600"}
    if stored.file_name:
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name)}"
    return web.Response(body=stored.data, content_type=stored.mime_type, headers=headers)


async def bot_file_download(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX_KEY]
    if request.match_info["token"] != sandbox.token:
        return _error(unauthorized())
    stored = sandbox.files.by_path(request.match_info["path"])
    if stored is None:
        return _error(not_found())
    return _file_response(stored)


async def sandbox_file(request: web.Request) -> web.Response:
    stored = request.app[SANDBOX_KEY].files.get(request.match_info["file_id"])
    if stored is None:
        return web.json_response({"error": "no such file"}, status=404)
    return _file_response(stored)
