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
    hotline_relay,
    hotline_snippets,
    hotline_staff,
)

MODULES = [hotline_ask, hotline_case, hotline_staff, hotline_duty, hotline_snippets,
           hotline_relay]
COMMANDS = [spec for module in MODULES for spec in module.COMMANDS]


def register(application: Application) -> None:
    for module in MODULES:
        module.register(application)
