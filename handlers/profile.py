"""/profile: a social worker's name, organisation and community, asked one at a time.

The community is chosen from the places list (its street, then the community), as /idea does;
one that is not listed can be typed instead.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.dialogs import DraftState
from services.places import Street
from services.profiles import Profile, ProfileInputError, clean_profile_answer
from storage.models import Role

log = logging.getLogger(__name__)

COMMANDS = [CommandSpec("profile", "cmd.profile", frozenset({Role.SOCIAL_WORKER}))]
FLOW = "profile"
# Each step's field and the question of the step after it.
STEPS = ["full_name", "organisation", "community"]


@require_roles(Role.SOCIAL_WORKER)
async def start_profile(update: Update, context: HotlineContext) -> None:
    """Shows the stored profile, if any, and asks for the first field."""
    current = await context.services.profiles.get(update.effective_user.id)
    await context.services.dialogs.start(update.effective_user.id, FLOW, STEPS[0])
    await reply(update, context,
                context.render("profile_start", profile=current, total=len(STEPS)))


async def _ask(update: Update, context: HotlineContext, step: str) -> None:
    if step != "community":
        await reply(update, context, context.html(f"profile.ask.{step}"))
        return
    streets = await context.services.places.streets()
    await reply(update, context, context.html("profile.ask.community"),
                InlineKeyboardMarkup(_street_rows(context, streets)))


async def profile_step(update: Update, context: HotlineContext, state: DraftState) -> None:
    """Stores one answer and asks the next question, or saves the whole profile."""
    message = update.effective_message
    try:
        value = clean_profile_answer(state.step, message.text)
    except ProfileInputError as error:
        await reply(update, context, context.html(error.reason, limit=error.limit))
        await _ask(update, context, state.step)
        return
    index = STEPS.index(state.step)
    if index + 1 < len(STEPS):
        await context.services.dialogs.advance(
            update.effective_user.id, state, STEPS[index + 1], **{state.step: value}
        )
        await _ask(update, context, STEPS[index + 1])
        return
    await _save(update, context, state, await _listed_name(context, value) or value)


async def _listed_name(context: HotlineContext, typed: str) -> str | None:
    """The places list's own (Chinese) name of a typed community, if it is one of them."""
    wanted = typed.casefold()
    for street in await context.services.places.streets():
        for name, name_en in street.communities:
            if wanted in (name.casefold(), name_en.casefold()):
                return name
    return None


async def _community_label(context: HotlineContext, community: str) -> str:
    if context.locale != "en":
        return community
    for street in await context.services.places.streets():
        for name, name_en in street.communities:
            if name == community:
                return name_en
    return community


async def _save(update: Update, context: HotlineContext, state: DraftState,
                community: str) -> None:
    answers = {**state.data, "community": community}
    profile = Profile(answers["full_name"], answers["organisation"], community)
    await context.services.profiles.save(update.effective_user.id, profile)
    await context.services.dialogs.finish(update.effective_user.id)
    # Stored as the places list names it (in Chinese); shown in the reader's language.
    shown = Profile(profile.full_name, profile.organisation,
                    await _community_label(context, community))
    await reply(update, context, context.render("profile_saved", profile=shown))
    # A feature that needed the profile first (`then=<flow>` in the draft) continues here.
    then = context.routes.after_profile.get(state.data.get("then", ""))
    if then is not None:
        await then(update, context)


@require_roles(Role.SOCIAL_WORKER)
async def community_button(update: Update, context: HotlineContext) -> None:
    """A street, a community of it, "other street" or "not listed"; checked against the draft
    and the places list, so a stale or forged press changes nothing."""
    query = update.callback_query
    action, _, value = (query.data or "").removeprefix("profile:").partition(":")
    state = await context.services.dialogs.current(update.effective_user.id)
    if state is None or state.flow != FLOW or state.step != "community":
        await _stale(update, context, "no profile waiting for a community")
        return
    streets = await context.services.places.streets()
    position = int(value) if value.isdigit() and len(value) < 6 else -1
    if action == "streets" and not value:
        await answer_callback(update)
        await _edit(update, context, "profile.ask.community", _street_rows(context, streets))
    elif action == "type" and not value:
        await answer_callback(update)
        await _edit(update, context, "profile.ask.community_typed", None)
    elif action == "street" and 0 <= position < len(streets):
        await answer_callback(update)
        await context.services.dialogs.advance(update.effective_user.id, state, "community",
                                               street=streets[position].name)
        await _show_communities(update, context, streets[position])
    elif action == "comm" and (street := _street_named(streets, state.data.get("street"))) \
            and 0 <= position < len(street.communities):
        await answer_callback(update)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await _save(update, context, state, street.communities[position][0])
    else:
        await _stale(update, context, "no such place")


def _street_rows(context: HotlineContext,
                 streets: list[Street]) -> list[list[InlineKeyboardButton]]:
    rows = [[InlineKeyboardButton(s.label(context.locale), callback_data=f"profile:street:{i}")]
            for i, s in enumerate(streets)]
    rows.append([InlineKeyboardButton(context.text("profile.button.not_listed"),
                                      callback_data="profile:type")])
    return rows


def _street_named(streets: list[Street], name: object) -> Street | None:
    return next((s for s in streets if s.name == name), None)


async def _show_communities(update: Update, context: HotlineContext, street: Street) -> None:
    # Place names are data (the places list), so they are labels without catalogue keys.
    buttons = [InlineKeyboardButton(en if context.locale == "en" else zh,
                                    callback_data=f"profile:comm:{i}")
               for i, (zh, en) in enumerate(street.communities)]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(context.text("profile.button.other_street"),
                                      callback_data="profile:streets"),
                 InlineKeyboardButton(context.text("profile.button.not_listed"),
                                      callback_data="profile:type")])
    await _edit(update, context, "profile.ask.community_in", rows,
                street=street.label(context.locale))


async def _edit(update: Update, context: HotlineContext, key: str,
                rows: list[list[InlineKeyboardButton]] | None, **values: str) -> None:
    """Turns the pressed question into the next one (no stale buttons are left behind)."""
    html = context.html(key, **values)
    markup = InlineKeyboardMarkup(rows) if rows else None
    try:
        await update.callback_query.edit_message_text(html, parse_mode=ParseMode.HTML,
                                                      reply_markup=markup)
    except TelegramError as error:
        log.info("could not edit the profile question: %s", error)
        await reply(update, context, html, markup)


async def _stale(update: Update, context: HotlineContext, why: str) -> None:
    log.warning("refused profile button %r from user %s (%s)",
                (update.callback_query.data or "")[:64], update.effective_user.id, why)
    await answer_callback(update, context.text("profile.stale_button"), alert=True)


def register(application: Application, routes: Routes) -> None:
    routes.flows.add(FLOW, profile_step)
    application.add_handler(
        CommandHandler("profile", start_profile, filters=filters.ChatType.PRIVATE)
    )
    application.add_handler(CallbackQueryHandler(community_button, pattern=r"^profile:"))
