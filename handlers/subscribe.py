"""/subscribe and /unsubscribe: topics as toggle buttons, project kinds, a street; the offer
new people get after their first /start (never a silent subscription)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.context import HotlineContext
from handlers.keyboards import inline_keyboard
from handlers.replies import answer_callback, reply
from handlers.routes import Routes
from services.commands import CommandSpec
from storage.models import Role

log = logging.getLogger(__name__)

COMMANDS = [CommandSpec("subscribe", "cmd.subscribe"),
            CommandSpec("unsubscribe", "cmd.unsubscribe")]
# Callback data: sub:<action>[:<value>]; values are topic/kind keys or a street's position.
PREFIX = "sub:"


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


async def _menu(context: HotlineContext, telegram_id: int) -> InlineKeyboardMarkup:
    subs = context.services.subscriptions
    mine = await subs.settings(telegram_id)
    rows = []
    for topic in await subs.topics():
        key = "subscribe.on" if topic.key in mine.topics else "subscribe.off"
        rows.append([_button(context.text(key, name=topic.label(context.locale)),
                             f"sub:topic:{topic.key}")])
    if Role.SOCIAL_WORKER.value in context.roles:
        rows.append([_button(context.text("subscribe.kinds_button"), "sub:kinds")])
    if Role.RESIDENT.value in context.roles:
        rows.append([_button(context.text("subscribe.street_button"), "sub:streets")])
    rows.append([_button(context.text("subscribe.done_button"), "sub:done")])
    return InlineKeyboardMarkup(rows)


async def _summary(context: HotlineContext, telegram_id: int, *, done: bool = False) -> str:
    """What I am subscribed to; with the menu's hint, or (done) how to change it later."""
    subs = context.services.subscriptions
    mine = await subs.settings(telegram_id)
    kinds = {k.key: k.label(context.locale) for k in await subs.kinds()}
    return context.render(
        "subscribe_menu",
        topics=[t.label(context.locale) for t in await subs.topics() if t.key in mine.topics],
        kinds=[kinds[k] for k in sorted(mine.kinds) if k in kinds],
        street=mine.street,
        done=done,
    )


async def subscribe(update: Update, context: HotlineContext) -> None:
    """Shows the topics as toggle buttons."""
    telegram_id = update.effective_user.id
    await reply(update, context, await _summary(context, telegram_id),
                await _menu(context, telegram_id))


async def unsubscribe(update: Update, context: HotlineContext) -> None:
    """Stops every announcement."""
    removed = await context.services.subscriptions.unsubscribe_all(update.effective_user.id)
    key = "subscribe.stopped" if removed else "subscribe.nothing_to_stop"
    await reply(update, context, context.html(key))


async def offer(update: Update, context: HotlineContext) -> None:
    """Asks a newcomer whether they want announcements (never subscribes them silently)."""
    keyboard = inline_keyboard(context, [[("subscribe.offer_yes", "sub:menu"),
                                          ("subscribe.offer_no", "sub:offer_no")]])
    await reply(update, context, context.html("subscribe.offer"), keyboard)


async def _refresh(update: Update, context: HotlineContext) -> None:
    telegram_id = update.effective_user.id
    try:
        await update.callback_query.edit_message_text(
            await _summary(context, telegram_id), parse_mode=ParseMode.HTML,
            reply_markup=await _menu(context, telegram_id))
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


async def _refuse(update: Update, context: HotlineContext) -> None:
    log.warning("refused subscription button %r from user %s",
                update.callback_query.data, update.effective_user.id)
    await answer_callback(update, context.text("callback.stale"), alert=True)


async def subscription_button(update: Update, context: HotlineContext) -> None:
    """Toggles a topic, a kind or sets the street; every value is checked against the data.

    Each person changes only their own subscriptions (the presser's id, never one from the
    button), and the narrowing buttons check the presser's role.
    """
    data = update.callback_query.data or ""
    action, _, value = data.removeprefix(PREFIX).partition(":")
    telegram_id = update.effective_user.id
    subs = context.services.subscriptions
    roles = context.roles
    if action == "menu" or (action == "back" and not value):
        await answer_callback(update)
        await _refresh(update, context)
    elif action == "offer_no" and not value:
        await answer_callback(update)
        await update.callback_query.edit_message_text(
            context.html("subscribe.offer_declined"), parse_mode=ParseMode.HTML)
    elif action == "done" and not value:
        await answer_callback(update, context.text("subscribe.saved"))
        await update.callback_query.edit_message_text(
            await _summary(context, telegram_id, done=True), parse_mode=ParseMode.HTML)
    elif action == "topic" and await subs.topic(value) is not None:
        now_on = await subs.toggle_topic(telegram_id, value)
        await answer_callback(update, context.text(
            "subscribe.toggled_on" if now_on else "subscribe.toggled_off"))
        await _refresh(update, context)
    elif action == "kinds" and not value and Role.SOCIAL_WORKER.value in roles:
        await answer_callback(update)
        await _show_kinds(update, context)
    elif action == "kind" and Role.SOCIAL_WORKER.value in roles and \
            value in {k.key for k in await subs.kinds()}:
        await subs.toggle_kind(telegram_id, value)
        await answer_callback(update)
        await _show_kinds(update, context)
    elif action == "streets" and not value and Role.RESIDENT.value in roles:
        await answer_callback(update)
        await _show_streets(update, context)
    elif action == "street" and Role.RESIDENT.value in roles and \
            (street := await _street_at(context, value)) is not None:
        await subs.set_street(telegram_id, street or None)
        await answer_callback(update, context.text("subscribe.saved"))
        await _refresh(update, context)
    else:
        await _refuse(update, context)


async def _show_kinds(update: Update, context: HotlineContext) -> None:
    subs = context.services.subscriptions
    mine = await subs.settings(update.effective_user.id)
    rows = [[_button(context.text("subscribe.on" if k.key in mine.kinds else "subscribe.off",
                                  name=k.label(context.locale)), f"sub:kind:{k.key}")]
            for k in await subs.kinds()]
    rows.append([_button(context.text("subscribe.back_button"), "sub:back")])
    await update.callback_query.edit_message_text(
        context.html("subscribe.kinds_intro"), parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows))


async def _show_streets(update: Update, context: HotlineContext) -> None:
    streets = await context.services.places.streets()
    rows = [[_button(s.label(context.locale), f"sub:street:{i}")]
            for i, s in enumerate(streets)]
    rows.append([_button(context.text("subscribe.any_street"), "sub:street:any")])
    await update.callback_query.edit_message_text(
        context.html("subscribe.street_intro"), parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows))


async def _street_at(context: HotlineContext, value: str) -> str | None:
    """The street at a button's position ("" for any street); None for a forged value."""
    if value == "any":
        return ""
    streets = await context.services.places.streets()
    if value.isdigit() and int(value) < len(streets):
        return streets[int(value)].name
    return None


def register(application: Application, routes: Routes) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("subscribe", subscribe, filters=private))
    application.add_handler(CommandHandler("unsubscribe", unsubscribe, filters=private))
    application.add_handler(CallbackQueryHandler(subscription_button, pattern=r"^sub:"))
    routes.menu.add("subscribe", "menu.subscribe", subscribe, position=45)
    routes.newcomer_offers.add(offer)
