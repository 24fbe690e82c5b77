"""Announcements in the console: the history with delivery reports, one announcement with its
progress (a JSON figure the page polls every 2 s while it sends), and cancelling.
Composing lives in announcements_compose.py."""

from __future__ import annotations

from aiohttp import web

from console.auth import requires, viewer
from console.keys import SERVICES
from console.pages import announcements_compose
from console.pages.page_parts import page_number, path_id, telegram_preview
from console.rendering import locale_of, redirect, render, text
from services.actors import Actor
from services.announcements.broadcasts import (
    CANCELLED,
    DONE,
    SCHEDULED,
    SENDING,
    AnnouncementRecord,
)
from services.delivery.protocol import Progress
from services.refusals import Refused
from storage.models import Role

STATES = (SCHEDULED, SENDING, DONE, CANCELLED)
FIGURE_TEXTS = {
    "sent": "console_comms.figure.sent", "blocked": "console_comms.figure.blocked",
    "failed": "console_comms.figure.failed", "remaining": "console_comms.figure.remaining",
    "cancelled": "console_comms.figure.cancelled", "total": "console_comms.figure.total",
}
# Labels of the states (the figure the JSON endpoint and the page show).
STATE_TEXTS = {
    SCHEDULED: "console_comms.announcements.state.scheduled",
    SENDING: "console_comms.announcements.state.sending",
    DONE: "console_comms.announcements.state.done",
    CANCELLED: "console_comms.announcements.state.cancelled",
}


@requires(Role.STAFF)
async def history(request: web.Request) -> web.Response:
    """Every announcement, newest first, with sent, blocked, failed and remaining."""
    state = request.query.get("state", "")
    states = [state] if state in STATES else []
    page = await request.app[SERVICES].announcements.history.page(page_number(request),
                                                                  states)
    topics = {t.key: t.label(locale_of(request))
              for t in await request.app[SERVICES].subscriptions.topics()}
    return await render(request, "console/announcements.html", page=page, topics=topics,
                        state=state if states else "", states=STATES, state_texts=STATE_TEXTS)


async def _record(request: web.Request) -> AnnouncementRecord:
    record = await request.app[SERVICES].announcements.get(path_id(request))
    if record is None:
        raise web.HTTPNotFound()
    return record


def _figures(request: web.Request, record: AnnouncementRecord,
             progress: Progress) -> dict[str, object]:
    seconds = progress.seconds_left
    eta = ("" if seconds is None or not progress.remaining
           else f"{int(seconds) // 60}:{int(seconds) % 60:02d}")
    return {
        "state": record.state,
        "state_label": text(request, STATE_TEXTS[record.state]),
        "finished": record.state in (DONE, CANCELLED),
        "sent": progress.sent, "blocked": progress.blocked, "failed": progress.failed,
        "remaining": progress.remaining, "cancelled": progress.cancelled,
        "total": progress.total,
        "rate_line": text(request, "console_comms.announcements.rate_line",
                          rate=f"{progress.rate:.1f}", eta=eta) if eta else "",
        "cancellable": record.state in (SCHEDULED, SENDING),
    }


@requires(Role.STAFF)
async def detail(request: web.Request) -> web.Response:
    """One announcement: the message as sent, its audience, and its delivery figures."""
    services = request.app[SERVICES]
    record = await _record(request)
    message = await services.announcements.message_for(record, locale_of(request))
    progress = await services.announcements.progress(record.id)
    topic = await services.subscriptions.topic(record.topic)
    streets = {s.name: s.label(locale_of(request)) for s in await services.places.streets()}
    return await render(
        request, "console/announcement.html", record=record,
        preview=telegram_preview(message.html), link_label=message.link_label,
        figures=_figures(request, record, progress), figure_texts=FIGURE_TEXTS,
        topic=topic.label(locale_of(request)) if topic else record.topic,
        streets=[streets.get(s, s) for s in record.audience.get("streets", [])],
        roles=[text(request, f"role.{r}") for r in record.audience.get("roles", [])])


@requires(Role.STAFF)
async def progress_figures(request: web.Request) -> web.Response:
    """The figures of a running broadcast, as JSON, for the page's poll every 2 s."""
    services = request.app[SERVICES]
    record = await _record(request)
    progress = await services.announcements.progress(record.id)
    return web.json_response(_figures(request, record, progress),
                             headers={"Cache-Control": "no-store"})


@requires(Role.STAFF)
async def cancel(request: web.Request) -> web.StreamResponse:
    """Stops a scheduled or running broadcast: what was sent stays sent, the rest is not."""
    services = request.app[SERVICES]
    record = await _record(request)
    try:
        await services.announcements.stop(
            Actor.in_console(viewer(request).telegram_id, viewer(request).person.roles),
            record.id)
    except Refused:
        # A redirect carries only the console's own notices: this one says the same.
        raise redirect(f"/console/announcements/{record.id}",
                       notice="console_comms.announcements.cannot_cancel") from None
    raise redirect(f"/console/announcements/{record.id}",
                   notice="console_comms.announcements.cancelled_notice")


def routes() -> list[web.RouteDef]:
    # The composing routes first: "/announcements/new" is not an announcement id.
    return [
        *announcements_compose.routes(),
        web.get("/announcements", history),
        web.get(r"/announcements/{id:\d+}", detail),
        web.get(r"/announcements/{id:\d+}/progress", progress_figures),
        web.post(r"/announcements/{id:\d+}/cancel", cancel),
    ]
