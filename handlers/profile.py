"""/profile: a social worker's name, organisation and community, asked one at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers import dialogs
from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import reply
from services.commands import CommandSpec
from services.profiles import Profile, ProfileInputError, clean_profile_answer
from storage.models import Role
from storage.repositories.drafts import DraftState

COMMANDS = [CommandSpec("profile", "cmd.profile", frozenset({Role.SOCIAL_WORKER}))]
FLOW = "profile"
# Each step's field and the question of the step after it.
STEPS = ["full_name", "organisation", "community"]
# A feature that needed the profile first (started with `then=<name>` in the draft's data)
# continues here once the profile is saved, e.g. /ask goes on to its categories.
AFTER_PROFILE: dict[str, Callable[[Update, HotlineContext], Awaitable[None]]] = {}


@require_roles(Role.SOCIAL_WORKER)
async def start_profile(update: Update, context: HotlineContext) -> None:
    """Shows the stored profile, if any, and asks for the first field."""
    current = await context.services.profiles.get(update.effective_user.id)
    await context.services.dialogs.start(update.effective_user.id, FLOW, STEPS[0])
    await reply(update, context,
                context.render("profile_start", profile=current, total=len(STEPS)))


async def profile_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Stores one answer and asks the next question, or saves the whole profile."""
    message = update.effective_message
    try:
        value = clean_profile_answer(state.step, message.text)
    except ProfileInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        await reply(update, context, context.html(f"profile.ask.{state.step}"))
        return
    index = STEPS.index(state.step)
    if index + 1 < len(STEPS):
        await context.services.dialogs.advance(
            update.effective_user.id, state, STEPS[index + 1], **{state.step: value}
        )
        await reply(update, context, context.html(f"profile.ask.{STEPS[index + 1]}"))
        return
    answers = {**state.data, state.step: value}
    profile = Profile(answers["full_name"], answers["organisation"], answers["community"])
    await context.services.profiles.save(update.effective_user.id, profile)
    await context.services.dialogs.finish(update.effective_user.id)
    await reply(update, context, context.render("profile_saved", profile=profile))
    then = AFTER_PROFILE.get(state.data.get("then", ""))
    if then is not None:
        await then(update, context)


def register(application: Application) -> None:
    dialogs.FLOWS[FLOW] = profile_step
    application.add_handler(
        CommandHandler("profile", start_profile, filters=filters.ChatType.PRIVATE)
    )
