"""Changing a course from the console through the TrainingService front doors that
/training_edit, /training_move, /training_attend and /training_cancel use (they check,
change, audit and have registrants told), so registrants are told exactly as after an edit
in the bot."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from console.audit import audit
from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.course_page import course_of, course_page, course_path, fail
from console.pages.page_parts import PERSON_DIGITS, path_id
from console.pages.submit_once import FIELD as ONCE
from console.pages.submit_once import only_once
from console.rendering import redirect, render_refusal
from services.actors import Actor
from services.refusals import Refused
from services.trainings.board import local_input
from services.trainings.courses import CourseInputError
from services.trainings.service import Change
from storage.models import Role

log = logging.getLogger(__name__)

# The fields /training_edit changes one at a time; each has its own small form on the page.
EDIT_FIELDS = ("title", "description", "capacity", "deadline")


def acting(request: web.Request) -> Actor:
    """The signed-in viewer, as the training service's front doors take them."""
    return Actor.in_console(viewer(request).telegram_id, viewer(request).person.roles)


async def apply_change(request: web.Request, form_id: str, form: Form,
                       change_of: Callable[[], Awaitable[Change]], *,
                       audited: tuple[str, dict] | None = None) -> web.StreamResponse:
    """Runs one change through its front door (which audits it and has the registrants
    told); a refusal goes back beside the form's field. `audited`: the action and detail of
    a change whose service does not audit it itself (the course sessions)."""
    course = await course_of(request)
    async with only_once(request, form.value(ONCE), course_path(course.id)):
        try:
            change = await change_of()
        except CourseInputError as error:
            fail(request, form, "value", error)
            return await course_page(request, course, forms={form_id: form}, status=400)
        except Refused as refusal:
            form.fail("value", refusal.key, **refusal.values)
            return await course_page(request, course, forms={form_id: form}, status=400)
        if audited is not None:
            action, detail = audited
            await audit(request, action, target=f"course {course.id}",
                        detail={**detail, "told": change.told + len(change.promoted)})
        raise redirect(course_path(course.id), notice="console_comms.trainings.changed_notice")


@requires(Role.STAFF)
async def edit_field(request: web.Request) -> web.StreamResponse:
    """/training_edit ID FIELD VALUE: the title, description, capacity or deadline."""
    field = request.match_info["field"]
    if field not in EDIT_FIELDS:
        raise web.HTTPNotFound()
    course_id = path_id(request)
    form = Form(await request.post())
    raw = form.value("value")
    if field == "deadline":
        raw = local_input(raw)
    trainings = request.app[SERVICES].trainings
    return await apply_change(request, f"edit-{field}", form,
                              lambda: trainings.edit(acting(request), course_id, field, raw))


@requires(Role.STAFF)
async def move_session(request: web.Request) -> web.StreamResponse:
    """/training_move ID N DAY START-END: reschedules one session (its place stays)."""
    course_id, position = path_id(request), path_id(request, "position")
    form = Form(await request.post())
    day, start, end = form.date("day"), form.time("start"), form.time("end")
    if day is None or start is None or end is None:
        return await course_page(request, await course_of(request),
                                 forms={f"move-{position}": form}, status=400)
    line = f"{day.isoformat()} {start:%H:%M}-{end:%H:%M}"
    trainings = request.app[SERVICES].trainings
    return await apply_change(request, f"move-{position}", form, lambda: trainings.reschedule(
        acting(request), course_id, position, line))


@requires(Role.STAFF)
async def move_place(request: web.Request) -> web.StreamResponse:
    """/training_edit ID place N PLACE: a session's room or online link."""
    course_id, position = path_id(request), path_id(request, "position")
    form = Form(await request.post())
    place = form.value("value")
    trainings = request.app[SERVICES].trainings
    return await apply_change(request, f"place-{position}", form, lambda: trainings.edit(
        acting(request), course_id, "place", f"{position} {place}"))


@requires(Role.STAFF)
async def mark_attendance(request: web.Request) -> web.StreamResponse:
    """/training_attend ID N PERSON: marks one registrant present at session N."""
    course = await course_of(request)
    form = Form(await request.post())
    position = form.integer("position", minimum=1, maximum=len(course.sessions))
    person = form.value("person")
    if position is None or not person.isdigit() or len(person) > PERSON_DIGITS:
        return await render_refusal(request, 400, "console.refused.bad_request")
    async with only_once(request, form.value(ONCE), course_path(course.id)):
        try:
            await request.app[SERVICES].trainings.mark_attendance(
                acting(request), course.id, position, int(person))
        except CourseInputError as error:
            fail(request, form, "value", error)
            return await course_page(request, course, forms={"attendance": form}, status=400)
        except Refused as refusal:
            form.fail("value", refusal.key, **refusal.values)
            return await course_page(request, course, forms={"attendance": form}, status=400)
        raise redirect(course_path(course.id),
                       notice="console_comms.trainings.attendance_notice")


@requires(Role.STAFF)
async def cancel_course(request: web.Request) -> web.StreamResponse:
    """/training_cancel: the course is cancelled for good and every registrant is told."""
    course = await course_of(request)
    form = Form(await request.post())
    if not form.flag("confirm"):
        form.fail("confirm", "console_comms.trainings.error.confirm_cancel")
        return await course_page(request, course, forms={"cancel": form}, status=400)
    services = request.app[SERVICES]
    async with only_once(request, form.value(ONCE), course_path(course.id)):
        try:
            await services.trainings.cancel_course(acting(request), course.id)
        except Refused as refusal:
            form.fail("confirm", refusal.key, **refusal.values)
            return await course_page(request, course, forms={"cancel": form}, status=400)
        raise redirect(course_path(course.id), notice="console_comms.trainings.cancelled_notice")


def routes() -> list[web.RouteDef]:
    return [
        web.post(r"/trainings/{id:\d+}/edit/{field:[a-z]+}", edit_field),
        web.post(r"/trainings/{id:\d+}/sessions/{position:\d+}/move", move_session),
        web.post(r"/trainings/{id:\d+}/sessions/{position:\d+}/place", move_place),
        web.post(r"/trainings/{id:\d+}/attendance", mark_attendance),
        web.post(r"/trainings/{id:\d+}/cancel", cancel_course),
    ]
