"""build_console: the console's aiohttp application, mounted at /console by bot/webserver.py."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.settings import Settings
from console import session_views
from console.auth import load_viewer
from console.keys import SERVICES, SETTINGS, VIEWER
from console.pages import page_routes
from console.rendering import render_refusal
from services.container import Services

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


@web.middleware
async def friendly_errors(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """A console 404/405 is a page in the console's look, not aiohttp's bare text."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        if request.path == "/console":  # typed without the slash
            raise web.HTTPPermanentRedirect("/console/") from None
        if VIEWER not in request:
            # No view ran (no route matched): the page still knows who is signed in, for
            # their language and a way back rather than "send /console again".
            signed_in = await load_viewer(request)
            if signed_in is not None:
                request[VIEWER] = signed_in
        return await render_refusal(request, 404, "console.refused.not_found")
    except web.HTTPMethodNotAllowed:
        return await render_refusal(request, 405, "console.refused.bad_request")
    except web.HTTPException:
        raise  # redirects and deliberate answers pass through as they are
    except Exception:
        # A fault of ours (or the database gone): logged in full, and staff get a page in
        # the console's look saying nothing was lost rather than aiohttp's bare text.
        log.exception("console: %s %s failed", request.method, request.path)
        return await render_refusal(request, 500, "console.refused.server_error")


def build_console(settings: Settings, services: Services) -> web.Application:
    console = web.Application(middlewares=[friendly_errors])
    console[SERVICES] = services
    console[SETTINGS] = settings
    console.router.add_static("/static", STATIC_DIR, name="static")
    console.router.add_routes(session_views.routes())
    console.router.add_routes(page_routes())

    async def end_live_streams(_app: web.Application) -> None:
        services.hotline.cases.events.stop()

    console.on_shutdown.append(end_live_streams)
    return console
