"""`hotline cases close|release|reopen|transfer|reassign NUMBER`: the case doors from the
command line (services/hotline/case_actions.py), as staff acting in the console would.

The same services as the bot are built, with the bot's Telegram side, so the asker, the
experts and the staff topic are told exactly as after the bot's buttons; the audit entry
names the operator. A refusal is printed in the bot's words, in --locale (default: the bot's
language). A transfer or reassignment needs its handoff note (--summary) or why there is
none (--skip-reason nothing|urgent|own words).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.app import command_services
from bot.cli_args import telegram_id
from bot.cli_audit import operator
from bot.settings import SUPPORTED_LOCALES, Settings
from services.actors import Actor
from services.audit import CLI, COMMAND_LINE_ACTOR
from services.container import Services
from services.hotline.case_actions import ActionResult
from services.hotline.handoffs import Handoff
from services.refusals import Refused

ACTIONS = ("close", "release", "reopen", "transfer", "reassign")


def add_case_action_parsers(cases: Any) -> None:
    for action, words in [("close", "close a case (the asker is asked for a rating)"),
                          ("release", "take a case from its expert and offer it afresh"),
                          ("reopen", "open a closed case again for its expert"),
                          ("transfer", "send a case to another category's queue"),
                          ("reassign", "give a case to another expert of its category")]:
        parser = cases.add_parser(action, help=words)
        parser.add_argument("number", help="the case number, e.g. C-2026-0001")
        if action == "transfer":
            parser.add_argument("--category", required=True, help="the category's key")
        if action == "reassign":
            parser.add_argument("--expert", type=telegram_id, required=True,
                                help="the expert's Telegram id")
        if action in ("transfer", "reassign"):
            parser.add_argument("--summary", help="one line the next expert reads first")
            parser.add_argument("--skip-reason",
                                help="why there is no note: nothing, urgent, or own words")
        parser.add_argument("--locale", choices=SUPPORTED_LOCALES,
                            help="language of a refusal (default: the bot's)")


async def case_action(settings: Settings, args: argparse.Namespace) -> int:
    async with command_services(settings) as services:
        locale = args.locale or settings.default_locale
        try:
            return await _act(settings, services, args)
        except Refused as refused:
            print(f"hotline: {services.texts.refusal(locale, refused.refusal)}",
                  file=sys.stderr)
            return 2


async def _act(settings: Settings, services: Services, args: argparse.Namespace) -> int:
    handoff = (Handoff.of(args.summary, args.skip_reason)
               if args.action in ("transfer", "reassign") else None)
    doors = services.hotline.actions
    await doors.find(args.number)  # an unknown number is refused before Telegram is called
    if settings.bot_token is None:
        print("hotline: telling the asker and the experts needs HOTLINE_BOT_TOKEN",
              file=sys.stderr)
        return 2
    actor = Actor(COMMAND_LINE_ACTOR, frozenset(), CLI, operator=operator())
    done: ActionResult
    match args.action:
        case "close":
            done = await doors.close(actor, args.number)
        case "release":
            done = await doors.release(actor, args.number)
        case "reopen":
            done = await doors.reopen(actor, args.number)
        case "transfer":
            done = await doors.transfer(actor, args.number, args.category, handoff)
        case _:
            done = await doors.reassign(actor, args.number, args.expert, handoff)
    print(f"{done.after.number}: {done.after.status}, "
          f"expert {done.after.expert_id or '-'}, category {done.after.category}")
    return 0
