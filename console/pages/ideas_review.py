"""Reviewing an idea from the console through the IdeaService front doors /review uses: a
status change with an answer (published now or later), publishing, private notes, duplicates,
and hiding or showing it. The doors check, change and audit; a refusal is shown beside the
form in the words the bot uses. The doors tell the author (through the bot) exactly as
after /review; the page says whether the notice arrived."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager

from aiohttp import web

from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.idea_page import idea_of, idea_page, idea_path
from console.pages.submit_once import FIELD as ONCE
from console.pages.submit_once import only_once
from console.rendering import redirect
from services.actors import Actor
from services.ideas import IdeaInputError
from services.ideas.author_notice import Told
from services.ideas.rules import LIMITS, normalise_reference
from services.refusals import Refused
from storage.models import Idea, Role

log = logging.getLogger(__name__)

# The chat's input refusals ask to "send it again"; beside a field the console says it so.
INPUT_TEXTS = {"ideas.error.empty": "console_comms.ideas.error.empty",
               "ideas.error.too_long": "console_comms.ideas.error.too_long"}


# What the page says of the word owed to the author after a status change or publishing.
AUTHOR_NOTICES = {
    Told.SENT: "console_comms.ideas.author_told",
    Told.LATER: "console_comms.ideas.author_later",
    Told.UNREACHABLE: "console_comms.ideas.author_unreachable",
    Told.NOTHING_OWED: "console_comms.ideas.saved_not_told",
}


def _acting(request: web.Request) -> Actor:
    """The signed-in viewer, as the idea service's front doors take them."""
    return Actor.in_console(viewer(request).telegram_id, viewer(request).person.roles)


async def _refused(request: web.Request, idea: Idea, form_id: str, form: Form, name: str,
                   error: Refused | IdeaInputError) -> web.Response:
    if isinstance(error, IdeaInputError):
        form.fail(name, INPUT_TEXTS[error.reason], limit=error.limit)
    else:
        # The same catalogue key and values the bot shows for this refusal.
        form.fail(name, error.key, **error.values)
    log.warning("console: idea %s %s refused to %s: %s", idea.reference, form_id,
                viewer(request).telegram_id, error)
    return await idea_page(request, idea, failed={form_id: form}, status=400)


def _done(idea: Idea, notice: str) -> web.HTTPSeeOther:
    return redirect(idea_path(idea), notice=notice)


async def _posted(request: web.Request) -> tuple[Idea, Form]:
    return await idea_of(request), Form(await request.post())


def _once(request: web.Request, idea: Idea, form: Form) -> AbstractAsyncContextManager:
    """Each review form acts once: sent again (a double click, a reload), it changes
    nothing and tells the author nothing more."""
    return only_once(request, form.value(ONCE), idea_path(idea))


@requires(Role.STAFF)
async def change_status(request: web.Request) -> web.StreamResponse:
    """Moves the idea to a status with an optional answer; published now unless unticked."""
    idea, form = await _posted(request)
    statuses = [s.key for s in await request.app[SERVICES].ideas.statuses()]
    target = form.choice("status", statuses)
    answer = form.value("answer").strip() or None
    if answer is not None and len(answer) > LIMITS["answer"]:
        form.fail("answer", "console_comms.ideas.error.too_long", limit=LIMITS["answer"])
    if not form.ok or target is None:
        return await idea_page(request, idea, failed={"status": form}, status=400)
    publish = form.flag("publish")
    async with _once(request, idea, form):
        try:
            change = await request.app[SERVICES].ideas.change_status(
                _acting(request), idea.id, form.value("expected"), target, answer, publish)
        except (Refused, IdeaInputError) as error:
            return await _refused(request, idea, "status", form, "status", error)
        raise _done(idea, AUTHOR_NOTICES[change.author])


@requires(Role.STAFF)
async def publish(request: web.Request) -> web.StreamResponse:
    """Publishes the status and answer staff set earlier (the author is told now)."""
    idea, form = await _posted(request)
    async with _once(request, idea, form):
        try:
            change = await request.app[SERVICES].ideas.publish(_acting(request), idea.id)
        except Refused as refusal:
            return await _refused(request, idea, "publish", form, "publish", refusal)
        raise _done(idea, AUTHOR_NOTICES[change.author])


@requires(Role.STAFF)
async def add_note(request: web.Request) -> web.StreamResponse:
    """A private staff note: kept in the history, never shown to the author."""
    idea, form = await _posted(request)
    async with _once(request, idea, form):
        try:
            await request.app[SERVICES].ideas.add_note(_acting(request), idea.id,
                                                       form.value("note"))
        except (Refused, IdeaInputError) as error:
            return await _refused(request, idea, "note", form, "note", error)
        raise _done(idea, "console_comms.ideas.noted")


@requires(Role.STAFF)
async def mark_duplicate(request: web.Request) -> web.StreamResponse:
    """Marks it a duplicate of another idea (by reference); its author is told which."""
    idea, form = await _posted(request)
    async with _once(request, idea, form):
        try:
            await request.app[SERVICES].ideas.mark_duplicate(
                _acting(request), idea.id, normalise_reference(form.value("original")))
        except Refused as refusal:
            return await _refused(request, idea, "duplicate", form, "original", refusal)
        raise _done(idea, "console_comms.ideas.duplicate_marked")


@requires(Role.STAFF)
async def hide(request: web.Request) -> web.StreamResponse:
    """Takes the idea off the public list (as three reports would)."""
    idea, form = await _posted(request)
    async with _once(request, idea, form):
        try:
            await request.app[SERVICES].ideas.hide(_acting(request), idea.id)
        except Refused as refusal:
            return await _refused(request, idea, "visibility", Form(), "visibility", refusal)
        raise _done(idea, "console_comms.ideas.hidden_notice")


@requires(Role.STAFF)
async def show(request: web.Request) -> web.StreamResponse:
    """Shows a hidden idea again (its reports are cleared, as /review's button does)."""
    idea, form = await _posted(request)
    async with _once(request, idea, form):
        try:
            await request.app[SERVICES].ideas.unhide(_acting(request), idea.id)
        except Refused as refusal:
            return await _refused(request, idea, "visibility", Form(), "visibility", refusal)
        raise _done(idea, "console_comms.ideas.shown_notice")


def routes() -> list[web.RouteDef]:
    return [
        web.post(r"/ideas/{id:\d+}/status", change_status),
        web.post(r"/ideas/{id:\d+}/publish", publish),
        web.post(r"/ideas/{id:\d+}/note", add_note),
        web.post(r"/ideas/{id:\d+}/duplicate", mark_duplicate),
        web.post(r"/ideas/{id:\d+}/hide", hide),
        web.post(r"/ideas/{id:\d+}/show", show),
    ]
