"""The roster's dates: overrides (leave, swaps, extra shifts) and the working calendar."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages.roster import actor, category_names, local_today
from console.pages.roster_case_labels import refusal_key, refusal_values, render_ops
from console.rendering import redirect
from services.hotline.calendar_days import calendar_period
from services.refusals import Refused
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
    actions = request.app[SERVICES].hotline.roster_actions
    day = form.date("day")
    expert_id = form.integer("expert")
    kind = form.choice("kind", ("off", "on", "swap"))
    replacement = form.integer("replacement") if kind == "swap" else None
    categories = tuple(form.choices("categories", await category_names(request)))
    if not form.ok or day is None or expert_id is None or kind is None:
        return await _overrides_page(request, status=400, form=form)
    start, end = form.value("start").strip(), form.value("end").strip()
    try:
        if kind == "swap":
            assert replacement is not None  # form.ok: the field was a number
            await actions.swap(actor(request), day, expert_id, replacement)
        else:
            await actions.add_override(actor(request), day, expert_id, kind, categories,
                                       start, end)
    except Refused as error:
        form.fail(error.field or "day", refusal_key(error.key),
                  **refusal_values(request, error.refusal))
        return await _overrides_page(request, status=400, form=form)
    raise redirect("/console/roster/overrides", notice="console_ops.overrides.added")


@requires(Role.STAFF)
async def remove_override(request: web.Request) -> web.StreamResponse:
    """Removes one dated exception."""
    raw = request.match_info["override_id"]
    try:
        await request.app[SERVICES].hotline.roster_actions.remove_override(actor(request),
                                                                           int(raw))
    except Refused:
        raise redirect("/console/roster/overrides", notice="console_ops.overrides.gone") from None
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
