"""The Telegram side of the hotline services: cards, texts and copies.

Every call goes through the send gateway (bot/gateway.py): it keeps each chat's order, waits
out 429s and retries; here a final failure only becomes the hotline's word for it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.gateway import classify
from services.delivery.protocol import Outcome
from services.hotline.messenger import CaseCard, Delivery
from services.people import PeopleService
from services.texts import Texts

log = logging.getLogger(__name__)

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

# Card kind -> (template, buttons as (text key, callback action) rows).
CARDS: dict[str, tuple[str, list[list[tuple[str, str]]]]] = {
    "offer": ("hotline_offer", [[("hotline.button.claim", "claim"),
                                 ("hotline.decline.button", "decline")]]),
    "staff_offer": ("hotline_offer", [[("hotline.button.claim", "claim")]]),
    "staff_topic": ("hotline_staff_topic", [[("hotline.button.take_over", "takeover"),
                                             ("hotline.button.reassign", "reassign")]]),
    "offer_won": ("hotline_offer_won", []),
    "offer_taken": ("hotline_offer_taken", []),
    "offer_moved": ("hotline_offer_moved", []),  # staff moved a waiting case (console)
    # Issue 15: a declined offer asks why (optional); handlers/hotline_decline.py.
    "offer_declined": ("hotline_offer_declined", [
        [("hotline.decline.reason.busy", "why:busy"),
         ("hotline.decline.reason.not_my_field", "why:not_my_field")],
        [("hotline.decline.reason.conflict", "why:conflict"),
         ("hotline.decline.reason.skipped", "why:skipped")],
    ]),
    "claimed": ("hotline_claimed", [[("hotline.button.close", "close"),
                                     ("hotline.button.transfer", "transfer")]]),
    "claimed_asker": ("hotline_claimed_asker", [[("hotline.button.end", "end")]]),
    "closed_asker": ("hotline_closed_asker", [
        [("hotline.stars.one", "rate:1"), ("hotline.stars.two", "rate:2"),
         ("hotline.stars.three", "rate:3"), ("hotline.stars.four", "rate:4"),
         ("hotline.stars.five", "rate:5")],
        [("hotline.button.reopen", "reopen")],
    ]),
}


# The gateway's final outcome -> the hotline's word for it (the relay tells the person).
_FAILURES = {
    Outcome.BLOCKED: "blocked",
    Outcome.CHAT_NOT_FOUND: "blocked",
    Outcome.RETRY_AFTER: "rate_limited",
    Outcome.TRANSIENT: "network",
    Outcome.FAILED: "rejected",
}


async def attempt(call: Callable[[], Awaitable[Any]], what: str) -> tuple[Any, str | None]:
    """Runs a Bot API call once through the send gateway; (result, None) or (None, failure).

    The gateway has already waited out 429s and retried 5xx and network errors, and logged
    a message it gave up on; what is left is final.
    """
    try:
        return await call(), None
    except TelegramError as error:
        outcome = classify(error).outcome
        log.debug("%s: %s (%s)", what, outcome.value, error.message)
        return None, _FAILURES.get(outcome, "rejected")


class TelegramCaseMessenger:
    def __init__(self, bot: Bot, texts: Texts, people: PeopleService,
                 default_locale: str) -> None:
        self._bot = bot
        self._texts = texts
        self._people = people
        self._default_locale = default_locale

    async def _locale(self, chat_id: int) -> str:
        if chat_id > 0:
            person = await self._people.get(chat_id)
            if person is not None:
                return person.locale
        return self._default_locale

    def _keyboard(self, locale: str, card: CaseCard,
                  rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
        if not rows:
            return None
        texts = self._texts
        return InlineKeyboardMarkup([
            [InlineKeyboardButton(texts.text(locale, key),
                                  callback_data=_callback(action, card.case_id))
             for key, action in row] for row in rows])

    async def _render(self, chat_id: int, kind: str, card: CaseCard) -> tuple[str, Any]:
        locale = await self._locale(chat_id)
        template, rows = CARDS[kind]
        html = self._texts.render(locale, template, card=card, kind=kind,
                                  en=locale == "en")
        return html, self._keyboard(locale, card, rows)

    async def send_card(self, chat_id: int, kind: str, card: CaseCard, *,
                        thread_id: int | None = None, reply_to: int | None = None) -> Delivery:
        html, keyboard = await self._render(chat_id, kind, card)
        return await self._send_html(chat_id, html, keyboard, thread_id, reply_to,
                                     f"{kind} card of {card.number}")

    async def edit_card(self, chat_id: int, message_id: int, kind: str, card: CaseCard) -> None:
        html, keyboard = await self._render(chat_id, kind, card)
        await attempt(lambda: self._bot.edit_message_text(
            html, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
            reply_markup=keyboard, link_preview_options=_NO_PREVIEW),
            f"editing the {kind} card of {card.number}")

    async def drop_buttons(self, chat_id: int, message_id: int) -> None:
        await attempt(lambda: self._bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=None),
            f"removing the buttons of {chat_id}#{message_id}")

    async def notify(self, chat_id: int, key: str, *, thread_id: int | None = None,
                     reply_to: int | None = None, **values: object) -> Delivery:
        html = self._texts.html(await self._locale(chat_id), key, **values)
        return await self._send_html(chat_id, html, None, thread_id, reply_to, key)

    async def send_rendered(self, chat_id: int, template: str, **data: object) -> Delivery:
        html = self._texts.render(await self._locale(chat_id), template, **data)
        return await self._send_html(chat_id, html, None, None, None, template)

    async def notify_with_buttons(self, chat_id: int, key: str,
                                  buttons: tuple[tuple[str, str], ...],
                                  **values: object) -> Delivery:
        locale = await self._locale(chat_id)
        texts = self._texts
        keyboard = InlineKeyboardMarkup([[
            InlineKeyboardButton(texts.text(locale, label), callback_data=data)
            for label, data in buttons]])
        return await self._send_html(chat_id, texts.html(locale, key, **values), keyboard,
                                     None, None, key)

    async def _send_html(self, chat_id: int, html: str, keyboard: InlineKeyboardMarkup | None,
                         thread_id: int | None, reply_to: int | None, what: str) -> Delivery:
        result, failure = await attempt(lambda: self._bot.send_message(
            chat_id, html, parse_mode=ParseMode.HTML, reply_markup=keyboard,
            message_thread_id=thread_id, link_preview_options=_NO_PREVIEW,
            reply_parameters=_reply(reply_to)), f"{what} to {chat_id}")
        return Delivery(result.message_id if result is not None else None, failure)

    async def copy(self, to_chat: int, from_chat: int, message_id: int, *,
                   reply_to: int | None = None, thread_id: int | None = None) -> Delivery:
        result, failure = await attempt(lambda: self._bot.copy_message(
            to_chat, from_chat, message_id, message_thread_id=thread_id,
            reply_parameters=_reply(reply_to)), f"copy of {from_chat}#{message_id} to {to_chat}")
        return Delivery(result.message_id if result is not None else None, failure)

    async def edit_copy(self, chat_id: int, message_id: int, text: str | None,
                        caption: str | None) -> bool:
        if text:
            call = lambda: self._bot.edit_message_text(  # noqa: E731 - one-line retry target
                text, chat_id=chat_id, message_id=message_id)
        else:
            call = lambda: self._bot.edit_message_caption(  # noqa: E731
                chat_id=chat_id, message_id=message_id, caption=caption or "")
        result, _failure = await attempt(call, f"edit of {chat_id}#{message_id}")
        return result is not None

    async def post_text(self, chat_id: int, text: str, *,
                        reply_to: int | None = None) -> Delivery:
        result, failure = await attempt(lambda: self._bot.send_message(
            chat_id, text, link_preview_options=_NO_PREVIEW,
            reply_parameters=_reply(reply_to)), f"console text to {chat_id}")
        return Delivery(result.message_id if result is not None else None, failure)

    async def post_file(self, chat_id: int, kind: str, data: bytes, filename: str,
                        caption: str | None, *, reply_to: int | None = None) -> Delivery:
        async def send() -> Any:
            upload = InputFile(data, filename=filename)
            if kind == "photo":
                return await self._bot.send_photo(chat_id, upload, caption=caption,
                                                  reply_parameters=_reply(reply_to))
            return await self._bot.send_document(chat_id, upload, caption=caption,
                                                 reply_parameters=_reply(reply_to))

        result, failure = await attempt(send, f"console {kind} to {chat_id}")
        if result is None:
            return Delivery(None, failure)
        media = result.photo[-1].file_id if result.photo else (
            result.document.file_id if result.document else None)
        return Delivery(result.message_id, failure, media)

    async def create_topic(self, chat_id: int, title: str) -> int | None:
        result, _failure = await attempt(
            lambda: self._bot.create_forum_topic(chat_id, title[:128]), f"topic {title}")
        return result.message_thread_id if result is not None else None


def _callback(action: str, case_id: int) -> str:
    """"rate:5" on case 12 -> "hotline:rate:12:5": the case id always comes first."""
    verb, _, argument = action.partition(":")
    return f"hotline:{verb}:{case_id}" + (f":{argument}" if argument else "")


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)
