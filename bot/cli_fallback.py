"""`hotline fallback list|set|clear`: each category's fallback (issue 15 item 4) from the
command line, through the same front door as the bot's /fallback and the console."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli_audit import CommandLineAudit
from bot.settings import SUPPORTED_LOCALES
from services.hotline import HotlineServices
from services.refusals import Refused
from services.texts import Texts


def add_fallback_parser(commands: Any) -> None:
    fallback = commands.add_parser(
        "fallback", help="who is offered a category's case when nobody is on duty"
    ).add_subparsers(dest="action", required=True)
    fallback.add_parser("list", help="print each category's fallback")
    name = fallback.add_parser("set", help="name a category's fallback")
    name.add_argument("category")
    name.add_argument("person", help="an expert's name, a staff member's @username, or an id")
    clear = fallback.add_parser("clear", help="clear a category's fallback")
    clear.add_argument("category")


async def fallback_command(hotline: HotlineServices, audit: CommandLineAudit,
                           args: argparse.Namespace) -> int:
    """The service writes the audit entry itself (channel cli, the operator named), as for
    the bot and console."""
    fallbacks = hotline.duty_cases.fallbacks
    try:
        if args.action == "set":
            view = await fallbacks.set(audit.actor, args.category,
                                       await fallbacks.find_person(args.person))
            print(f"{view.category}: {view.person} ({view.telegram_id})")
            return 0
        if args.action == "clear":
            await fallbacks.clear(audit.actor, args.category)
            print(f"{args.category}: cleared")
            return 0
    except Refused as refused:
        texts = Texts(SUPPORTED_LOCALES, args.default_locale)
        print(f"hotline: {texts.refusal(args.default_locale, refused.refusal)}",
              file=sys.stderr)
        return 2
    for row in await fallbacks.listing():
        print(f"{row.category}\t{row.name_zh}\t{row.name_en}\t"
              f"{row.telegram_id or '-'}\t{row.person or '-'}")
    return 0
