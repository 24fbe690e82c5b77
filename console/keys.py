"""Typed keys of the console's aiohttp application and of each request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.settings import Settings
from services.container import Services

SERVICES = web.AppKey("console_services", Services)
SETTINGS = web.AppKey("console_settings", Settings)

if TYPE_CHECKING:
    from console.auth import Viewer

# request[VIEWER] is the signed-in Viewer (console/auth.py), set by @requires.
VIEWER: web.RequestKey[Viewer] = web.RequestKey("console_viewer")
# request[LOCALE] overrides the locale of a page rendered without a viewer (after sign-out).
LOCALE = web.RequestKey("console_locale", str)
COOKIE = "hotline_console"
