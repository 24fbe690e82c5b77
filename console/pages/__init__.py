"""The console's pages, one module per area, each exporting `routes()`. One ordered list."""

from __future__ import annotations

from aiohttp import web

from console.pages import (
    announcements,
    announcements_photos,
    audit_log,
    calendar_year,
    case_files,
    case_work,
    cases,
    dashboard,
    ideas,
    kb,
    live,
    roster,
    roster_dates,
    roster_experts,
    roster_fallbacks,
    snippets,
    trainings,
)

PAGES = [
    dashboard,
    roster,
    roster_dates,
    calendar_year,
    roster_experts,
    roster_fallbacks,
    cases,
    case_files,
    case_work,
    live,
    snippets,
    announcements,
    announcements_photos,
    trainings,
    ideas,
    kb,
    audit_log,
]


def page_routes() -> list[web.RouteDef]:
    return [route for module in PAGES for route in module.routes()]
