"""/ideas: accepted and later-stage ideas for everyone, with Support and Report buttons.

One support and one report per person and idea are counted (the database's primary key sees
to it); enough reports hide an idea until staff look at it.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.ideas_cards import callback_id, card, refuse, send_photo_of, stale, tell_staff
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from services.ideas import IdeaRefused
from services.ideas.rules import REPORT_REASONS
from services.ideas.service import PublicIdea
from services.labels import shorten_label

COMMANDS = [CommandSpec("ideas", "cmd.ideas")]
# Telegram shows about this many columns of a title beside the reference (a Chinese character
# takes two).
TITLE_IN_BUTTON = 24
MAX_PAGE = 1000


async def list_ideas(update: Update, context: HotlineContext, page: int = 0) -> None:
    """Lists one page of published ideas, each with a button to open it."""
    found, more = await context.services.ideas.public_page(page)
    names = await context.services.ideas.status_names(context.locale)
    listed = [{"reference": p.idea.reference, "title": p.idea.title,
               "status": names.get(p.idea.published_status, ""),
               "supports": p.idea.support_count} for p in found]
    rows = [[InlineKeyboardButton(
        f"{p.idea.reference} {shorten_label(p.idea.title, TITLE_IN_BUTTON)}",
        callback_data=f"ideas:pub:show:{p.idea.id}")] for p in found]
    if more:
        rows.append([InlineKeyboardButton(context.text("ideas.button.more"),
                                          callback_data=f"ideas:pub:page:{page + 1}")])
    await reply(update, context, context.render("ideas_public", ideas=listed, page=page),
                InlineKeyboardMarkup(rows) if rows else None)


async def ideas_command(update: Update, context: HotlineContext) -> None:
    """Shows the first page of published ideas."""
    await list_ideas(update, context)


def _public_keyboard(context: HotlineContext, shown: PublicIdea) -> InlineKeyboardMarkup:
    idea_id = shown.idea.id
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(context.text("ideas.button.support",
                                           count=shown.idea.support_count),
                              callback_data=f"ideas:pub:sup:{idea_id}")],
        [InlineKeyboardButton(context.text("ideas.button.report_spam"),
                              callback_data=f"ideas:pub:rep:{idea_id}:spam"),
         InlineKeyboardButton(context.text("ideas.button.report_offensive"),
                              callback_data=f"ideas:pub:rep:{idea_id}:offensive")],
    ])


async def public_button(update: Update, context: HotlineContext) -> None:
    """Opens, supports or reports a published idea; pages through the list."""
    parts = (update.callback_query.data or "").split(":")
    action = parts[2] if len(parts) > 3 else ""
    number = callback_id(parts[3]) if len(parts) > 3 else None
    if number is None:
        await stale(update, context, "malformed")
        return
    ideas = context.services.ideas
    user_id = update.effective_user.id
    try:
        if action == "page" and len(parts) == 4 and number <= MAX_PAGE:
            await answer_callback(update)
            await list_ideas(update, context, number)
        elif action == "show" and len(parts) == 4:
            shown = await ideas.public_idea(number)
            await answer_callback(update)
            await send_photo_of(context, update.effective_chat.id, shown.idea)
            await reply(update, context, await _public_card(context, shown),
                        _public_keyboard(context, shown))
        elif action == "sup" and len(parts) == 4:
            added, shown = await ideas.support(user_id, number)
            await answer_callback(update, context.text(
                "ideas.support.thanks" if added else "ideas.support.already"))
            if added:
                await _refresh_count(update, context, shown)
        elif action == "rep" and len(parts) == 5 and parts[4] in REPORT_REASONS:
            counted, hidden = await ideas.report(user_id, number, parts[4])
            await answer_callback(update, context.text(
                "ideas.report.thanks" if counted else "ideas.report.already"), alert=True)
            if hidden:
                idea = await ideas.get(number)
                if idea is not None:
                    await tell_staff(context, "ideas.staff.hidden", idea)
        else:
            await stale(update, context, "unknown public action")
    except IdeaRefused as refusal:
        await refuse(update, context, refusal)


async def _public_card(context: HotlineContext, shown: PublicIdea) -> str:
    return await card(context, shown.idea, locale=context.locale, audience="public",
                      author=shown.author_first_name)


async def _refresh_count(update: Update, context: HotlineContext, shown: PublicIdea) -> None:
    """Shows the new count on the card's text and on its button."""
    # An old or unchanged card cannot be edited; the support itself is counted all the same.
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_text(
            await _public_card(context, shown), parse_mode=ParseMode.HTML,
            reply_markup=_public_keyboard(context, shown))


def register(application: Application, routes: Routes) -> None:
    application.add_handler(CommandHandler("ideas", ideas_command,
                                           filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(public_button, pattern=r"^ideas:pub:"))
