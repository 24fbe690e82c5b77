"""The roster's dates: overrides (leave, swaps, extra shifts) and the working calendar."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from console.audit import audit
from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages.ops_texts import refusal_key, render_ops
from console.pages.roster import category_names, local_today
from console.rendering import redirect
from services.hotline.calendar_days import calendar_period
from services.hotline.roster_editing import RosterEditError
from storage.models import Role

# Overrides listed: from a week back (a leave just taken is still worth seeing) onwards.
OVERRIDES_BACK = 7
OVERRIDES_AHEAD = 366
CALENDAR_DAYS = 120
FIRST_YEAR, LAST_YEAR = 2000, 2100


async def _overrides_page(request: web.Request, *, status: int = 200,
                          form: Form | None = None) -> web.Response:
    services = request.app[SERVICES]
    today = local_today(request)
    rows = await services.hotline.roster_dates.overrides(today - timedelta(days=OVERRIDES_BACK),
                                                         today + timedelta(days=OVERRIDES_AHEAD))
    experts = {e.telegram_id: e for e in await services.hotline.experts.all()}
    return await render_ops(request, "console/roster_overrides.html", status=status, rows=rows,
                        experts=experts, names=await category_names(request), form=form,
                        today=today)


@requires(Role.STAFF)
async def overrides_page(request: web.Request) -> web.Response:
    """Lists the dated exceptions and offers a form to add one."""
    return await _overrides_page(request)


@requires(Role.STAFF)
async def add_override(request: web.Request) -> web.StreamResponse:
    """Adds leave ("off"), an extra shift ("on"), or a swap (leave for one expert, their
    shifts to another) on a date."""
    form = Form(await request.post())
    dates = request.app[SERVICES].hotline.roster_dates
    day = form.date("day")
    expert_id = form.integer("expert")
    kind = form.choice("kind", ("off", "on", "swap"))
    replacement = form.integer("replacement") if kind == "swap" else None
    categories = tuple(form.choices("categories", await category_names(request)))
    if not form.ok or day is None or expert_id is None or kind is None:
        return await _overrides_page(request, status=400, form=form)
    start, end = form.value("start").strip(), form.value("end").strip()
    today = local_today(request)
    try:
        if kind == "swap":
            assert replacement is not None  # form.ok: the field was a number
            added = await dates.swap(today, day, expert_id, replacement)
        else:
            added = [await dates.add_override(today, day, expert_id, kind, categories, start,
                                              end)]
    except RosterEditError as error:
        form.fail(error.field or "day", refusal_key(error.key), **error.values)
        return await _overrides_page(request, status=400, form=form)
    if kind == "swap":
        await audit(request, "roster.override_swap", target=f"{expert_id} swap {day}",
                    detail={"ids": added, "replacement": replacement})
    else:
        # The command line's `hotline roster override` records the same key and shape.
        await audit(request, "roster.override_add", target=f"{expert_id} {kind} {day}",
                    detail={"id": added[0], "categories": list(categories),
                            "start": start or None, "end": end or None})
    raise redirect("/console/roster/overrides", notice="console_ops.overrides.added")


@requires(Role.STAFF)
async def remove_override(request: web.Request) -> web.StreamResponse:
    """Removes one dated exception."""
    raw = request.match_info["override_id"]
    removed = await request.app[SERVICES].hotline.roster_dates.remove_override(int(raw))
    if removed is None:
        raise redirect("/console/roster/overrides", notice="console_ops.overrides.gone")
    await audit(request, "roster.override_remove",
                target=f"{removed.telegram_id} {removed.kind} {removed.day}",
                detail={"id": removed.id, "categories": list(removed.categories),
                        "start": removed.start, "end": removed.end})
    raise redirect("/console/roster/overrides", notice="console_ops.overrides.removed")


@requires(Role.STAFF)
async def calendar_page(request: web.Request) -> web.Response:
    """Holidays and make-up working days ahead, from the calendar the roster follows, with
    links to each year's page (where the bureau enters the notice)."""
    first = local_today(request)
    raw = request.query.get("from", "")
    bad_date = False
    if raw:
        try:
            wanted = date.fromisoformat(raw)
        except ValueError:
            wanted = None
        # Years outside the calendar's range would only overflow.
        if wanted is not None and FIRST_YEAR <= wanted.year <= LAST_YEAR:
            first = wanted
        else:
            bad_date = True
    hotline = request.app[SERVICES].hotline
    calendar = await hotline.roster.calendar(first, first + timedelta(days=CALENDAR_DAYS))
    period = calendar_period(calendar, first, CALENDAR_DAYS)
    today = local_today(request)
    return await render_ops(
        request, "console/roster_calendar.html", status=400 if bad_date else 200,
        period=period, bad_date=bad_date, years=sorted({today.year, today.year + 1,
                                                        period.first.year, period.last.year}),
        due=await hotline.calendar.unknown_next_year(today),
        earlier=(first - timedelta(days=CALENDAR_DAYS)).isoformat(),
        later=(first + timedelta(days=CALENDAR_DAYS)).isoformat())


def routes() -> list[web.RouteDef]:
    return [
        web.get("/roster/overrides", overrides_page),
        web.post("/roster/overrides", add_override),
        web.post(r"/roster/overrides/{override_id:\d{1,12}}/remove", remove_override),
        web.get("/roster/calendar", calendar_page),
    ]
