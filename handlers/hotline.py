"""The expert hotline's handlers, registered as one feature.

The relay (any private message of a case participant) is registered last, so that every
other feature's own commands, buttons and message handlers are matched before it.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    hotline_ask,
    hotline_case,
    hotline_duty,
    hotline_handoff,
    hotline_relay,
    hotline_snippets,
    hotline_staff,
)
from handlers.context import SERVICES_KEY
from handlers.hotline_messenger import TelegramCaseMessenger

MODULES = [hotline_ask, hotline_case, hotline_handoff, hotline_staff, hotline_duty,
           hotline_snippets, hotline_relay]
COMMANDS = [spec for module in MODULES for spec in module.COMMANDS]


def register(application: Application) -> None:
    services = application.bot_data[SERVICES_KEY]
    services.hotline.cases.attach(TelegramCaseMessenger(application.bot, services))
    for module in MODULES:
        module.register(application)
