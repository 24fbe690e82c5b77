"""Typed keys of the console's aiohttp application and of each request."""

from __future__ import annotations

from aiohttp import web

from bot.settings import Settings
from console.rendering_env import Renderer
from services.container import Services

SERVICES = web.AppKey("console_services", Services)
SETTINGS = web.AppKey("console_settings", Settings)
RENDERER = web.AppKey("console_renderer", Renderer)

# request[VIEWER] is the signed-in Viewer (console/auth.py), set by @requires.
VIEWER = "console.viewer"
COOKIE = "hotline_console"
