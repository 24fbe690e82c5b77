"""A file from a case's transcript (photo, document, voice note), fetched through the bot.

The browser asks by case number and message; services.hotline.case_files checks the case
holds that message and fetches the file through getFile, so neither the bot's token nor
Telegram's file address reaches the page.
"""

from __future__ import annotations

from aiohttp import web

from console.auth import requires
from console.keys import SERVICES
from console.pages.cases import may_see
from console.rendering import render_refusal
from services.hotline.case_files import CaseFileError, CaseFiles
from storage.models import Role

REFUSALS = {
    "no_file": (404, "console.refused.not_found"),
    "unavailable": (502, "console_polish.case.file_unavailable"),
    "too_big": (413, "console_polish.case.file_too_big"),
}
NUMBER = r"{number:[A-Za-z]-\d{4}-\d{1,8}}"


@requires(Role.EXPERT)
async def case_file(request: web.Request) -> web.StreamResponse:
    """The file's bytes: shown in the page when it is an image or a recording, else a
    download; private to this browser for an hour (the file behind a message never changes)."""
    services = request.app[SERVICES]
    case = await services.ops.cases.case(request.match_info["number"])
    if case is None or not await may_see(request, case):
        return await render_refusal(request, 404, "console.refused.not_found")
    files = CaseFiles(services.hotline.cases, services.comms.files)
    try:
        found = await files.file(request.match_info["number"], int(request.match_info["id"]))
    except CaseFileError as error:
        status, key = REFUSALS[error.reason]
        return await render_refusal(request, status, key)
    disposition = "inline" if found.inline else "attachment"
    return web.Response(body=found.data, content_type=found.content_type, headers={
        "Content-Disposition": f'{disposition}; filename="{found.filename}"',
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        # Whatever a file holds, it never runs as a page of the console.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })


def routes() -> list[web.RouteDef]:
    return [web.get(f"/cases/{NUMBER}/files/{{id:\\d{{1,12}}}}", case_file)]
