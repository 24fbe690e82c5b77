"""build_console: the console's aiohttp application, mounted at /console by bot/webserver.py."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.settings import SUPPORTED_LOCALES, Settings
from console import session_views
from console.keys import RENDERER, SERVICES, SETTINGS
from console.pages import page_routes
from console.rendering import render_refusal
from console.rendering_env import Renderer
from services.container import Services

STATIC_DIR = Path(__file__).parent / "static"


@web.middleware
async def friendly_errors(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """A console 404/405 is a page in the console's look, not aiohttp's bare text."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        if request.path == "/console":  # typed without the slash
            raise web.HTTPPermanentRedirect("/console/") from None
        return await render_refusal(request, 404, "console.refused.not_found")
    except web.HTTPMethodNotAllowed:
        return await render_refusal(request, 405, "console.refused.bad_request")


def build_console(settings: Settings, services: Services) -> web.Application:
    console = web.Application(middlewares=[friendly_errors])
    console[SERVICES] = services
    console[SETTINGS] = settings
    console[RENDERER] = Renderer(SUPPORTED_LOCALES, settings.default_locale, services.timezone)
    console.router.add_static("/static", STATIC_DIR, name="static")
    console.router.add_routes(session_views.routes())
    console.router.add_routes(page_routes())
    return console
