"""Inline keyboards whose labels come from the catalogue, never from Python strings."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.context import HotlineContext

# A button is (text key, callback data); a keyboard is rows of buttons.
Button = tuple[str, str]


def inline_keyboard(
    context: HotlineContext, rows: Sequence[Sequence[Button]]
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(context.text(key), callback_data=data) for key, data in row]
         for row in rows]
    )
