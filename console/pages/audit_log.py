"""The audit log (admins only): every staff action, taken in the console, the bot or on the
command line, newest first, filtered by who, action, channel and date, 50 to a page."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages.audit_labels import ACTIONS
from console.pages.audit_sentences import AuditSentences, Sentence
from console.pages.roster import category_names
from console.rendering import render, text
from services.audit import CHANNELS, COMMAND_LINE_ACTOR, AuditFilter
from storage.models import Role

PER_PAGE = 50
MAX_PAGE = 10_000


def _day_start(day: date | None, zone: ZoneInfo) -> datetime | None:
    """Local midnight as UTC (stored times are UTC, and SQLite compares them as text)."""
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _action_option(request: web.Request, action: str) -> str:
    """The action in words, with its stored name (what the command line's filters take)."""
    known = ACTIONS.get(action)
    return f"{text(request, known)} ({action})" if known else action


@requires(Role.ADMIN)
async def audit_page(request: web.Request) -> web.Response:
    """Lists recorded actions matching the filters; a wrong filter is marked, status 400."""
    services = request.app[SERVICES]
    zone = ZoneInfo(services.timezone)
    actors = {person_id: await services.people.get(person_id)
              for person_id in await services.audit.actors()}
    actions = await services.audit.actions()
    form = Form(request.query)
    who = form.choice("who", [str(i) for i in actors], required=False)
    action = form.choice("action", actions, required=False)
    since = form.date("since", required=False)
    until = form.date("until", required=False)
    page = form.integer("page", minimum=1, maximum=MAX_PAGE, required=False) or 1
    if since and until and until < since:
        form.fail("until", "console.audit.until_before_since")
    channel = form.choice("channel", CHANNELS, required=False)
    names = {i: (p.display_name if p else str(i)) for i, p in actors.items()}
    if COMMAND_LINE_ACTOR in names:  # no Telegram account: rows name the OS user in detail
        names[COMMAND_LINE_ACTOR] = text(request, "console.audit.command_line")
    context = {"form": form, "actors": sorted(names.items(), key=lambda item: item[1]),
               "action_options": [(key, _action_option(request, key)) for key in actions],
               "action_labels": ACTIONS, "names": names}
    if not form.ok:
        return await render(request, "console/audit.html", status=400, entries=[], total=0,
                            page=1, pages=1, query="", **context)
    wanted = AuditFilter(
        telegram_id=int(who) if who else None, action=action, channel=channel,
        since=_day_start(since, zone),
        until=_day_start(until + timedelta(days=1), zone) if until else None)
    entries, total = await services.audit.search(wanted, page, PER_PAGE)
    context["sentences"] = await _sentences(request, entries, names)
    query = urlencode({name: form.value(name)
                       for name in ("who", "action", "channel", "since", "until")
                       if form.value(name)})
    return await render(request, "console/audit.html", entries=entries, total=total,
                        page=page, pages=max(1, -(-total // PER_PAGE)), query=query, **context)


async def _sentences(request: web.Request, entries: list,
                     names: dict[int, str]) -> dict[int, Sentence]:
    """Each entry as a sentence; the experts a case went to are named as well as the actors."""
    services = request.app[SERVICES]
    people = dict(names)
    for entry in entries:
        if entry.action != "cases.reassign":
            continue
        to = _reassigned_to(entry.detail)
        if to is not None and to not in people:
            expert = await services.hotline.experts.get(to)
            person = None if expert else await services.people.get(to)
            people[to] = expert.name if expert else person.display_name if person else str(to)

    async def idea_id(reference: str) -> int | None:
        idea = await services.ideas.find(reference)
        return idea.id if idea is not None else None

    writer = AuditSentences(lambda key, **values: text(request, key, **values), people,
                            await category_names(request), idea_id)
    return {entry.id: await writer.of(entry) for entry in entries}


def _reassigned_to(detail: str) -> int | None:
    try:
        pair = json.loads(detail).get("expert")
    except (ValueError, AttributeError):
        return None
    return pair[1] if isinstance(pair, list) and len(pair) == 2 and isinstance(
        pair[1], int) else None


def routes() -> list[web.RouteDef]:
    return [web.get("/audit", audit_page)]
