"""Working a case from the console: claim it, answer it, close it. Each action calls the same
service as the bot's button or chat (services/hotline/console_work.py), so the same rules
hold and the same people are told; a refusal shows the case again with the reason."""

from __future__ import annotations

from aiohttp import web

from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages import cases
from console.pages.announcements_media import accepts_uploads, read_upload
from console.pages.roster import category_names
from console.pages.roster_case_labels import refusal_key
from console.pages.submit_once import FIELD, only_once
from console.rendering import redirect
from services.refusals import Refused
from storage.models import Role


def _case_path(request: web.Request) -> str:
    return f"/console/cases/{request.match_info['number'].upper()}"


# What CaseWork (services/hotline/console_work.py) refuses an answer or a note with.
WORK_REFUSALS = frozenset({
    "console_workspace.refused.no_case", "console_workspace.refused.not_open",
    "console_workspace.refused.not_yours", "console_workspace.refused.empty",
    "console_workspace.refused.too_long", "console_workspace.refused.own_chat",
    "console_workspace.refused.empty_note",
})


async def _refused(request: web.Request, form: Form, refused: Refused) -> web.Response:
    key = refused.key if refused.key in WORK_REFUSALS else refusal_key(refused.key)
    form.fail(refused.field or "_general", key, **refused.values)
    return await cases.show_case(request, status=400, form=form)


@requires(Role.EXPERT)
async def claim(request: web.Request) -> web.StreamResponse:
    """The Claim button of the offer, in the console."""
    doors = request.app[SERVICES].hotline.actions
    return await cases.act(request, Form(await request.post()), doors.claim,
                           "console_workspace.done.claimed")


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
        except Refused as refused:
            return await _refused(request, form, refused)
        notice = ("console_workspace.done.answered" if answered.result.result == "relayed"
                  else "console_workspace.done.answer_failed")
        raise redirect(f"/console/cases/{answered.case.number}", notice=notice)


@requires(Role.EXPERT)
async def close(request: web.Request) -> web.StreamResponse:
    """The expert's Close button: the asker is asked for a rating, staff are told."""
    doors = request.app[SERVICES].hotline.actions
    return await cases.act(request, Form(await request.post()), doors.close,
                           "console_workspace.done.closed")


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
        except Refused as refused:
            return await _refused(request, form, refused)
        raise redirect(f"/console/cases/{case.number}", notice="console_workspace.done.noted")


@requires(Role.STAFF)
async def take_over(request: web.Request) -> web.StreamResponse:
    """Staff take the case (as from its topic): they answer it from now on."""
    doors = request.app[SERVICES].hotline.actions
    return await cases.act(request, Form(await request.post()), doors.take_over,
                           "console_workspace.done.taken_over")


@requires(Role.EXPERT)
async def hand_on(request: web.Request) -> web.StreamResponse:
    """The expert sends their case to another category's queue (the bot's Transfer)."""
    form = Form(await request.post())
    category = form.choice("category", await category_names(request))
    handoff = cases.handoff_of(form)
    if category is None:
        return await cases.show_case(request, status=400, form=form)
    doors = request.app[SERVICES].hotline.actions
    return await cases.act(request, form, lambda who, number: doors.transfer(
        who, number, category, handoff), "console_workspace.done.transferred")


@requires(Role.EXPERT)
async def release(request: web.Request) -> web.StreamResponse:
    """The holder gives the case up (or staff take it from them): offered afresh."""
    doors = request.app[SERVICES].hotline.actions
    return await cases.act(request, Form(await request.post()), doors.release,
                           "console_workspace.done.released")


@requires(Role.EXPERT)
async def escalate(request: web.Request) -> web.StreamResponse:
    """The holder hands the case to staff, with the handoff note (or why there is none)."""
    form = Form(await request.post())
    handoff = cases.handoff_of(form)
    doors = request.app[SERVICES].hotline.actions
    return await cases.act(request, form, lambda who, number: doors.escalate(
        who, number, handoff), "console_workspace.done.escalated")


@requires(Role.STAFF)
async def reopen(request: web.Request) -> web.StreamResponse:
    """Staff open a closed case again, for its expert (or afresh if they left)."""
    doors = request.app[SERVICES].hotline.actions
    return await cases.act(request, Form(await request.post()), doors.reopen,
                           "console_workspace.done.reopened")


def routes() -> list[web.RouteDef]:
    return [
        web.post(f"/cases/{cases.NUMBER}/claim", claim),
        web.post(f"/cases/{cases.NUMBER}/answer", accepts_uploads(answer)),
        web.post(f"/cases/{cases.NUMBER}/finish", close),
        web.post(f"/cases/{cases.NUMBER}/notes", add_note),
        web.post(f"/cases/{cases.NUMBER}/take-over", take_over),
        web.post(f"/cases/{cases.NUMBER}/hand-on", hand_on),
        web.post(f"/cases/{cases.NUMBER}/release", release),
        web.post(f"/cases/{cases.NUMBER}/escalate", escalate),
        web.post(f"/cases/{cases.NUMBER}/reopen", reopen),
    ]
