"""The expert hotline's handlers, registered as one feature.

The relay (any private message of a case participant) is registered last, so that every
other feature's own commands, buttons and message handlers are matched before it.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    hotline_ask,
    hotline_case,
    hotline_decline,
    hotline_duty,
    hotline_expert_desk,
    hotline_fallback,
    hotline_handoff,
    hotline_mystats,
    hotline_relay,
    hotline_sample,
    hotline_snippets,
    hotline_staff,
    roster_import,
    roster_swaps,
)
from handlers.routes import Routes

MODULES = [hotline_ask, hotline_case, hotline_handoff, hotline_staff, hotline_duty,
           hotline_mystats, roster_swaps, roster_import, hotline_snippets,
           # issue 15: declining offers, fallbacks, the sample, the expert's /start desk
           hotline_decline, hotline_fallback, hotline_sample, hotline_expert_desk,
           hotline_relay]
COMMANDS = [spec for module in MODULES for spec in module.COMMANDS]


def register(application: Application, routes: Routes) -> None:
    for module in MODULES:
        module.register(application, routes)
