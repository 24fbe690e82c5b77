"""Changing a course from the console through the TrainingService calls /training_edit,
/training_move, /training_attend and /training_cancel make, so registrants are told exactly
as after an edit in the bot (the notices are stored with the change, then sent at once)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from console.audit import audit
from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.course_page import course_of, course_page, course_path, fail
from console.pages.page_parts import PERSON_DIGITS, path_id, soon
from console.pages.submit_once import FIELD as ONCE
from console.pages.submit_once import only_once
from console.rendering import redirect, render_refusal
from services.trainings.board import local_input
from services.trainings.courses import CourseInputError
from services.trainings.service import Change, TrainingRefusal
from storage.models import Role

log = logging.getLogger(__name__)

# The fields /training_edit changes one at a time; each has its own small form on the page.
EDIT_FIELDS = ("title", "description", "capacity", "deadline")


async def apply_change(request: web.Request, form_id: str, form: Form, action: str, detail: dict,
                 change_of: Callable[[], Awaitable[Change]]) -> web.StreamResponse:
    """Runs one change; a refusal goes back beside the form's field, success is audited and
    the registrants' notices are sent off the request (as the bot's send_notices_soon)."""
    course = await course_of(request)
    services = request.app[SERVICES]
    async with only_once(request, form.value(ONCE), course_path(course.id)):
        try:
            change = await change_of()
        except CourseInputError as error:
            fail(request, form, "value", error)
            return await course_page(request, course, forms={form_id: form}, status=400)
        except TrainingRefusal as refusal:
            form.fail("value", refusal.reason)
            return await course_page(request, course, forms={form_id: form}, status=400)
        soon(services.training_reminders.send_notices(), f"notices of course {course.id}")
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
    return await apply_change(request, f"edit-{field}", form, "trainings.edit",
                        {"field": field, "value": raw},
                        lambda: trainings.edit(course_id, field, raw))


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
    return await apply_change(request, f"move-{position}", form, "trainings.reschedule",
                        {"session": position, "to": line},
                        lambda: trainings.reschedule(course_id, position, line))


@requires(Role.STAFF)
async def move_place(request: web.Request) -> web.StreamResponse:
    """/training_edit ID place N PLACE: a session's room or online link."""
    course_id, position = path_id(request), path_id(request, "position")
    form = Form(await request.post())
    place = form.value("value")
    trainings = request.app[SERVICES].trainings
    return await apply_change(request, f"place-{position}", form, "trainings.place",
                        {"session": position, "place": place},
                        lambda: trainings.edit(course_id, "place", f"{position} {place}"))


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
            first = await request.app[SERVICES].trainings.mark_attendance(
                course.id, position, int(person), viewer(request).telegram_id)
        except TrainingRefusal as refusal:
            form.fail("value", refusal.reason)
            return await course_page(request, course, forms={"attendance": form}, status=400)
        except CourseInputError as error:
            fail(request, form, "value", error)
            return await course_page(request, course, forms={"attendance": form}, status=400)
        if first:
            await audit(request, "trainings.attendance", target=f"course {course.id}",
                        detail={"session": position, "person": int(person)})
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
            _course, people = await services.trainings.cancel_course(course.id)
        except TrainingRefusal as refusal:
            form.fail("confirm", refusal.reason)
            return await course_page(request, course, forms={"cancel": form}, status=400)
        soon(services.training_reminders.send_notices(), f"notices of course {course.id}")
        await audit(request, "trainings.cancel", target=f"course {course.id}",
                    detail={"title": course.title, "told": len(people)})
        raise redirect(course_path(course.id), notice="console_comms.trainings.cancelled_notice")


def routes() -> list[web.RouteDef]:
    return [
        web.post(r"/trainings/{id:\d+}/edit/{field:[a-z]+}", edit_field),
        web.post(r"/trainings/{id:\d+}/sessions/{position:\d+}/move", move_session),
        web.post(r"/trainings/{id:\d+}/sessions/{position:\d+}/place", move_place),
        web.post(r"/trainings/{id:\d+}/attendance", mark_attendance),
        web.post(r"/trainings/{id:\d+}/cancel", cancel_course),
    ]
