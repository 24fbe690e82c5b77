"""The callback context every handler receives: services plus who is asking, in what language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from services.container import Services
from services.people import Person
from services.refusals import Refused

if TYPE_CHECKING:
    from handlers.routes import Routes

# Typed-ish keys of application.bot_data, set by the composition root and the registry.
SERVICES_KEY = "services"
COMMAND_MENU_KEY = "command_menu"
COMMAND_CATALOGUE_KEY = "command_catalogue"
ROUTES_KEY = "routes"


class HotlineContext(CallbackContext[ExtBot, dict, dict, dict]):
    """Set up per update by handlers.middleware before any feature handler runs."""

    def __init__(self, application: Application, chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application, chat_id, user_id)
        self.person: Person | None = None
        self.is_new_person = False

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]

    @property
    def routes(self) -> Routes:
        """This Application's deep links, dialog flows, menu and hand-overs."""
        return self.application.bot_data[ROUTES_KEY]

    @property
    def locale(self) -> str:
        if self.person is not None:
            return self.person.locale
        return self.services.default_locale

    @property
    def roles(self) -> frozenset[str]:
        return self.person.roles if self.person is not None else frozenset()

    def text(self, key: str, **values: Any) -> str:
        return self.services.texts.text(self.locale, key, **values)

    def html(self, key: str, **values: Any) -> str:
        return self.services.texts.html(self.locale, key, **values)

    def render(self, template: str, **data: Any) -> str:
        return self.services.texts.render(self.locale, template, **data)

    def refusal(self, refused: Refused) -> str:
        """Why a front door said no, as Telegram HTML in this person's language."""
        return self.services.texts.refusal_html(self.locale, refused.refusal)


CONTEXT_TYPES = ContextTypes(context=HotlineContext)
