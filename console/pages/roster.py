"""The duty roster's weekly plan: the grid (category × day × shift) edited in place, the
coming week as it applies, and CSV import and export in the `hotline roster` format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiohttp import web

from console.audit import audit
from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.roster_case_labels import refusal_key, refusal_values, render_ops
from console.rendering import locale_of, redirect, text
from services.actors import Actor
from services.hotline.roster_plan import DAY_COLUMNS, WEEKDAYS
from services.refusals import Refusal, Refused, words
from storage.models import Role, utcnow

WEEK_DAYS = 7
GENERAL = "_general"


@dataclass(frozen=True, slots=True)
class CellEdit:
    """A refused change of one cell: which form it came from, to show the messages there."""

    action: str  # add, new, retime
    category: str
    day: str
    start: str
    end: str
    form: Form


def actor(request: web.Request) -> Actor:
    return Actor.in_console(viewer(request).telegram_id)


def local_today(request: web.Request) -> date:
    return utcnow().astimezone(request.app[SERVICES].hotline.roster.zone).date()


async def category_names(request: web.Request) -> dict[str, str]:
    english = locale_of(request) == "en"
    return {c.key: (c.name_en if english else c.name_zh)
            for c in await request.app[SERVICES].hotline.experts.categories()}


async def _page(request: web.Request, *, status: int = 200, edit: CellEdit | None = None,
                problem: Form | None = None,
                rejected: Refusal | None = None) -> web.Response:
    hotline = request.app[SERVICES].hotline
    editor = hotline.roster_editor
    plan = await editor.plan()
    english = locale_of(request) == "en"
    names = {c.key: (c.name_en if english else c.name_zh) for c in plan.categories}
    # The active categories in their order; an inactive one only while the plan still uses it.
    used = {key for key, _ in plan.cells}
    categories = [c for c in plan.categories if c.active or c.key in used]
    answering = {c.key: [e for e in plan.experts.values() if c.key in e.categories]
                 for c in categories}
    return await render_ops(
        request, "console/roster.html", status=status, plan=plan, columns=DAY_COLUMNS,
        categories=categories, names=names, answering=answering, edit=edit, problem=problem,
        rejected=words(rejected, lambda key, **values: text(request, key, **values))
        if rejected is not None else None,
        today_column=WEEKDAYS[local_today(request).weekday()],
        days=await hotline.roster_dates.days(local_today(request), WEEK_DAYS),
        gaps=await hotline.coverage.gaps(hotline.coverage.today()))


@requires(Role.STAFF)
async def roster_page(request: web.Request) -> web.Response:
    """Shows the weekly plan as a grid, the coming week, and the CSV import and export."""
    return await _page(request)


def _cell_form(form: Form) -> tuple[str, str, str, str, str]:
    return (form.value("version"), form.value("category"), form.value("day"),
            form.value("start").strip(), form.value("end").strip())


async def _refused(request: web.Request, form: Form, action: str, error: Refused,
                   field: str | None = None) -> web.Response:
    form.fail(field or error.field or GENERAL, refusal_key(error.key),
              **refusal_values(request, error.refusal))
    _, category, day, start, end = _cell_form(form)
    if action == "retime":
        start, end = form.value("start"), form.value("end")
    return await _page(request, status=400, problem=form,
                       edit=CellEdit(action, category, day, start, end, form))


@requires(Role.STAFF)
async def add_to_cell(request: web.Request) -> web.StreamResponse:
    """Puts an expert on a shift of a cell: an existing shift, or a new one."""
    form = Form(await request.post())
    version, category, day, start, end = _cell_form(form)
    expert_id = form.integer("expert")
    action = "new" if form.value("shift") == "new" else "add"
    if expert_id is None:
        return await _page(request, status=400, problem=form,
                           edit=CellEdit(action, category, day, start, end, form))
    try:
        await request.app[SERVICES].hotline.roster_actions.add_to_cell(
            actor(request), version, category, day, start, end, expert_id)
    except Refused as error:
        return await _refused(request, form, action, error)
    raise redirect("/console/roster", notice="console_ops.roster.saved")


@requires(Role.STAFF)
async def remove_from_cell(request: web.Request) -> web.StreamResponse:
    """Takes an expert off a shift of a cell, once confirmed on a page that names the
    working days of the next two weeks the category would be left with nobody."""
    form = Form(await request.post())
    version, category, day, start, end = _cell_form(form)
    expert_id = form.integer("expert")
    if expert_id is None:
        return await _page(request, status=400, problem=form)
    hotline = request.app[SERVICES].hotline
    editor = hotline.roster_editor
    try:
        if form.value("confirm") != "1":
            gaps = await editor.removal_gaps(version, category, day, start, end, expert_id,
                                             local_today(request))
            expert = await request.app[SERVICES].hotline.experts.get(expert_id)
            return await render_ops(
                request, "console/roster_remove.html", gaps=gaps, version=version,
                category=category, day=day, start=start, end=end, expert_id=expert_id,
                name=expert.name if expert else str(expert_id),
                category_name=(await category_names(request)).get(category, category))
        await hotline.roster_actions.remove_from_cell(actor(request), version, category, day,
                                                      start, end, expert_id)
    except Refused as error:
        form.fail(GENERAL, refusal_key(error.key), **refusal_values(request, error.refusal))
        return await _page(request, status=400, problem=form)
    raise redirect("/console/roster", notice="console_ops.roster.saved")


@requires(Role.STAFF)
async def retime_cell(request: web.Request) -> web.StreamResponse:
    """Moves a shift of a cell, with everyone on it, to new times."""
    form = Form(await request.post())
    version, category, day, start, end = _cell_form(form)
    new_start, new_end = form.value("new_start").strip(), form.value("new_end").strip()
    try:
        await request.app[SERVICES].hotline.roster_actions.retime_cell(
            actor(request), version, category, day, start, end, new_start, new_end)
    except Refused as error:
        field = f"new_{error.field}" if error.field in ("start", "end") else None
        return await _refused(request, form, "retime", error, field)
    raise redirect("/console/roster", notice="console_ops.roster.saved")


@requires(Role.STAFF)
async def import_csv(request: web.Request) -> web.StreamResponse:
    """Replaces the plan with an uploaded file, or refuses it whole, naming the line."""
    posted = await request.post()
    upload = posted.get("file")
    if not isinstance(upload, web.FileField):
        form = Form()
        form.fail("file", "console_ops.csv.no_file")
        return await _page(request, status=400, problem=form)
    data = upload.file.read()
    try:
        await request.app[SERVICES].hotline.roster_actions.import_csv(
            actor(request), data, upload.filename or "",
            allow_empty=posted.get("allow_empty") == "1")
    except Refused as rejected:
        return await _page(request, status=400, rejected=rejected.refusal)
    raise redirect("/console/roster", notice="console_ops.roster.imported")


@requires(Role.STAFF)
async def export_csv(request: web.Request) -> web.StreamResponse:
    """The plan as a CSV file that `hotline roster import` (and this page) read back."""
    text = await request.app[SERVICES].hotline.roster_editor.export_csv()
    name = f"roster-{local_today(request)}.csv"
    await audit(request, "roster.export", target=name,
                detail={"shifts": max(text.count("\n") - 1, 0)})
    return web.Response(body=text.encode("utf-8"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})


def routes() -> list[web.RouteDef]:
    return [
        web.get("/roster", roster_page),
        web.post("/roster/cell/add", add_to_cell),
        web.post("/roster/cell/remove", remove_from_cell),
        web.post("/roster/cell/retime", retime_cell),
        web.post("/roster/import", import_csv),
        web.post("/roster/export", export_csv),
    ]

