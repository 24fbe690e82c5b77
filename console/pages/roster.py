"""The duty roster's weekly plan: the grid (category × day × shift) edited in place, the
coming week as it applies, and CSV import and export in the `hotline roster` format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiohttp import web

from console.audit import audit
from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages.ops_texts import CSV_REASONS, refusal_key, render_ops
from console.rendering import locale_of, redirect, text
from services.hotline.roster_editing import RosterEditError, RosterImportRejected
from services.hotline.roster_plan import DAY_COLUMNS, WEEKDAYS
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


def local_today(request: web.Request) -> date:
    return utcnow().astimezone(request.app[SERVICES].hotline.roster.zone).date()


async def category_names(request: web.Request) -> dict[str, str]:
    english = locale_of(request) == "en"
    return {c.key: (c.name_en if english else c.name_zh)
            for c in await request.app[SERVICES].hotline.experts.categories()}


async def _page(request: web.Request, *, status: int = 200, edit: CellEdit | None = None,
                problem: Form | None = None,
                rejected: RosterImportRejected | None = None) -> web.Response:
    editor = request.app[SERVICES].hotline.roster_editor
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
        rejected=rejected, today_column=WEEKDAYS[local_today(request).weekday()],
        days=await request.app[SERVICES].hotline.roster_dates.days(local_today(request), WEEK_DAYS))


@requires(Role.STAFF)
async def roster_page(request: web.Request) -> web.Response:
    """Shows the weekly plan as a grid, the coming week, and the CSV import and export."""
    return await _page(request)


def _cell_form(form: Form) -> tuple[str, str, str, str, str]:
    return (form.value("version"), form.value("category"), form.value("day"),
            form.value("start").strip(), form.value("end").strip())


async def _refused(request: web.Request, form: Form, action: str,
                   error: RosterEditError) -> web.Response:
    if error.rejection is not None:
        # The plan already held a line the import now refuses: say which, and why.
        rejected = error.rejection
        reason = text(request, CSV_REASONS.get(rejected.key, CSV_REASONS["other"]),
                      **rejected.values)
        form.fail(GENERAL, "console_ops.roster.error.plan_invalid", line=rejected.line,
                  reason=reason)
    form.fail(error.field or GENERAL, refusal_key(error.key), **error.values)
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
        await request.app[SERVICES].hotline.roster_editor.add(version, category, day, start, end,
                                                              expert_id)
    except RosterEditError as error:
        return await _refused(request, form, action, error)
    await audit(request, "roster.shift_add", target=f"{category} {day} {start}-{end}",
                detail={"expert": expert_id})
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
    editor = request.app[SERVICES].hotline.roster_editor
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
        await editor.remove(version, category, day, start, end, expert_id)
    except RosterEditError as error:
        form.fail(GENERAL, refusal_key(error.key), **error.values)
        return await _page(request, status=400, problem=form)
    await audit(request, "roster.shift_remove", target=f"{category} {day} {start}-{end}",
                detail={"expert": expert_id})
    raise redirect("/console/roster", notice="console_ops.roster.saved")


@requires(Role.STAFF)
async def retime_cell(request: web.Request) -> web.StreamResponse:
    """Moves a shift of a cell, with everyone on it, to new times."""
    form = Form(await request.post())
    version, category, day, start, end = _cell_form(form)
    new_start, new_end = form.value("new_start").strip(), form.value("new_end").strip()
    try:
        await request.app[SERVICES].hotline.roster_editor.retime(version, category, day, start, end,
                                                                 new_start, new_end)
    except RosterEditError as error:
        if error.field in ("start", "end"):
            error.field = f"new_{error.field}"
        return await _refused(request, form, "retime", error)
    await audit(request, "roster.shift_retime", target=f"{category} {day} {start}-{end}",
                detail={"start": new_start, "end": new_end})
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
        count = await request.app[SERVICES].hotline.roster_editor.import_csv(
            data, allow_empty=posted.get("allow_empty") == "1")
    except RosterImportRejected as rejected:
        await audit(request, "roster.import_refused", target=upload.filename or "",
                    detail={"line": rejected.line, "reason": rejected.key})
        return await _page(request, status=400, rejected=rejected)
    await audit(request, "roster.import", target=upload.filename or "",
                detail={"shifts": count})
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

