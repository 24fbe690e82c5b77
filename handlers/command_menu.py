"""The Telegram command menu (setMyCommands): per language, and per person for extra roles."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from services.commands import CommandSpec, commands_for
from services.people import PeopleService
from services.texts import Texts
from storage.models import Role

log = logging.getLogger(__name__)

# Telegram keys command menus by two-letter ISO 639-1 language codes.
_TELEGRAM_LANGUAGE = {"zh_CN": "zh", "en": "en"}
_EVERYONE = frozenset({Role.RESIDENT.value})


class CommandMenu:
    def __init__(self, bot: Bot, texts: Texts, people: PeopleService,
                 catalogue: list[CommandSpec]) -> None:
        self._bot = bot
        self._texts = texts
        self._people = people
        self._catalogue = catalogue

    def _commands(self, locale: str, roles: frozenset[str]) -> list[BotCommand]:
        return [
            BotCommand(spec.name, self._texts.text(locale, spec.description_key))
            for spec in commands_for(self._catalogue, roles)
            if spec.in_menu
        ]

    async def publish(self) -> None:
        """Sets the everyone-menu in each language, then a personal menu for each role holder."""
        default = self._texts.default_locale
        await self._bot.set_my_commands(self._commands(default, _EVERYONE),
                                        scope=BotCommandScopeDefault())
        for locale in self._texts.supported:
            await self._bot.set_my_commands(
                self._commands(locale, _EVERYONE),
                scope=BotCommandScopeDefault(),
                language_code=_TELEGRAM_LANGUAGE[locale],
            )
        for person in await self._people.list_people():
            if person.roles - _EVERYONE:
                await self.refresh_for(person.telegram_id)

    async def refresh_for(self, telegram_id: int) -> None:
        """A person with roles beyond resident gets their own menu, in their own language."""
        person = await self._people.get(telegram_id)
        if person is None or not person.roles - _EVERYONE:
            return
        try:
            await self._bot.set_my_commands(
                self._commands(person.locale, person.roles),
                scope=BotCommandScopeChat(chat_id=telegram_id),
            )
        except TelegramError as error:
            # A named admin who never opened the bot has no chat yet; their menu comes later.
            log.info("command menu for %s not set: %s", telegram_id, error)
