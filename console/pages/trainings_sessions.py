"""Adding a session to a course, or removing one, from the course page. Registrants are told
as after any other change (trainings_edit.apply_change), and reminders are planned again."""

from __future__ import annotations

from aiohttp import web

from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages.course_page import course_of, course_page
from console.pages.page_parts import path_id
from console.pages.trainings_edit import apply_change
from services.trainings.courses import PLACE_MAX
from storage.models import Role


@requires(Role.STAFF)
async def add_session(request: web.Request) -> web.StreamResponse:
    """A new session: day, start, end and place, checked as a session line of the dialog."""
    course_id = path_id(request)
    form = Form(await request.post())
    day, start, end = form.date("day"), form.time("start"), form.time("end")
    place = form.text("place", max_length=PLACE_MAX)
    if start is not None and end is not None and end <= start:
        form.fail("end", "console_comms.trainings.error.end_before_start")
    if not form.ok or day is None or start is None or end is None or place is None:
        return await course_page(request, await course_of(request),
                                 forms={"add-session": form}, status=400)
    line = f"{day.isoformat()} {start:%H:%M}-{end:%H:%M} {place}"
    sessions = request.app[SERVICES].trainings.sessions
    return await apply_change(request, "add-session", form,
                              lambda: sessions.add(course_id, line),
                              audited=("trainings.session_add", {"session": line}))


@requires(Role.STAFF)
async def remove_session(request: web.Request) -> web.StreamResponse:
    """Removes session N once the box saying so is ticked (registrants are told)."""
    course_id, position = path_id(request), path_id(request, "position")
    form = Form(await request.post())
    form_id = f"remove-{position}"
    if not form.flag("confirm"):
        form.fail("confirm", "console_comms.trainings.error.confirm_remove")
        return await course_page(request, await course_of(request), forms={form_id: form},
                                 status=400)
    sessions = request.app[SERVICES].trainings.sessions
    return await apply_change(request, form_id, form,
                              lambda: sessions.remove(course_id, position),
                              audited=("trainings.session_remove", {"session": position}))


def routes() -> list[web.RouteDef]:
    return [
        web.post(r"/trainings/{id:\d+}/sessions/add", add_session),
        web.post(r"/trainings/{id:\d+}/sessions/{position:\d+}/remove", remove_session),
    ]
