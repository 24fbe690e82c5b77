"""Working a case from the console: claim it, answer it, close it. Each action calls the same
service as the bot's button or chat (services/hotline/console_work.py), so the same rules
hold and the same people are told; a refusal shows the case again with the reason."""

from __future__ import annotations

from aiohttp import web

from console.audit import audit
from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages import cases
from console.pages.announcements_media import accepts_uploads, read_upload
from console.pages.roster import category_names
from console.pages.submit_once import FIELD, only_once
from console.rendering import redirect
from services.hotline.console_work import CaseWorkRefused
from storage.models import Role

REFUSALS = {
    "no_case": "console_workspace.refused.no_case",
    "start_private_chat": "console_workspace.refused.start_private_chat",
    "taken": "console_workspace.refused.taken",
    "not_offered": "console_workspace.refused.not_offered",
    "not_open": "console_workspace.refused.not_open",
    "not_yours": "console_workspace.refused.not_yours",
    "empty": "console_workspace.refused.empty",
    "too_long": "console_workspace.refused.too_long",
    "own_chat": "console_workspace.refused.own_chat",
    "empty_note": "console_workspace.refused.empty_note",
    "already_yours": "console_workspace.refused.already_yours",
    "bad_category": "console_workspace.refused.bad_category",
}


def _case_path(request: web.Request) -> str:
    return f"/console/cases/{request.match_info['number'].upper()}"


async def _refused(request: web.Request, form: Form, refused: CaseWorkRefused) -> web.Response:
    form.fail("_general", REFUSALS[refused.reason], **refused.values)
    return await cases.show_case(request, status=400, form=form)


@requires(Role.EXPERT)
async def claim(request: web.Request) -> web.StreamResponse:
    """The Claim button of the offer, in the console."""
    form = Form(await request.post())
    signed_in = viewer(request)
    try:
        case = await request.app[SERVICES].hotline.case_work.claim(
            request.match_info["number"], signed_in.telegram_id,
            frozenset(signed_in.person.roles))
    except CaseWorkRefused as refused:
        return await _refused(request, form, refused)
    raise redirect(f"/console/cases/{case.number}", notice="console_workspace.done.claimed")


@requires(Role.EXPERT)
async def answer(request: web.Request) -> web.StreamResponse:
    """Sends the reply box's text to the asker through the relay; sent once, whatever the
    clicks, reloads or second tabs (the form's one-time token)."""
    posted = await request.post()
    form = Form(posted)
    attachment = read_upload(form, posted)
    if not form.ok:
        return await cases.show_case(request, status=400, form=form)
    text = form.value("text")  # the service checks it: empty, too long
    async with only_once(request, form.value(FIELD), _case_path(request)):
        try:
            answered = await request.app[SERVICES].hotline.case_work.answer(
                request.match_info["number"], viewer(request).telegram_id, text, attachment)
        except CaseWorkRefused as refused:
            return await _refused(request, form, refused)
        notice = ("console_workspace.done.answered" if answered.result.result == "relayed"
                  else "console_workspace.done.answer_failed")
        raise redirect(f"/console/cases/{answered.case.number}", notice=notice)


@requires(Role.EXPERT)
async def close(request: web.Request) -> web.StreamResponse:
    """The expert's Close button: the asker is asked for a rating, staff are told."""
    form = Form(await request.post())
    try:
        case = await request.app[SERVICES].hotline.case_work.close(request.match_info["number"],
                                                                   viewer(request).telegram_id)
    except CaseWorkRefused as refused:
        return await _refused(request, form, refused)
    if viewer(request).is_staff:  # as the bot: a staff member's close is audited
        await audit(request, "cases.close", target=case.number,
                    detail={"by": "expert", "status": [case.status, "closed"]})
    raise redirect(f"/console/cases/{case.number}", notice="console_workspace.done.closed")


@requires(Role.EXPERT)
async def add_note(request: web.Request) -> web.StreamResponse:
    """An internal note: for staff and the case's expert, and the staff topic; never the
    asker. Sent once (the form's one-time token), like an answer."""
    form = Form(await request.post())
    signed_in = viewer(request)
    async with only_once(request, form.value(FIELD), f"{_case_path(request)}/notes"):
        try:
            case = await request.app[SERVICES].hotline.case_work.add_note(
                request.match_info["number"], signed_in.telegram_id, signed_in.is_staff,
                form.value("note"))
        except CaseWorkRefused as refused:
            return await _refused(request, form, refused)
        raise redirect(f"/console/cases/{case.number}", notice="console_workspace.done.noted")


@requires(Role.STAFF)
async def take_over(request: web.Request) -> web.StreamResponse:
    """Staff take the case (as from its topic): they answer it from now on."""
    form = Form(await request.post())
    try:
        case = await request.app[SERVICES].hotline.case_work.take_over(request.match_info["number"],
                                                                       viewer(request).telegram_id)
    except CaseWorkRefused as refused:
        return await _refused(request, form, refused)
    await audit(request, "cases.take_over", target=case.number,
                detail={"expert": [case.expert_id, viewer(request).telegram_id]})
    raise redirect(f"/console/cases/{case.number}", notice="console_workspace.done.taken_over")


@requires(Role.EXPERT)
async def hand_on(request: web.Request) -> web.StreamResponse:
    """The expert sends their case to another category's queue (the bot's Transfer)."""
    form = Form(await request.post())
    category = form.choice("category", await category_names(request))
    if category is None:
        return await cases.show_case(request, status=400, form=form)
    try:
        case = await request.app[SERVICES].hotline.case_work.transfer(
            request.match_info["number"], viewer(request).telegram_id, category)
    except CaseWorkRefused as refused:
        return await _refused(request, form, refused)
    if viewer(request).is_staff:
        await audit(request, "cases.transfer", target=case.number,
                    detail={"category": [case.category, category]})
    raise redirect(f"/console/cases/{case.number}", notice="console_workspace.done.transferred")


def routes() -> list[web.RouteDef]:
    return [
        web.post(f"/cases/{cases.NUMBER}/claim", claim),
        web.post(f"/cases/{cases.NUMBER}/answer", accepts_uploads(answer)),
        web.post(f"/cases/{cases.NUMBER}/finish", close),
        web.post(f"/cases/{cases.NUMBER}/notes", add_note),
        web.post(f"/cases/{cases.NUMBER}/take-over", take_over),
        web.post(f"/cases/{cases.NUMBER}/hand-on", hand_on),
    ]
