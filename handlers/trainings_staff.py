"""Staff: /training_new (a dialog kept in drafts), /training_list, /training_edit,
/training_move, /training_cancel and /training_attend. Every change tells the registrants."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from handlers.trainings_cards import (
    CALLBACK_PREFIX,
    ID_LIMIT,
    PERSON_ID_LIMIT,
    callback_id,
    command_id,
    refuse,
    refuse_input,
    show_card,
)
from services.actors import Actor
from services.commands import STAFF_ROLES, CommandSpec
from services.dialogs import DraftState
from services.refusals import Refused
from services.trainings.courses import (
    AUDIENCES,
    DESCRIPTION_MAX,
    KINDS,
    TITLE_MAX,
    CourseInputError,
    check_schedule,
    clean_capacity,
    clean_choice,
    clean_text,
    parse_datetime,
    parse_session_lines,
    plan_from_answers,
)
from services.trainings.service import EDITABLE, Change
from storage.models import CourseStatus, Role

COMMANDS = [
    CommandSpec("training_new", "cmd.training_new", STAFF_ROLES),
    CommandSpec("training_list", "cmd.training_list", STAFF_ROLES),
    CommandSpec("training_edit", "cmd.training_edit", STAFF_ROLES),
    CommandSpec("training_move", "cmd.training_move", STAFF_ROLES),
    CommandSpec("training_cancel", "cmd.training_cancel", STAFF_ROLES),
    CommandSpec("training_attend", "cmd.training_attend", STAFF_ROLES),
]
STAFF = (Role.STAFF, Role.ADMIN)
FLOW = "training_new"
STEPS = ["title", "kind", "description", "sessions", "capacity", "deadline", "audience"]
NO_DESCRIPTION = "-"
# A registrant list longer than this is for the export (`hotline trainings export`).
LIST_SHOWN = 60


# The steps answered by a number from a list, and the keys listed.
CHOICES = {"kind": KINDS, "audience": AUDIENCES}


def _question(context: HotlineContext, step: str) -> str:
    """The step's question (with its numbered options), "step 3 of 7"."""
    options = [context.text(f"trainings.{step}.{key}") for key in CHOICES.get(step, ())]
    return context.render("trainings_ask", step=step, options=options,
                          number=STEPS.index(step) + 1, total=len(STEPS))


@require_roles(*STAFF)
async def new_course(update: Update, context: HotlineContext) -> None:
    """Starts the course dialog; nothing is stored until the last answer is checked."""
    await context.services.dialogs.start(update.effective_user.id, FLOW, STEPS[0])
    await reply(update, context, _question(context, STEPS[0]))


def _check_answer(context: HotlineContext, step: str, raw: str, data: dict) -> object:
    """One answer, checked as it comes; raises CourseInputError naming the field."""
    trainings = context.services.trainings
    now = trainings.clock.now()
    if step == "title":
        return clean_text("title", raw, TITLE_MAX)
    if step == "kind":
        return clean_choice("kind", raw, KINDS)
    if step == "description":
        text = "" if raw.strip() == NO_DESCRIPTION else raw
        return clean_text("description", text, DESCRIPTION_MAX, required=False)
    if step == "sessions":
        sessions = parse_session_lines(raw, trainings.zone)
        if any(session.starts_at <= now for session in sessions):
            raise CourseInputError("sessions", "trainings.error.in_past")
        return raw.strip()
    if step == "capacity":
        return clean_capacity(raw)
    if step == "deadline":
        deadline = parse_datetime("deadline", raw, trainings.zone)
        check_schedule(parse_session_lines(data["sessions"], trainings.zone), deadline, now)
        return raw.strip()
    return clean_choice("audience", raw, AUDIENCES)


async def course_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Checks one answer and asks the next question, or stores the whole course."""
    if not {role.value for role in STAFF} & context.roles:  # the role went mid-dialog
        await context.services.dialogs.finish(update.effective_user.id)
        await reply(update, context, context.html("auth.refused"))
        return
    raw = update.effective_message.text or ""
    try:
        value = _check_answer(context, state.step, raw, state.data)
    except CourseInputError as error:
        await refuse_input(update, context, error)
        await reply(update, context, _question(context, state.step))
        return
    index = STEPS.index(state.step)
    if index + 1 < len(STEPS):
        await context.services.dialogs.advance(update.effective_user.id, state,
                                               STEPS[index + 1], **{state.step: value})
        await reply(update, context, _question(context, STEPS[index + 1]))
        return
    trainings = context.services.trainings
    answers = {**state.data, state.step: value}
    try:
        plan = plan_from_answers(answers, trainings.zone, trainings.clock.now())
    except CourseInputError as error:
        # Time passed while the dialog was open (a session or the deadline is now past):
        # ask that question again rather than store a course nobody can attend.
        await refuse_input(update, context, error)
        step = error.field if error.field in STEPS else state.step
        await context.services.dialogs.advance(update.effective_user.id, state, step)
        await reply(update, context, _question(context, step))
        return
    try:
        course_id = await trainings.create_course(_acting(update, context), plan)
    except Refused as refusal:
        await context.services.dialogs.finish(update.effective_user.id)
        await refuse(update, context, refusal.key)
        return
    await context.services.dialogs.finish(update.effective_user.id)
    await reply(update, context, context.html("trainings.created", number=course_id))
    course = await trainings.course(course_id)
    assert course is not None
    await show_card(update, context, course, edit=False)


@require_roles(*STAFF)
async def list_registrants(update: Update, context: HotlineContext) -> None:
    """/training_list ID: who registered and who waits, with attendance."""
    course_id = command_id(context.args[0] if context.args else None)
    course = await context.services.trainings.course(course_id) if course_id else None
    if course is None:
        await reply(update, context, context.html("trainings.usage.list"))
        return
    people = await context.services.trainings.registrants(course.id)
    await reply(update, context, context.render(
        "trainings_registrants", course=course, people=people[:LIST_SHOWN],
        more=max(0, len(people) - LIST_SHOWN)))


@require_roles(*STAFF)
async def edit_course(update: Update, context: HotlineContext) -> None:
    """/training_edit ID FIELD VALUE (title, description, capacity, deadline, place N)."""
    args = context.args or []
    course_id = command_id(args[0] if args else None)
    if course_id is None or len(args) < 3 or args[1] not in EDITABLE:
        await reply(update, context, context.html("trainings.usage.edit"))
        return
    value = update.effective_message.text.split(maxsplit=3)[3]
    await _apply(update, context, course_id, lambda: context.services.trainings.edit(
        _acting(update, context), course_id, args[1], value))


@require_roles(*STAFF)
async def move_session(update: Update, context: HotlineContext) -> None:
    """/training_move ID N 2026-12-06 09:00-12:00: reschedules session N."""
    args = context.args or []
    course_id = command_id(args[0] if args else None)
    position = command_id(args[1] if len(args) > 1 else None)
    if course_id is None or position is None or len(args) < 4:
        await reply(update, context, context.html("trainings.usage.move"))
        return
    line = " ".join(args[2:])
    await _apply(update, context, course_id, lambda: context.services.trainings.reschedule(
        _acting(update, context), course_id, position, line))


def _acting(update: Update, context: HotlineContext) -> Actor:
    """The staff member typing or pressing, as the training service's front doors take them."""
    return Actor.in_bot(update.effective_user.id, context.roles)


async def _apply(update: Update, context: HotlineContext, course_id: int,
                 change_of: Callable[[], Awaitable[Change]]) -> None:
    """Runs a staff change (the service audits it); refusals name the field, success owes
    registrants a notice."""
    try:
        change = await change_of()
    except CourseInputError as error:
        await refuse_input(update, context, error)
        return
    except Refused as refusal:
        await refuse(update, context, refusal.key)
        return
    await reply(update, context, context.html("trainings.changed_staff", number=course_id,
                                              count=change.told + len(change.promoted)))


@require_roles(*STAFF)
async def ask_cancel_course(update: Update, context: HotlineContext) -> None:
    """/training_cancel ID: asks for a confirmation with a (staff-only) button."""
    course_id = command_id(context.args[0] if context.args else None)
    course = await context.services.trainings.course(course_id) if course_id else None
    if course is None or course.status != CourseStatus.OPEN:
        await reply(update, context, context.html("trainings.usage.cancel"))
        return
    await reply(update, context,
                context.html("trainings.confirm_cancel", title=course.title,
                             count=course.registered + course.waitlisted),
                inline_keyboard(context, [[("trainings.button.confirm_cancel",
                                            f"{CALLBACK_PREFIX}:cancelcourse:{course.id}")]]))


@require_roles(*STAFF)
async def cancel_course(update: Update, context: HotlineContext) -> None:
    """Cancels the course for good: reminders go, every registrant is told."""
    course_id = callback_id(update)
    if course_id is None:
        await refuse(update, context, "callback.stale")
        return
    try:
        course, people = await context.services.trainings.cancel_course(
            _acting(update, context), course_id)
    except Refused as refusal:
        await refuse(update, context, refusal.key)
        return
    await answer_callback(update)
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, context, context.html("trainings.cancelled_staff", title=course.title,
                                              count=len(people)))


@require_roles(*STAFF)
async def mark_attendance(update: Update, context: HotlineContext) -> None:
    """/training_attend ID N USER_ID: marks that person present at session N."""
    args = context.args or []
    numbers = [command_id(arg, limit) for arg, limit in
               zip(args[:3], (ID_LIMIT, ID_LIMIT, PERSON_ID_LIMIT), strict=False)]
    if len(args) != 3 or None in numbers:
        await reply(update, context, context.html("trainings.usage.attend"))
        return
    course_id, position, person = numbers
    try:
        first = await context.services.trainings.mark_attendance(
            _acting(update, context), course_id, position, person)
    except CourseInputError as error:
        await refuse_input(update, context, error)
        return
    except Refused as refusal:
        await refuse(update, context, refusal.key)
        return
    key = "trainings.attendance_marked" if first else "trainings.attendance_already"
    await reply(update, context, context.html(key, person=person, position=position))


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(FLOW, course_step)
    private = filters.ChatType.PRIVATE
    for name, callback in (("training_new", new_course), ("training_list", list_registrants),
                           ("training_edit", edit_course), ("training_move", move_session),
                           ("training_cancel", ask_cancel_course),
                           ("training_attend", mark_attendance)):
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(CallbackQueryHandler(
        cancel_course, pattern=rf"^{CALLBACK_PREFIX}:cancelcourse:"))
