"""The dashboard: the hotline, broadcasts, trainings and ideas at a glance."""

from __future__ import annotations

from aiohttp import web

from console.auth import requires, viewer
from console.keys import SERVICES
from console.rendering import render, text
from storage.models import Role, utcnow


@requires(Role.STAFF)
async def dashboard(request: web.Request) -> web.Response:
    """Shows the open and waiting cases, this week's figures with charts, broadcasts under
    way, the next training sessions and the newest ideas."""
    services = request.app[SERVICES]
    figures = await services.dashboard.figures(viewer(request).locale)
    today = utcnow().astimezone(services.hotline.roster.zone).date()
    # From 1 December while next year's working calendar is unknown: staff must enter it.
    due = await services.hotline.calendar.unknown_next_year(today)
    return await render(request, "console/dashboard.html", board=figures, due=due)


@requires(Role.STAFF)
async def live(request: web.Request) -> web.Response:
    """The figures console/static/dashboard.js refreshes every 2 s: waiting and open cases
    and each broadcast under way, with its line already in the viewer's language."""
    figures = await request.app[SERVICES].dashboard.live()
    broadcasts = []
    for item in figures.broadcasts:
        progress = item.progress
        broadcasts.append({
            "id": item.id, "title": item.title, "url": f"/console/announcements/{item.id}",
            "done": progress.total - progress.remaining, "total": progress.total,
            "line": text(request, "console.dashboard.broadcast_progress", sent=progress.sent,
                         total=progress.total, failed=progress.failed + progress.blocked)})
    return web.json_response({
        "waiting": figures.waiting, "open": figures.open, "broadcasts": broadcasts,
        "scheduled": (text(request, "console.dashboard.scheduled", count=figures.scheduled)
                      if figures.scheduled else ""),
    }, headers={"Cache-Control": "no-store"})


def routes() -> list[web.RouteDef]:
    return [web.get("/", dashboard), web.get("/dashboard/live.json", live)]
