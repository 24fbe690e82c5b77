"""The Telegram command menu (setMyCommands): per language, and per person for extra roles."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from services.commands import CommandSpec, commands_for
from services.people import PeopleService, Person
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
        # What each person's own menu was last set for: a role or language changed elsewhere
        # (the CLI, the console) shows in their next update's person, and the menu follows.
        self._shown: dict[int, tuple[str, frozenset[str]]] = {}

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

    def is_stale_for(self, person: Person) -> bool:
        """Whether the person's menu no longer fits their roles or language."""
        shown = self._shown.get(person.telegram_id)
        if shown is None:
            return bool(person.roles - _EVERYONE)
        return shown != (person.locale, frozenset(person.roles))

    async def refresh_for(self, telegram_id: int) -> None:
        """A person with roles beyond resident gets their own menu, in their own language;
        one who lost them goes back to everyone's."""
        person = await self._people.get(telegram_id)
        if person is None:
            return
        scope = BotCommandScopeChat(chat_id=telegram_id)
        try:
            if person.roles - _EVERYONE:
                await self._bot.set_my_commands(self._commands(person.locale, person.roles),
                                                scope=scope)
            elif telegram_id in self._shown:
                await self._bot.delete_my_commands(scope=scope)
            else:
                return
            self._shown[telegram_id] = (person.locale, frozenset(person.roles))
        except TelegramError as error:
            # A named admin who never opened the bot has no chat yet; their menu comes later.
            log.info("command menu for %s not set: %s", telegram_id, error)
