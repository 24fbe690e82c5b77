"""What the course pages share: the course from the path, the course page with its forms,
and a refusal shown beside its field, naming the field as the bot's refusals do."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from console.forms import Form
from console.keys import SERVICES
from console.pages.page_parts import path_id
from console.pages.submit_once import issue
from console.rendering import locale_of, render, text
from services.trainings.courses import AUDIENCES, KINDS, CourseInputError
from services.trainings.display import CourseInfo, local_time, sessions_view
from storage.models import CourseStatus, RegistrationStatus

STATUS_TEXTS = {CourseStatus.OPEN: "console_comms.trainings.status.open",
                CourseStatus.CANCELLED: "console_comms.trainings.status.cancelled"}


def fail(request: web.Request, form: Form, name: str, error: CourseInputError) -> None:
    """The refusal beside its field, naming the field as the bot's refusals do."""
    label = text(request, f"trainings.field.{error.field}")
    form.fail(name, error.reason, field=label, **error.values)


def options(request: web.Request) -> dict[str, Any]:
    return {
        "kinds": [(k, text(request, f"trainings.kind.{k}")) for k in KINDS],
        "audiences": [(a, text(request, f"trainings.audience.{a}")) for a in AUDIENCES],
    }


def course_path(course_id: int) -> str:
    """The course's page: where its forms lead, and the purpose of their one-time token."""
    return f"/console/trainings/{course_id}"


async def course_of(request: web.Request) -> CourseInfo:
    course = await request.app[SERVICES].trainings.course(path_id(request))
    if course is None:
        raise web.HTTPNotFound()
    return course


async def course_page(request: web.Request, course: CourseInfo, *,
                      forms: dict[str, Form] | None = None,
                      status: int = 200) -> web.Response:
    """The course, its sessions, the edit forms (with any refusal) and the registrants."""
    services = request.app[SERVICES]
    trainings = services.trainings
    locale = locale_of(request)
    people = await trainings.registrants(course.id)
    registered = [p for p in people if p.status == RegistrationStatus.REGISTERED]
    waiting = [p for p in people if p.status == RegistrationStatus.WAITLISTED]
    zone = trainings.zone
    sessions = [{**view, "session": session,
                 "day": session.starts_at.astimezone(zone).date().isoformat(),
                 "start": session.starts_at.astimezone(zone).strftime("%H:%M"),
                 "end": session.ends_at.astimezone(zone).strftime("%H:%M")}
                for view, session in zip(sessions_view(course, zone, locale), course.sessions,
                                         strict=True)]
    return await render(
        request, "console/training.html", status=status, course=course, sessions=sessions,
        once=await issue(request, course_path(course.id)),
        registered=registered, waiting=waiting, failed=forms or {},
        deadline=local_time(course.registration_deadline, zone, locale),
        deadline_input=course.registration_deadline.astimezone(zone).strftime(
            "%Y-%m-%dT%H:%M"),
        editable=course.status == CourseStatus.OPEN, status_texts=STATUS_TEXTS,
        kind=text(request, f"trainings.kind.{course.kind}"),
        audience=text(request, f"trainings.audience.{course.audience}"))
