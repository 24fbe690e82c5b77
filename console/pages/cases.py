"""Hotline cases: the filtered list, one case's transcript as both sides saw it, the staff
actions (reassign, transfer, close) and the export of `hotline cases export`."""

from __future__ import annotations

import re
from datetime import timedelta

from aiohttp import web

from console.audit import audit
from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.roster import category_names, local_today
from console.pages.roster_case_labels import DONE, STATUSES, render_ops
from console.pages.submit_once import issue
from console.rendering import locale_of, redirect, text
from services.actors import Actor
from services.audit import CONSOLE
from services.hotline.case_browser import CaseFilters
from services.hotline.handoffs import SKIP_REASONS, Handoff
from services.refusals import Refused
from storage.models import Case, Role

EXPORT_FORMATS = {"csv": "text/csv", "xlsx": (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
# An export spans at most this many days: a year of cases is what the bureau reports on.
EXPORT_MAX_DAYS = 366
DEFAULT_EXPORT_DAYS = 30


async def _filters(request: web.Request, form: Form) -> CaseFilters:
    """The list's filters from the query string; a bad one is marked and left out."""
    keys = await category_names(request)
    first, last = form.date("from", required=False), form.date("to", required=False)
    if first and last and last < first:
        form.fail("to", "console_ops.cases.error.to_before_from")
        last = None
    staff = viewer(request).is_staff
    return CaseFilters(
        category=form.choice("category", keys, required=False),
        expert_id=form.integer("expert", minimum=1, required=False) if staff else None,
        status=form.choice("status", STATUSES, required=False),
        first=first, last=last,
        number=form.text("number", max_length=16, required=False),
        visible_to=None if staff else viewer(request).telegram_id)


async def _list_page(request: web.Request, *, status: int = 200,
                     export_form: Form | None = None) -> web.Response:
    services = request.app[SERVICES]
    form = Form(request.query)
    filters = await _filters(request, form)
    # A page number out of range (an old link) shows the first page rather than an error.
    raw_page = request.query.get("page", "")
    page = int(raw_page) if re.fullmatch(r"[1-9]\d{0,4}", raw_page) else 1
    found = await services.hotline.case_browser.search(filters, page)
    today = local_today(request)
    query = {k: v for k, v in request.query.items() if k != "page" and v}
    return await render_ops(
        request, "console/cases.html", status=400 if not form.ok else status, form=form,
        found=found, query=query, names=await category_names(request),
        experts=[(e.telegram_id, e.name) for e in await services.hotline.experts.all()],
        staff=viewer(request).is_staff,
        statuses=[(s, text(request, key)) for s, key in STATUSES.items()],
        export_form=export_form, export_from=(filters.first or today - timedelta(
            days=DEFAULT_EXPORT_DAYS)).isoformat(),
        export_to=(filters.last or today).isoformat())


@requires(Role.EXPERT)
async def cases_page(request: web.Request) -> web.Response:
    """Lists cases, newest first, filtered by category, expert, status, dates and number."""
    return await _list_page(request)


@requires(Role.STAFF)
async def export_cases(request: web.Request) -> web.StreamResponse:
    """The cases opened between two dates as CSV or XLSX, as `hotline cases export`."""
    form = Form(await request.post())
    first, last = form.date("export_from"), form.date("export_to")
    kind = form.choice("format", EXPORT_FORMATS)
    if first and last and last < first:
        form.fail("export_to", "console_ops.cases.error.to_before_from")
    elif first and last and (last - first).days >= EXPORT_MAX_DAYS:
        form.fail("export_to", "console_ops.cases.error.export_too_long", days=EXPORT_MAX_DAYS)
    if not form.ok or first is None or last is None or kind is None:
        return await _list_page(request, status=400, export_form=form)
    data, count, name = await request.app[SERVICES].hotline.case_browser.export(
        first, last, kind, locale_of(request), lambda key: text(request, key))
    await audit(request, "cases.export", target=name, detail={"cases": count})
    return web.Response(body=data, content_type=EXPORT_FORMATS[kind],
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})


async def may_see(request: web.Request, case: Case) -> bool:
    """Staff see every case; an expert only those they hold or are offered."""
    signed_in = viewer(request)
    return signed_in.is_staff or await request.app[SERVICES].hotline.case_browser.expert_may_see(
        case, signed_in.telegram_id)


async def show_case(request: web.Request, *, status: int = 200,
                     form: Form | None = None) -> web.Response:
    services = request.app[SERVICES]
    detail = await services.hotline.case_browser.detail(request.match_info["number"])
    if detail is None or not await may_see(request, detail.case):
        raise web.HTTPNotFound()  # an expert is not told that someone else's case exists
    experts = [e for e in await services.hotline.experts.of_category(detail.case.category)
               if e.telegram_id not in (detail.case.expert_id, detail.case.asker_id)]
    names = await category_names(request)
    signed_in = viewer(request)
    holds = detail.case.expert_id == signed_in.telegram_id and detail.case.status == "open"
    handoffs = await services.hotline.cases.handoffs_of(detail.case.id)
    return await render_ops(request, "console/case.html", status=status, detail=detail,
                        form=form, experts=experts, names=names,
                        handoff=handoffs[-1] if handoffs else None,
                        skip_reasons=SKIP_REASONS,
                        staff=signed_in.is_staff, holds=holds,
                        snippets=await services.hotline.snippets.for_case(
                            detail.case, signed_in.telegram_id) if holds else [],
                        timeline=await services.hotline.case_browser.timeline(detail),
                        clocks=await services.hotline.reports.case_clocks(detail.case),
                        may_claim=detail.case.status == "offered" and not signed_in.is_staff,
                        once=await issue(request, f"/console/cases/{detail.case.number}")
                        if holds else "",
                        may_note=signed_in.is_staff or detail.case.expert_id
                        == signed_in.telegram_id,
                        note_once=await issue(
                            request, f"/console/cases/{detail.case.number}/notes")
                        if signed_in.is_staff or detail.case.expert_id == signed_in.telegram_id
                        else "",
                        categories=[(k, v) for k, v in names.items()
                                    if k != detail.case.category])


@requires(Role.EXPERT)
async def case_page(request: web.Request) -> web.Response:
    """One case: its facts, the transcript as both sides saw it, and the staff actions."""
    return await show_case(request)


def actor(request: web.Request) -> Actor:
    """The signed-in viewer as the case doors see them (services/hotline/case_actions)."""
    signed_in = viewer(request)
    return Actor(signed_in.telegram_id, frozenset(signed_in.person.roles), CONSOLE)


def handoff_of(form: Form) -> Handoff | None:
    """The transfer form's handoff note: a line, or why there is none (a ready reason,
    "nothing to add" when the form's choice is left as it comes, or the person's own
    words); None, with the field marked, when too long."""
    reason = form.value("skip_other").strip() or form.value("skip").strip() or "nothing"
    try:
        return Handoff.of(form.value("summary"), reason)
    except Refused as refused:
        form.fail(refused.field or "summary", refused.key, **refused.values)
        return None


async def act(request: web.Request, form: Form, call, done: str) -> web.StreamResponse:
    """Runs a door; a refusal shows the case again with the reason by its field."""
    if not form.ok:
        return await show_case(request, status=400, form=form)
    try:
        result = await call(actor(request), request.match_info["number"].upper())
    except Refused as refused:
        form.fail(refused.field or "_general", refused.key, **refused.values)
        return await show_case(request, status=400, form=form)
    raise redirect(f"/console/cases/{result.after.number}", notice=done)


@requires(Role.STAFF)
async def reassign(request: web.Request) -> web.StreamResponse:
    """Gives the case to another expert of its category (claimed for them if waiting)."""
    form = Form(await request.post())
    expert_id = form.integer("expert", minimum=1)
    if expert_id is None:
        return await show_case(request, status=400, form=form)
    doors = request.app[SERVICES].hotline.actions
    return await act(request, form, lambda who, number: doors.reassign(who, number, expert_id),
                     DONE["reassign"])


@requires(Role.STAFF)
async def transfer(request: web.Request) -> web.StreamResponse:
    """Sends the case to the queue of another category."""
    form = Form(await request.post())
    category = form.choice("category", await category_names(request))
    handoff = handoff_of(form)
    if category is None:
        return await show_case(request, status=400, form=form)
    doors = request.app[SERVICES].hotline.actions
    return await act(request, form, lambda who, number: doors.transfer(
        who, number, category, handoff), DONE["transfer"])


@requires(Role.STAFF)
async def close(request: web.Request) -> web.StreamResponse:
    """Closes the case; the asker is asked for a rating and the expert is told."""
    form = Form(await request.post())
    if not form.flag("confirm"):
        form.fail("confirm", "console_ops.cases.error.confirm_close")
        return await show_case(request, status=400, form=form)
    return await act(request, form, request.app[SERVICES].hotline.actions.close,
                     DONE["close"])


NUMBER = r"{number:[A-Za-z]-\d{4}-\d{1,8}}"


def routes() -> list[web.RouteDef]:
    return [
        web.get("/cases", cases_page),
        web.post("/cases/export", export_cases),
        web.get(f"/cases/{NUMBER}", case_page),
        web.post(f"/cases/{NUMBER}/reassign", reassign),
        web.post(f"/cases/{NUMBER}/transfer", transfer),
        web.post(f"/cases/{NUMBER}/close", close),
    ]
