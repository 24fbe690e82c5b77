"""`hotline experts|categories|roster|cases ...`: the expert hotline from the command line
(the case actions that tell people in Telegram are in bot/cli_cases.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bot.app import command_services
from bot.cli_args import record_id, telegram_id
from bot.cli_audit import CommandLineAudit, operator
from bot.cli_calendar import add_calendar_parser, calendar_command, describe_line
from bot.cli_cases import ACTIONS as CASE_ACTIONS
from bot.cli_cases import add_case_action_parsers, case_action
from bot.cli_fallback import add_fallback_parser, fallback_command
from bot.cli_files import InputFileError, read_utf8
from bot.settings import SUPPORTED_LOCALES, Settings
from services.actors import Actor
from services.hotline import HotlineServices
from services.hotline.calendar_days import describe_day
from services.hotline.experts import ExpertInputError
from services.refusals import Refused
from services.texts import Texts

COMMANDS = ("experts", "categories", "roster", "cases", "calendar", "fallback")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-10-01") from None


def add_hotline_parsers(commands: Any) -> None:
    experts = commands.add_parser("experts", help="hotline experts").add_subparsers(
        dest="action", required=True)
    add = experts.add_parser("add", help="add or update an expert (grants the expert role)")
    add.add_argument("telegram_id", type=telegram_id)
    add.add_argument("--name", required=True, help="full name, e.g. 王伟")
    add.add_argument("--categories", required=True, help="comma-separated, e.g. legal,finance")
    add.add_argument("--name-en", help="the name in pinyin, surname first, e.g. 'Wang Wei'")
    add.add_argument("--alias-zh", help="shown to askers instead of 法律专家 王老师")
    add.add_argument("--alias-en", help="shown to askers instead of Legal expert Wang")
    experts.add_parser("list", help="print the experts")

    categories = commands.add_parser("categories", help="hotline categories").add_subparsers(
        dest="action", required=True)
    categories.add_parser("list", help="print the categories")
    save = categories.add_parser("set", help="add or rename a category")
    save.add_argument("key")
    save.add_argument("--zh", required=True)
    save.add_argument("--en", required=True)
    save.add_argument("--inactive", action="store_true", help="hide it from /ask")

    roster_parser = commands.add_parser("roster", help="the duty roster")
    # Refusals are the bot's and the console's words: English unless asked otherwise.
    roster_parser.add_argument("--locale", choices=SUPPORTED_LOCALES, default="en",
                               help="language of refusals (default: en)")
    roster = roster_parser.add_subparsers(dest="action", required=True)
    importing = roster.add_parser("import", help="replace the weekly plan with a CSV file")
    importing.add_argument("file", type=Path)
    importing.add_argument("--allow-empty", action="store_true",
                           help="accept a file with no shifts (it empties the weekly plan)")
    show = roster.add_parser("show", help="who is on duty on a date")
    show.add_argument("--date", type=_date)
    override = roster.add_parser("override", help="a dated exception: leave or an extra shift")
    override.add_argument("telegram_id", type=telegram_id)
    override.add_argument("kind", choices=["off", "on"])
    override.add_argument("--date", type=_date, required=True)
    override.add_argument("--start")
    override.add_argument("--end")
    override.add_argument("--categories", default="")
    unset = roster.add_parser("unoverride", help="remove a dated exception by its id")
    unset.add_argument("override_id", type=record_id)

    cases = commands.add_parser("cases", help="consultations").add_subparsers(
        dest="action", required=True)
    transcript = cases.add_parser("show", help="print a case's transcript")
    transcript.add_argument("number")
    block = cases.add_parser("block", help="bar a person from the hotline")
    block.add_argument("telegram_id", type=telegram_id)
    block.add_argument("--reason", default="")
    unblock = cases.add_parser("unblock", help="let a barred person use the hotline again")
    unblock.add_argument("telegram_id", type=telegram_id)
    add_case_action_parsers(cases)
    export = cases.add_parser("export", help="export cases and their figures")
    export.add_argument("--from", dest="first", type=_date, required=True)
    export.add_argument("--to", dest="last", type=_date, required=True)
    export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    export.add_argument("--output", type=Path, help="default: cases-FROM-TO.FORMAT")
    add_calendar_parser(commands)
    add_fallback_parser(commands)  # issue 15
    export.add_argument("--locale", choices=SUPPORTED_LOCALES,
                        help="language of the headers and names (default: the bot's)")


def hotline_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "cases" and args.action in CASE_ACTIONS:
        # These tell people in Telegram: the bot's whole set of services (bot/cli_cases.py).
        return asyncio.run(case_action(settings, args))

    async def work() -> int:
        async with command_services(settings) as services:
            hotline = services.hotline
            await hotline.experts.seed_categories_if_empty()
            runner = {"experts": _experts, "categories": _categories, "roster": _roster,
                      "cases": partial(_cases, texts=services.texts),
                      "calendar": calendar_command,
                      "fallback": fallback_command}[args.command]
            args.default_locale = settings.default_locale
            args.texts = services.texts
            return await runner(hotline, CommandLineAudit(services.audit), args)

    return asyncio.run(work())


def _refused(args: argparse.Namespace, refused: Refused) -> int:
    """A door's refusal in the same words as the bot's, in --locale (or the default)."""
    locale = getattr(args, "locale", None) or args.default_locale
    return _fail(args.texts.refusal(locale, refused.refusal))


def _fail(message: str) -> int:
    print(f"hotline: {message}", file=sys.stderr)
    return 2


async def _experts(hotline: HotlineServices, audit: CommandLineAudit,
                   args: argparse.Namespace) -> int:
    if args.action == "add":
        try:
            created = await hotline.experts.add(
                args.telegram_id, args.name, args.categories.split(","), args.name_en,
                args.alias_zh, args.alias_en)
        except ExpertInputError as error:
            return _fail(str(error))
        expert = await hotline.experts.get(args.telegram_id)
        await audit.record("experts.add" if created else "experts.update",
                           target=str(args.telegram_id),
                           detail={"name": expert.name, "categories": list(expert.categories)})
        print(f"{'added' if created else 'updated'} expert {args.telegram_id}: "
              f"{expert.alias_zh} / {expert.alias_en}")
        return 0
    experts = await hotline.experts.all()
    for e in experts:
        status = " (stepped off)" if e.stepped_off else ""
        print(f"{e.telegram_id}\t{e.name}\t{','.join(e.categories)}\t{e.alias_zh}\t"
              f"{e.alias_en}{status}")
    print(f"{len(experts)} experts")
    return 0


async def _categories(hotline: HotlineServices, audit: CommandLineAudit,
                      args: argparse.Namespace) -> int:
    if args.action == "set":
        try:
            await hotline.experts.save_category(args.key, args.zh, args.en, not args.inactive)
        except ExpertInputError as error:
            return _fail(str(error))
        await audit.record("categories.set", target=args.key,
                           detail={"zh": args.zh, "en": args.en, "active": not args.inactive})
        print(f"saved category {args.key}")
        return 0
    for c in await hotline.experts.categories():
        print(f"{c.key}\t{c.name_zh}\t{c.name_en}")
    return 0


async def _roster(hotline: HotlineServices, audit: CommandLineAudit,
                  args: argparse.Namespace) -> int:
    roster = hotline.roster
    actions = hotline.roster_actions
    actor = Actor.command_line(operator())
    try:
        if args.action == "import":
            try:
                text = await asyncio.to_thread(read_utf8, args.file)
            except InputFileError as error:
                return _fail(f"{args.file}: {error}; the roster is unchanged")
            count = await actions.import_csv(actor, text.encode("utf-8"), args.file.name,
                                             allow_empty=args.allow_empty)
            print(f"imported {count} shifts")
            return 0
        if args.action == "override":
            categories = tuple(c for c in args.categories.split(",") if c)
            override_id = await actions.add_override(actor, args.date, args.telegram_id,
                                                     args.kind, categories, args.start or "",
                                                     args.end or "")
            print(f"override {override_id}: {args.telegram_id} {args.kind} on {args.date}")
            return 0
        if args.action == "unoverride":
            await actions.remove_override(actor, args.override_id)
            print(f"override {args.override_id} removed")
            return 0
    except Refused as refused:
        # The same words the bot and the console show, in the chosen language.
        message = args.texts.refusal(args.locale, refused.refusal)
        if args.action == "import":
            return _fail(f"{args.file}: {message} The roster is unchanged.")
        return _fail(message)
    day = args.date or datetime.now(roster.zone).date()
    print(describe_line(describe_day(await roster.calendar(day, day), day)))
    names = {e.telegram_id: e.name for e in await hotline.experts.all()}
    duties = await roster.duties_on(day)
    for d in duties:
        extra = " (override)" if d.override else ""
        print(f"{d.start}-{d.end}\t{d.telegram_id}\t{names.get(d.telegram_id, '?')}\t"
              f"{';'.join(d.categories)}{extra}")
    if not duties:
        print("nobody on duty")
    return 0


async def _cases(hotline: HotlineServices, audit: CommandLineAudit,
                 args: argparse.Namespace, *, texts: Texts) -> int:
    reports = hotline.reports
    if args.action == "show":
        found = await reports.transcript(args.number)
        if found is None:
            return _fail(f"no case {args.number}")
        for line in reports.transcript_lines(*found):
            print(line)
        return 0
    if args.action in ("block", "unblock"):
        actor = Actor.command_line(operator())
        try:
            if args.action == "block":
                await hotline.actions.block(actor, args.telegram_id, args.reason)
                print(f"{args.telegram_id} is barred from the hotline")
                return 0
            changed = await hotline.actions.unblock(actor, args.telegram_id)
        except Refused as refused:
            return _refused(args, refused)
        print(f"{args.telegram_id} {'may use' if changed else 'was not barred from'} "
              "the hotline")
        return 0
    if args.last < args.first:
        return _fail("--to is before --from")
    first = datetime.combine(args.first, time(), reports.zone)
    last = datetime.combine(args.last + timedelta(days=1), time(), reports.zone)
    locale = args.locale or args.default_locale
    data, count = await reports.export(first, last, args.format, locale,
                                       lambda key: texts.text(locale, key))
    output = args.output or Path(f"cases-{args.first}-{args.last}.{args.format}")
    await asyncio.to_thread(output.write_bytes, data)
    await audit.record("cases.export", target=output.name, detail={"cases": count})
    print(f"exported {count} cases to {output}")
    return 0
