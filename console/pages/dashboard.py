"""The dashboard: the hotline, broadcasts, trainings and ideas at a glance."""

from __future__ import annotations

from aiohttp import web

from console.auth import requires, viewer
from console.keys import SERVICES
from console.rendering import render
from storage.models import Role


@requires(Role.STAFF)
async def dashboard(request: web.Request) -> web.Response:
    """Shows the open and waiting cases, this week's figures with charts, broadcasts under
    way, the next training sessions and the newest ideas."""
    figures = await request.app[SERVICES].dashboard.figures(viewer(request).locale)
    return await render(request, "console/dashboard.html", board=figures)


def routes() -> list[web.RouteDef]:
    return [web.get("/", dashboard)]
