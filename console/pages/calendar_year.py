"""A year of the working calendar: its holidays and make-up working days with where each came
from, edited day by day or replaced from a file of the State Council's notice. What is entered
here takes precedence over the built-in calendar, and the roster follows it at once."""

from __future__ import annotations

from aiohttp import web

from console.audit import audit
from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages import submit_once
from console.pages.roster import local_today
from console.pages.roster_case_labels import render_ops
from console.pages.submit_once import FIELD as ONCE
from console.pages.submit_once import only_once
from console.rendering import redirect, render_refusal
from services.hotline.calendar_file import (
    FIRST_YEAR,
    KINDS,
    LAST_YEAR,
    MAX_NAME,
    CalendarFileError,
    decode_notice,
    parse_notice,
)
from services.hotline.calendar_service import CalendarEditError
from storage.models import Role

# Which field of the day form a refusal of the service belongs to.
FIELD_OF = {"name_empty": "name", "name_long": "name", "bad_kind": "kind",
            "workday_weekday": "day", "year_range": "day"}
# The refusals a file or an edit can meet, as catalogue keys (console_calendar.csv.*).
# Written out whole, so tests/test_texts.py sees every key (services/hotline/calendar_file.py
# MESSAGES, plus the page's own wrong_year).
REASONS = {
    "too_big": "console_calendar.csv.too_big",
    "encoding": "console_calendar.csv.encoding",
    "header": "console_calendar.csv.header",
    "column_count": "console_calendar.csv.column_count",
    "bad_date": "console_calendar.csv.bad_date",
    "year_range": "console_calendar.csv.year_range",
    "bad_kind": "console_calendar.csv.bad_kind",
    "name_empty": "console_calendar.csv.name_empty",
    "name_long": "console_calendar.csv.name_long",
    "duplicate": "console_calendar.csv.duplicate",
    "workday_weekday": "console_calendar.csv.workday_weekday",
    "other_year": "console_calendar.csv.other_year",
    "no_days": "console_calendar.csv.no_days",
    "wrong_year": "console_calendar.csv.wrong_year",
}
SOURCES = {"entered": "console_calendar.source.entered",
           "package": "console_calendar.source.package",
           "fallback": "console_calendar.source.fallback"}


def year_path(year: int) -> str:
    return f"/console/roster/calendar/{year}"


def _year(request: web.Request) -> int | None:
    year = int(request.match_info["year"])
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


async def _page(request: web.Request, year: int, *, status: int = 200,
                form: Form | None = None,
                rejected: CalendarFileError | None = None) -> web.Response:
    services = request.app[SERVICES]
    view = await services.hotline.calendar.year(year)
    today = local_today(request)
    return await render_ops(
        request, "console/calendar_year.html", status=status, view=view, form=form,
        rejected=rejected, reasons=REASONS, sources=SOURCES, kinds=KINDS, max_name=MAX_NAME,
        once=await submit_once.issue(request, year_path(year)),
        due=await services.hotline.calendar.unknown_next_year(today),
        first_year=FIRST_YEAR, last_year=LAST_YEAR)


@requires(Role.STAFF)
async def year_page(request: web.Request) -> web.Response:
    """Shows a year's holidays and make-up working days, and the forms to change them."""
    year = _year(request)
    if year is None:
        return await render_refusal(request, 404, "console_calendar.no_such_year")
    return await _page(request, year)


@requires(Role.STAFF)
async def set_day(request: web.Request) -> web.StreamResponse:
    """Enters a holiday or a make-up working day (or changes one) in the year's notice."""
    year = _year(request)
    if year is None:
        return await render_refusal(request, 404, "console_calendar.no_such_year")
    form = Form(await request.post())
    day = form.date("day")
    kind = form.choice("kind", KINDS)
    name = form.text("name", max_length=MAX_NAME)
    if day is not None and day.year != year:
        form.fail("day", "console_calendar.error.not_in_year", year=year)
    if not form.ok or day is None or kind is None or name is None:
        return await _page(request, year, status=400, form=form)
    async with only_once(request, form.value(ONCE), year_path(year)):
        try:
            entry = await request.app[SERVICES].hotline.calendar.set_day(day, kind, name)
        except CalendarEditError as error:
            form.fail(FIELD_OF.get(error.key, "day"), REASONS[error.key], **error.values)
            return await _page(request, year, status=400, form=form)
        await audit(request, "calendar.day_set", target=entry.day.isoformat(),
                    detail={"kind": entry.kind, "name": entry.name})
        raise redirect(year_path(year), notice="console_calendar.saved")


@requires(Role.STAFF)
async def remove_day(request: web.Request) -> web.StreamResponse:
    """Takes a day out of the year's notice: it becomes an ordinary day again."""
    year = _year(request)
    if year is None:
        return await render_refusal(request, 404, "console_calendar.no_such_year")
    form = Form(await request.post())
    day = form.date("day")
    if day is None or day.year not in (year, year - 1):
        return await _page(request, year, status=400, form=form)
    async with only_once(request, form.value(ONCE), year_path(year)):
        removed = await request.app[SERVICES].hotline.calendar.remove_day(day)
        if removed is None:
            raise redirect(year_path(year), notice="console_calendar.gone")
        await audit(request, "calendar.day_remove", target=day.isoformat(),
                    detail={"kind": removed.kind, "name": removed.name or removed.holiday})
        raise redirect(year_path(year), notice="console_calendar.removed")


@requires(Role.STAFF)
async def import_year(request: web.Request) -> web.StreamResponse:
    """Replaces the year with an uploaded notice file, or refuses it whole, naming the line."""
    year = _year(request)
    if year is None:
        return await render_refusal(request, 404, "console_calendar.no_such_year")
    posted = await request.post()
    upload = posted.get("file")
    form = Form(posted)
    if not isinstance(upload, web.FileField):
        form.fail("file", "console_ops.csv.no_file")
        return await _page(request, year, status=400, form=form)
    name = upload.filename or ""
    async with only_once(request, form.value(ONCE), year_path(year)):
        try:
            notice = parse_notice(decode_notice(upload.file.read()))
            if notice.year != year:
                raise CalendarFileError(0, "wrong_year", found=notice.year, year=year)
        except CalendarFileError as error:
            await audit(request, "calendar.import_refused", target=name,
                        detail={"line": error.line, "reason": error.key})
            return await _page(request, year, status=400, rejected=error)
        result = await request.app[SERVICES].hotline.calendar.store_notice(
            notice, name or "upload")
        await audit(request, "calendar.import", target=name,
                    detail={"year": result.year, "holidays": result.holidays,
                            "workdays": result.workdays, "replaced": result.replaced})
        raise redirect(year_path(year), notice="console_calendar.imported")


def routes() -> list[web.RouteDef]:
    return [
        web.get(r"/roster/calendar/{year:\d{4}}", year_page),
        web.post(r"/roster/calendar/{year:\d{4}}/days", set_day),
        web.post(r"/roster/calendar/{year:\d{4}}/remove", remove_day),
        web.post(r"/roster/calendar/{year:\d{4}}/import", import_year),
    ]
