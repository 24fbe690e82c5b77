"""`hotline ideas ...`: export ideas (CSV or xlsx) and edit the set of review statuses."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import date
from pathlib import Path

from bot.app import command_services
from bot.cli_args import bounded_int
from bot.cli_audit import CommandLineAudit
from bot.settings import SUPPORTED_LOCALES, Settings
from services.ideas import IdeaService
from services.ideas.export import FORMATS, write_csv, write_xlsx
from services.texts import Texts
from storage.models import IdeaStatus

# Status keys travel in callback data (64 bytes in all), hence short and plain.
STATUS_KEY = re.compile(r"^[a-z_]{1,16}$")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-23") from None


def add_ideas_parser(commands: argparse._SubParsersAction) -> None:
    ideas = commands.add_parser("ideas", help="public-benefit ideas").add_subparsers(
        dest="action", required=True)
    export = ideas.add_parser("export", help="export ideas to CSV (UTF-8 with BOM) or xlsx")
    export.add_argument("--status", help="only ideas in this status (its key)")
    export.add_argument("--from", dest="first", type=_day, help="submitted on or after (local)")
    export.add_argument("--to", dest="last", type=_day, help="submitted on or before (local)")
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("--output", type=Path, help="file to write (default ideas-<today>.<fmt>)")
    ideas.add_parser("statuses", help="print the review statuses")
    status = ideas.add_parser("status", help="add or change a review status")
    status.add_argument("key", help="a short key: lower-case letters and _, up to 16")
    status.add_argument("--zh", required=True, help="the Chinese name")
    status.add_argument("--en", required=True, help="the English name")
    status.add_argument("--position", type=bounded_int("--position", -1000, 1000),
                        required=True,
                        help="order in the lists; new ideas start in the lowest")
    status.add_argument("--public", action="store_true", help="shown under /ideas")
    status.add_argument("--closed", action="store_true", help="left out of the review queue")


def ideas_command(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    async with command_services(settings) as services:
        audit = CommandLineAudit(services.audit)
        ideas = services.ideas
        if args.action == "export":
            return await _export(settings, ideas, audit, args)
        if args.action == "status":
            return await _save_status(ideas, audit, args)
        for status in await ideas.statuses():
            flags = ",".join(f for f, on in (("public", status.public), ("open", status.open))
                             if on)
            print(f"{status.position}\t{status.key}\t{status.name_zh}\t{status.name_en}\t{flags}")
        return 0


async def _export(settings: Settings, ideas: IdeaService, audit: CommandLineAudit,
                  args: argparse.Namespace) -> int:
    known = {s.key for s in await ideas.statuses()}
    if args.status is not None and args.status not in known:
        print(f"hotline: --status must be one of: {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    if args.first and args.last and args.first > args.last:
        print("hotline: --from is after --to", file=sys.stderr)
        return 2
    locale = settings.default_locale
    rows = await ideas.board.export_rows(args.status, args.first, args.last, locale)
    texts = Texts(SUPPORTED_LOCALES, locale)

    def header(column: str) -> str:
        return texts.text(locale, f"ideas.export.{column}")

    output = args.output or Path(ideas.board.file_name(args.format))
    writer = write_xlsx if args.format == "xlsx" else write_csv
    try:
        await asyncio.to_thread(writer, output, header, rows)
    except OSError as error:
        print(f"hotline: {output}: {error.strerror or error}", file=sys.stderr)
        return 2
    await audit.record("ideas.export", target=output.name, detail={
        "format": args.format, "status": args.status, "rows": len(rows),
        "from": args.first.isoformat() if args.first else None,
        "to": args.last.isoformat() if args.last else None})
    print(f"exported {len(rows)} ideas to {output}")
    return 0


async def _save_status(ideas: IdeaService, audit: CommandLineAudit,
                       args: argparse.Namespace) -> int:
    if not STATUS_KEY.match(args.key):
        print("hotline: the key must be 1 to 16 lower-case letters or _", file=sys.stderr)
        return 2
    zh, en = args.zh.strip(), args.en.strip()
    if not zh or not en or len(zh) > 32 or len(en) > 64:
        print("hotline: --zh (up to 32) and --en (up to 64) must not be empty", file=sys.stderr)
        return 2
    await ideas.save_status(audit.actor, IdeaStatus(
        key=args.key, name_zh=zh, name_en=en, position=args.position, public=args.public,
        open=not args.closed))
    print(f"status {args.key} saved")
    return 0
