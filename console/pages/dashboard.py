"""The dashboard: the hotline in a chosen period, broadcasts, trainings and ideas at a glance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from aiohttp import web

from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.roster import category_names
from console.rendering import locale_of, render, text
from services.dashboard import PERIODS
from services.plurals import plural_key
from storage.models import Role, utcnow

PERIOD_LABELS = {"this_week": "records.dashboard.period.this_week",
                 "last_week": "records.dashboard.period.last_week",
                 "this_month": "records.dashboard.period.this_month"}
UNDELIVERED_SHOWN = 10
# How long the oldest case has waited, in the largest unit that reads naturally.
MINUTES_SHOWN_UP_TO, HOURS_SHOWN_UP_TO = 90, 48


def _waited(minutes: int) -> tuple[str, int]:
    if minutes <= MINUTES_SHOWN_UP_TO:
        return "records.dashboard.waited_minutes", minutes
    if minutes <= HOURS_SHOWN_UP_TO * 60:
        return "records.dashboard.waited_hours", minutes // 60
    return "records.dashboard.waited_days", minutes // (24 * 60)


async def _place_names(request: web.Request) -> Callable[[str, str], str]:
    """Streets and communities are stored in Chinese; an English reader sees their
    English names (where the places list has them)."""
    english = locale_of(request) == "en"
    names: dict[str, str] = {}
    if english:
        for street in await request.app[SERVICES].places.streets():
            names[street.name] = street.name_en or street.name
            names.update({zh: en or zh for zh, en in street.communities})

    def place_name(street: str, community: str) -> str:
        return " · ".join(names.get(part, part) for part in (street, community) if part)

    return place_name


@requires(Role.STAFF)
async def dashboard(request: web.Request) -> web.Response:
    """Shows the open and waiting cases, the chosen period's figures (each expert's load and
    ratings, escalations, the oldest waiting case) with charts, broadcasts under way, the
    next training sessions and the newest ideas. An unknown period is refused (400)."""
    form = Form(request.query)
    period = form.choice("period", PERIODS, required=False) or "this_week"
    services = request.app[SERVICES]
    board = await services.dashboard.figures(viewer(request).locale, period)
    today = utcnow().astimezone(services.hotline.roster.zone).date()
    # From 1 December while next year's working calendar is unknown: staff must enter it.
    context: dict[str, object] = {
        "due": await services.hotline.calendar.unknown_next_year(today)}
    context["oldest"] = board.oldest_waiting
    # Replies the send gateway finally gave up on (blocked, chat gone, retries exhausted).
    context["undelivered_count"] = await services.send_failures.count_last_day()
    context["undelivered"] = await services.send_failures.latest(UNDELIVERED_SHOWN)
    if board.oldest_waiting is not None:
        waited = utcnow() - board.oldest_waiting.waiting_since
        unit, count = _waited(max(int(waited.total_seconds() // 60), 0))
        names = await category_names(request)
        context.update(oldest_unit=unit, oldest_count=count,
                       oldest_category=names.get(board.oldest_waiting.category,
                                                 board.oldest_waiting.category))
    return await render(
        request, "console/dashboard.html", status=200 if form.ok else 400, board=board,
        periods=PERIODS, period_labels=PERIOD_LABELS, period_error=not form.ok,
        last_day=(board.period_end - timedelta(days=1)),
        place_name=await _place_names(request), **context)


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
    scheduled = plural_key(locale_of(request), "records.dashboard.scheduled",
                           figures.scheduled)
    return web.json_response({
        "waiting": figures.waiting, "open": figures.open, "broadcasts": broadcasts,
        "scheduled": (text(request, scheduled, count=figures.scheduled)
                      if figures.scheduled else ""),
    }, headers={"Cache-Control": "no-store"})


def routes() -> list[web.RouteDef]:
    return [web.get("/", dashboard), web.get("/dashboard/live.json", live)]
