"""A session reminder's two buttons: "I can't come to this session" (the place on the course
is kept, that session's reminders stop; "I can come after all" takes it back) and "Cancel my
registration", which first asks. The final "yes" is trainings.quit_course_confirmed; the
server re-checks every press."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from handlers.trainings_cards import CALLBACK_PREFIX, callback_id, refuse
from services.trainings.display import session_when
from services.trainings.service import TrainingRefusal
from storage.models import RegistrationStatus, Role

EVERYONE = tuple(Role)


async def _close_buttons(update: Update) -> None:
    """The pressed message's buttons go: that step is done."""
    with contextlib.suppress(BadRequest):  # already without buttons
        await update.callback_query.edit_message_reply_markup(None)


@require_roles(*EVERYONE)
async def cant_come_to_session(update: Update, context: HotlineContext) -> None:
    """Notes the absence from one session; offers cancelling the whole course separately."""
    target = callback_id(update)
    if target is None:
        await refuse(update, context, "callback.stale")
        return
    trainings = context.services.trainings
    session_id: int | None = target
    if (update.callback_query.data or "").startswith(f"{CALLBACK_PREFIX}:cantcome:"):
        # A reminder sent before sessions had their own button names only the course: it
        # was about the next session.
        course = await trainings.course(target)
        upcoming = trainings.next_session(course) if course is not None else None
        session_id = upcoming.id if upcoming is not None else None
        if session_id is None:
            await refuse(update, context, "trainings.refused.session_started")
            return
    try:
        course, session, first = await trainings.skip_session(session_id,
                                                              update.effective_user.id)
    except TrainingRefusal as refusal:
        await refuse(update, context, refusal.reason)
        return
    await answer_callback(update)
    await _close_buttons(update)
    if not first:
        await reply(update, context, context.html("trainings.skipped_already",
                                                  position=session.position, title=course.title))
        return
    when = session_when(session, trainings.zone, context.locale)
    await reply(update, context,
                context.html("trainings.skipped", position=session.position, title=course.title,
                             when=when),
                inline_keyboard(context, [
                    [("trainings.button.come_after_all", f"{CALLBACK_PREFIX}:unskip:{session.id}")],
                    [("trainings.button.quit_course", f"{CALLBACK_PREFIX}:quit:{course.id}")]]))


@require_roles(*EVERYONE)
async def come_after_all(update: Update, context: HotlineContext) -> None:
    """Takes the absence notice back (before the session begins); its reminders return."""
    session_id = callback_id(update)
    if session_id is None:
        await refuse(update, context, "callback.stale")
        return
    try:
        course, session, withdrawn = await context.services.trainings.come_after_all(
            session_id, update.effective_user.id)
    except TrainingRefusal as refusal:
        await refuse(update, context, refusal.reason)
        return
    await answer_callback(update)
    await _close_buttons(update)
    key = "trainings.coming_again" if withdrawn else "trainings.coming_already"
    await reply(update, context, context.html(key, position=session.position,
                                              title=course.title))


@require_roles(*EVERYONE)
async def ask_to_quit_course(update: Update, context: HotlineContext) -> None:
    """Asks before giving the whole course's place back."""
    course_id = callback_id(update)
    if course_id is None:
        await refuse(update, context, "callback.stale")
        return
    trainings = context.services.trainings
    course = await trainings.course(course_id)
    status, _ = await trainings.status_of(course_id, update.effective_user.id)
    if course is None or status not in (RegistrationStatus.REGISTERED,
                                        RegistrationStatus.WAITLISTED):
        await refuse(update, context, "trainings.refused.not_registered")
        return
    await answer_callback(update)
    await reply(update, context, context.html("trainings.quit_confirm", title=course.title),
                inline_keyboard(context, [
                    [("trainings.button.quit_yes", f"{CALLBACK_PREFIX}:quityes:{course.id}")],
                    [("trainings.button.quit_no", f"{CALLBACK_PREFIX}:keep:{course.id}")]]))


@require_roles(*EVERYONE)
async def keep_place(update: Update, context: HotlineContext) -> None:
    """"No, keep my place": nothing changes, the question's buttons go."""
    course_id = callback_id(update)
    course = await context.services.trainings.course(course_id) if course_id else None
    if course is None:
        await refuse(update, context, "callback.stale")
        return
    await answer_callback(update)
    await _close_buttons(update)
    await reply(update, context, context.html("trainings.kept", title=course.title))


def register(application: Application, routes: Routes) -> None:
    for pattern, callback in ((r"(skip|cantcome)", cant_come_to_session),
                              ("unskip", come_after_all), ("quit", ask_to_quit_course),
                              ("keep", keep_place)):
        application.add_handler(CallbackQueryHandler(
            callback, pattern=rf"^{CALLBACK_PREFIX}:{pattern}:"))
