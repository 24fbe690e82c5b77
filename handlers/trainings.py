"""/trainings, /mytrainings, /exam and the course buttons: register, cancel (also the
confirmed "cancel my registration" of a reminder; its other buttons are in trainings_absence),
check in. Every button re-checks on the server that the course and the place allow it."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import trainings_absence
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from handlers.trainings_cards import (
    CALLBACK_PREFIX,
    callback_id,
    refuse,
    sessions_view,
    show_card,
)
from services.commands import CommandSpec
from services.trainings.display import CourseInfo, local_day
from services.trainings.ics import calendar_filename, course_calendar
from services.trainings.service import TrainingRefusal
from storage.models import CourseStatus, RegistrationStatus, Role

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("trainings", "cmd.trainings"),
    CommandSpec("mytrainings", "cmd.mytrainings"),
    CommandSpec("exam", "cmd.exam"),
]
EVERYONE = tuple(Role)
# Courses per list: 15 full titles stay well inside Telegram's 4096 characters.
LIST_LIMIT = 15


@require_roles(*EVERYONE)
async def list_trainings(update: Update, context: HotlineContext) -> None:
    """Lists open courses with places left; each has a button to its card."""
    courses = await context.services.trainings.open_courses()
    if not courses:
        await reply(update, context, context.html("trainings.list.empty"))
        return
    # Soonest to close first: those are the ones a person may otherwise miss.
    courses.sort(key=lambda course: (course.registration_deadline, course.id))
    shown = courses[:LIST_LIMIT]
    zone = context.services.trainings.zone
    html = context.render("trainings_list", more=len(courses) - len(shown), courses=[
        {"course": c, "day": local_day(c.starts_at, zone, context.locale)} for c in shown])
    await reply(update, context, html, course_buttons(context, shown))


def course_buttons(context: HotlineContext,
                   courses: list[CourseInfo]) -> InlineKeyboardMarkup | None:
    """One button per course, naming it (the label is the catalogue's, the title is data)."""
    if not courses:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(context.text("trainings.button.open", number=course.id,
                                           title=course.title[:40]),
                              callback_data=f"{CALLBACK_PREFIX}:show:{course.id}")]
        for course in courses[:LIST_LIMIT]])


@require_roles(*EVERYONE)
async def show_course(update: Update, context: HotlineContext) -> None:
    """Shows one course's card with Register or Cancel registration."""
    course_id = callback_id(update)
    course = await context.services.trainings.course(course_id) if course_id else None
    if course is None or course.status != CourseStatus.OPEN:
        await refuse(update, context, "trainings.refused.unavailable")
        return
    await answer_callback(update)
    await show_card(update, context, course, edit=False)


@require_roles(*EVERYONE)
async def register_for_course(update: Update, context: HotlineContext) -> None:
    """Takes a place (or a waitlist position) and sends the calendar file."""
    course_id = callback_id(update)
    if course_id is None:
        await refuse(update, context, "callback.stale")
        return
    person = update.effective_user.id
    try:
        course, change = await context.services.trainings.register(course_id, person,
                                                                   context.roles)
    except TrainingRefusal as refusal:
        await refuse(update, context, refusal.reason)
        return
    await answer_callback(update)
    course = await context.services.trainings.course(course_id) or course
    try:
        await show_card(update, context, course, edit=True)
    except TelegramError as error:  # the card is a view; the confirmation below is owed
        log.info("course card %s not refreshed for %s: %s", course_id, person, error)
    if change.previous is not None:  # pressed twice: nothing new to say
        return
    if change.status == RegistrationStatus.WAITLISTED:
        await reply(update, context, context.html("trainings.waitlisted", title=course.title,
                                                  position=change.waitlist_position))
        return
    await reply(update, context, context.render("trainings_registered", course=course,
                                                sessions=sessions_view(context, course)))
    await send_calendar(update, context, course)


async def send_calendar(update: Update, context: HotlineContext, course: CourseInfo) -> None:
    trainings = context.services.trainings
    await context.bot.send_document(
        update.effective_chat.id,
        course_calendar(course, trainings.zone, trainings.clock.now()),
        filename=calendar_filename(course),
        caption=context.html("trainings.calendar_caption", title=course.title),
        parse_mode=ParseMode.HTML,
    )


@require_roles(*EVERYONE)
async def cancel_registration(update: Update, context: HotlineContext) -> None:
    """Gives the place back; the first on the waitlist is promoted and told."""
    await _give_back(update, context, from_reminder=False)


@require_roles(*EVERYONE)
async def quit_course_confirmed(update: Update, context: HotlineContext) -> None:
    """"Yes, cancel my registration" (asked from a reminder): frees the place."""
    await _give_back(update, context, from_reminder=True)


async def _give_back(update: Update, context: HotlineContext, *, from_reminder: bool) -> None:
    course_id = callback_id(update)
    if course_id is None:
        await refuse(update, context, "callback.stale")
        return
    trainings = context.services.trainings
    try:
        change = await trainings.cancel(course_id, update.effective_user.id)
    except TrainingRefusal as refusal:
        await refuse(update, context, refusal.reason)
        return
    if change.previous is None:
        await refuse(update, context, "trainings.refused.not_registered")
        return
    await answer_callback(update)
    course = await trainings.course(course_id)
    assert course is not None
    if from_reminder:
        await update.callback_query.edit_message_reply_markup(None)
        await reply(update, context, context.html("trainings.cant_come_done", title=course.title))
    else:
        await show_card(update, context, course, edit=True)
        await reply(update, context, context.html("trainings.cancelled", title=course.title))


@require_roles(*EVERYONE)
async def my_trainings(update: Update, context: HotlineContext) -> None:
    """Lists my courses and their sessions, with a check-in button while one is on."""
    mine = await context.services.trainings.my_courses(update.effective_user.id)
    if not mine:
        await reply(update, context, context.html("trainings.mine.empty"))
        return
    trainings = context.services.trainings
    entries, rows = [], []
    for course, status, position in mine:
        absent = await trainings.absent_sessions(course.id, update.effective_user.id)
        entries.append({"course": course, "status": status, "position": position,
                        "sessions": sessions_view(context, course),
                        "absent": {s.position for s in course.sessions if s.id in absent}})
        if status == RegistrationStatus.REGISTERED:
            rows += [[("trainings.button.check_in", f"{CALLBACK_PREFIX}:checkin:{s.id}")]
                     for s in course.sessions if trainings.check_in_open(s)]
    await reply(update, context, context.render("trainings_mine", entries=entries),
                inline_keyboard(context, rows) if rows else None)


@require_roles(*EVERYONE)
async def check_in(update: Update, context: HotlineContext) -> None:
    """Records attendance, only for a registrant while the session's window is open."""
    session_id = callback_id(update)
    if session_id is None:
        await refuse(update, context, "callback.stale")
        return
    try:
        course, first = await context.services.trainings.check_in(session_id,
                                                                  update.effective_user.id)
    except TrainingRefusal as refusal:
        await refuse(update, context, refusal.reason)
        return
    key = "trainings.checked_in" if first else "trainings.checked_in_already"
    await answer_callback(update, context.text(key, title=course.title), alert=True)


@require_roles(*EVERYONE)
async def exam(update: Update, context: HotlineContext) -> None:
    """Shows the countdown to the national exam and the exam-preparation courses."""
    trainings = context.services.trainings
    courses = await trainings.exam_courses()
    day = (local_day(trainings.exam_date, trainings.zone, context.locale)
           if trainings.exam_date else None)
    html = context.render("trainings_exam", day=day, days=trainings.exam_countdown(),
                          courses=[{"course": c, "day": local_day(c.starts_at, trainings.zone,
                                                                  context.locale)}
                                   for c in courses])
    await reply(update, context, html, course_buttons(context, courses))


def register(application: Application, routes: Routes) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("trainings", list_trainings, filters=private))
    application.add_handler(CommandHandler("mytrainings", my_trainings, filters=private))
    application.add_handler(CommandHandler("exam", exam, filters=private))
    routes.menu.add("trainings", "menu.trainings", list_trainings, position=30)
    trainings_absence.register(application, routes)
    for action, callback in (("show", show_course), ("register", register_for_course),
                             ("cancel", cancel_registration),
                             ("quityes", quit_course_confirmed),
                             ("checkin", check_in)):
        application.add_handler(CallbackQueryHandler(
            callback, pattern=rf"^{CALLBACK_PREFIX}:{action}:"))

