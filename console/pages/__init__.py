"""The console's pages, one module per area, each exporting `routes()`. One ordered list."""

from __future__ import annotations

from aiohttp import web

from console.pages import (
    announcements,
    announcements_photos,
    audit_log,
    case_files,
    cases,
    dashboard,
    ideas,
    roster,
    roster_dates,
    roster_experts,
    trainings,
)

PAGES = [
    dashboard,
    roster,
    roster_dates,
    roster_experts,
    cases,
    case_files,
    announcements,
    announcements_photos,
    trainings,
    ideas,
    audit_log,
]


def page_routes() -> list[web.RouteDef]:
    return [route for module in PAGES for route in module.routes()]
