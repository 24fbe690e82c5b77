"""Trainings in the console: the course list, a new course (checked as the /training_new dialog
and course files are), one course with its registrants, waitlist and attendance, and the
registrant export of `hotline trainings export`. Changes to a course: trainings_edit.py."""

from __future__ import annotations

import logging

from aiohttp import web

from console.audit import audit
from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages import trainings_edit, trainings_sessions
from console.pages.course_page import (
    STATUS_TEXTS,
    course_of,
    course_page,
    course_path,
    fail,
    options,
)
from console.pages.page_parts import download, page_number
from console.pages.submit_once import FIELD as ONCE
from console.pages.submit_once import answer_if_used, issue, only_once
from console.pages.trainings_edit import acting
from console.rendering import redirect, render, text
from services.trainings.board import FORM_FIELDS, check_course_form
from services.trainings.exports import registrants_table
from storage.models import CourseStatus, Role

log = logging.getLogger(__name__)

STATUSES = (CourseStatus.OPEN, CourseStatus.CANCELLED)
EXPORTS = {"csv": "text/csv",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@requires(Role.STAFF)
async def course_list(request: web.Request) -> web.Response:
    """Every course, newest first (open or cancelled), with places taken and waiting."""
    status = request.query.get("status", "")
    status = status if status in STATUSES else ""
    services = request.app[SERVICES]
    page = await services.trainings.board.courses(status or None, page_number(request))
    now = services.trainings.clock.now()
    choices = options(request)
    return await render(request, "console/trainings.html", page=page, chosen=status,
                        statuses=STATUSES, now=now, status_texts=STATUS_TEXTS,
                        kind_labels=dict(choices["kinds"]))


# The one-time token of the new-course form: sending it twice creates one course.
NEW_PURPOSE = "/console/trainings"


async def _new_page(request: web.Request, form: Form, status: int = 200) -> web.Response:
    return await render(request, "console/training_new.html", status=status, form=form,
                        once=await issue(request, NEW_PURPOSE), **options(request))


@requires(Role.STAFF)
async def new_course_form(request: web.Request) -> web.Response:
    """The empty course form (title, kind, description, sessions, capacity, deadline...)."""
    return await _new_page(request, Form({"audience": "everyone"}))


@requires(Role.STAFF)
async def create_course(request: web.Request) -> web.StreamResponse:
    """Stores the course when every field passes; otherwise each refusal beside its field."""
    services = request.app[SERVICES]
    form = Form(await request.post())
    await answer_if_used(request, form.value(ONCE), NEW_PURPOSE)
    trainings = services.trainings
    checked = check_course_form({name: form.value(name) for name in FORM_FIELDS},
                                trainings.zone, trainings.clock.now())
    for name, error in checked.errors.items():
        fail(request, form, name, error)
    if checked.plan is None:
        return await _new_page(request, form, status=400)
    async with only_once(request, form.value(ONCE), NEW_PURPOSE):
        course_id = await trainings.create_course(acting(request), checked.plan)
        raise redirect(course_path(course_id), notice="console_comms.trainings.created_notice")


@requires(Role.STAFF)
async def course_detail(request: web.Request) -> web.Response:
    return await course_page(request, await course_of(request))


@requires(Role.STAFF)
async def export(request: web.Request) -> web.StreamResponse:
    """The registrant list as CSV (Excel-ready) or XLSX, as `hotline trainings export` writes."""
    file_format = request.match_info["format"]
    if file_format not in EXPORTS:
        raise web.HTTPNotFound()
    course = await course_of(request)
    services = request.app[SERVICES]
    people = await services.trainings.registrants(course.id, with_history=True)
    data = registrants_table(file_format, course, people, services.trainings.zone,
                             lambda key: text(request, key))
    await audit(request, "trainings.export", target=f"course {course.id}",
                detail={"format": file_format, "rows": len(people)})
    return download(data, f"training-{course.id}.{file_format}", EXPORTS[file_format])


def routes() -> list[web.RouteDef]:
    return [
        web.get("/trainings", course_list),
        web.get("/trainings/new", new_course_form),
        web.post("/trainings/new", create_course),
        web.get(r"/trainings/{id:\d+}", course_detail),
        web.get(r"/trainings/{id:\d+}/export.{format:[a-z]+}", export),
        *trainings_edit.routes(),
        *trainings_sessions.routes(),
    ]
