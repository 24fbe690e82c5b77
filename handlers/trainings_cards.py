"""What the trainings handlers share: course cards, callback ids and refusals."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from handlers.context import HotlineContext
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from services.trainings.courses import AUDIENCES, ERROR_KEYS, FIELDS, KINDS, CourseInputError
from services.trainings.display import CourseInfo, local_time
from services.trainings.display import sessions_view as describe_sessions
from services.trainings.service import REFUSAL_KEYS
from storage.models import RegistrationStatus

log = logging.getLogger(__name__)

CALLBACK_PREFIX = "trainings"
ID_LIMIT = 2**31 - 1
# Telegram user ids need up to 52 significant bits.
PERSON_ID_LIMIT = 2**53 - 1


def runtime_text_keys(steps: list[str]) -> set[str]:
    """Text keys the trainings build from data, for the catalogue completeness test."""
    return ({f"trainings.kind.{kind}" for kind in KINDS}
            | {f"trainings.audience.{audience}" for audience in AUDIENCES}
            | {f"trainings.field.{field}" for field in (*FIELDS, "file")}
            | {f"trainings.ask.{step}" for step in steps}
            | ERROR_KEYS | REFUSAL_KEYS)


def callback_id(update: Update) -> int | None:
    """The id at the end of "trainings:<action>:<id>"; None for forged data."""
    raw = (update.callback_query.data or "").rsplit(":", 1)[-1]
    if not raw.isdigit() or int(raw) > ID_LIMIT:
        return None
    return int(raw)


def command_id(raw: str | None, limit: int = ID_LIMIT) -> int | None:
    if raw is None or not raw.isdigit() or int(raw) > limit:
        return None
    return int(raw)


async def refuse(update: Update, context: HotlineContext, key: str) -> None:
    """A refusal as an alert under a button, or as a message to a command."""
    user = update.effective_user
    log.info("trainings refused %s to %s: %s", update.callback_query.data
             if update.callback_query else "command", user.id if user else None, key)
    if update.callback_query is not None:
        await answer_callback(update, context.text(key), alert=True)
    else:
        await reply(update, context, context.html(key))


async def refuse_input(update: Update, context: HotlineContext, error: CourseInputError) -> None:
    """Names the field and what is wrong with it."""
    field = context.text(f"trainings.field.{error.field}")
    await reply(update, context, context.html(error.reason, field=field, **error.values))


def sessions_view(context: HotlineContext, course: CourseInfo) -> list[dict]:
    return describe_sessions(course, context.services.trainings.zone, context.locale)


def card_html(context: HotlineContext, course: CourseInfo, status: str | None,
              position: int) -> str:
    zone = context.services.trainings.zone
    return context.render(
        "trainings_card", course=course, sessions=sessions_view(context, course),
        deadline=local_time(course.registration_deadline, zone, context.locale),
        status=status, position=position,
        closed=course.registration_deadline <= context.services.trainings.clock.now(),
    )


def card_keyboard(context: HotlineContext, course: CourseInfo,
                  status: str | None) -> InlineKeyboardMarkup | None:
    if status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED):
        return inline_keyboard(context, [[("trainings.button.cancel",
                                           f"{CALLBACK_PREFIX}:cancel:{course.id}")]])
    if course.registration_deadline <= context.services.trainings.clock.now():
        return None
    return inline_keyboard(context, [[("trainings.button.register",
                                       f"{CALLBACK_PREFIX}:register:{course.id}")]])


async def show_card(update: Update, context: HotlineContext, course: CourseInfo, *,
                    edit: bool) -> None:
    """The course card for the person asking; edits the card a button was pressed on."""
    status, position = await context.services.trainings.status_of(
        course.id, update.effective_user.id)
    html = card_html(context, course, status, position)
    keyboard = card_keyboard(context, course, status)
    if edit and update.callback_query is not None and update.callback_query.message:
        try:
            await update.callback_query.edit_message_text(html, parse_mode="HTML",
                                                          reply_markup=keyboard)
            return
        except BadRequest as error:
            if "not modified" in error.message:
                return
            raise
    await reply(update, context, html, keyboard)
