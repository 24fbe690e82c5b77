"""`hotline announce ...` (compose from the command line), `hotline topics ...` (the topics
people subscribe to, as data) and `hotline deliver` (a sender on its own)."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import command_services
from bot.cli_args import bounded_int, parse_record_id
from bot.cli_audit import CommandLineAudit
from bot.cli_files import InputFileError, read_utf8
from bot.settings import Settings
from services.announcements.body_formats import FORMATS, BodyFormatError, body_html
from services.announcements.broadcasts import Draft
from services.announcements.composing import (
    MAX_SCHEDULE_AHEAD,
    ComposeInputError,
    clean_text,
    fits_telegram,
)
from services.container import Services
from services.refusals import Refused
from services.texts import Texts
from storage.models import utcnow
from storage.repositories.announcements import Topic

COMMANDS = ("announce", "deliver", "topics")
_TOPIC_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def add_announce_parsers(commands: Any) -> None:
    announce = commands.add_parser(
        "announce", help="publish an announcement to a topic's subscribers",
        description="hotline announce --topic TOPIC --title T --body-file F "
                    "[--format markdown|text|html] [--photo P] [--at ISO] [--yes]; "
                    "or: hotline announce status ID | cancel ID")
    announce.add_argument("action", nargs="*", metavar="status ID | cancel ID")
    announce.add_argument("--topic")
    announce.add_argument("--title")
    announce.add_argument("--body-file", type=Path,
                          help="the text, UTF-8; read as --format says")
    announce.add_argument("--format", choices=FORMATS, default="markdown",
                          help="markdown (default): **bold**, *italic*, [text](https://url), "
                               "paragraphs; text: as typed; html: Telegram's own tags")
    announce.add_argument("--photo", help="a photo file (uploaded first to the first of "
                          "HOTLINE_ADMIN_IDS, as a preview) or the file_id of one on Telegram")
    announce.add_argument("--at", help="when to send (ISO time; local time if no offset)")
    announce.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    commands.add_parser("deliver", help="run a sender only (more senders share the work)")
    topics = commands.add_parser("topics", help="announcement topics").add_subparsers(
        dest="action", required=True)
    topics.add_parser("list", help="print the topics")
    edit = topics.add_parser("set", help="add a topic or rename one")
    edit.add_argument("key", help="a stable key: lowercase letters, digits, _")
    edit.add_argument("--zh", required=True, help="the Chinese name (at most 32 characters)")
    edit.add_argument("--en", required=True, help="the English name (at most 64 characters)")
    edit.add_argument("--kinds", action="store_true",
                      help="subscribers can narrow it by project kind")
    edit.add_argument("--position", type=bounded_int("--position", -1000, 1000))


def announce_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "deliver":
        from bot.sender_process import run_sender  # PTB only when it is needed

        asyncio.run(run_sender(settings))
        return 0
    if args.command == "topics":
        return asyncio.run(_topics(settings, args))
    return asyncio.run(_with_services(settings, args))


async def _topics(settings: Settings, args: argparse.Namespace) -> int:
    async with command_services(settings) as services:
        subscriptions = services.subscriptions
        audit = CommandLineAudit(services.audit)
        if args.action == "set":
            zh, en = " ".join(args.zh.split()), " ".join(args.en.split())
            if not _TOPIC_KEY.match(args.key):
                return _fail("a topic key is 1-32 lowercase letters, digits or _, like "
                             "projects")
            if not zh or not en or len(zh) > 32 or len(en) > 64:
                return _fail("--zh must be 1-32 characters and --en 1-64")
            new = await subscriptions.save_topic(
                audit.actor, Topic(args.key, zh, en, args.kinds), args.position)
            print(f"topic {args.key} {'added' if new else 'updated'}")
        for topic in await subscriptions.topics():
            kinds = " (by project kind)" if topic.has_kinds else ""
            print(f"{topic.key}\t{topic.name}\t{topic.name_en}{kinds}")
        return 0


async def _with_services(settings: Settings, args: argparse.Namespace) -> int:
    async with command_services(settings) as services:
        audit = CommandLineAudit(services.audit)
        match args.action:
            case ["status" | "cancel" as verb, number] if parse_record_id(number) is None:
                return _fail(f"announce {verb}: the id must be a whole number from 1 to "
                             f"{2**31 - 1}, not {number!r}")
            case ["status", number]:
                return await _status(services, int(number), settings.timezone)
            case ["cancel", number]:
                return await _cancel(services, audit, int(number))
            case []:
                return await _compose(services, audit, settings, args)
            case _:
                return _fail("expected: announce status ID, announce cancel ID, or --topic ...")


def _fail(message: str) -> int:
    print(f"hotline: {message}", file=sys.stderr)
    return 2


async def _status(services: Services, announcement_id: int, zone: str) -> int:
    record = await services.announcements.get(announcement_id)
    if record is None:
        return _fail(f"there is no announcement {announcement_id}")
    p = await services.announcements.progress(announcement_id)
    local = ZoneInfo(zone)
    print(f"announcement {record.id}: {record.title}")
    print(f"state: {record.state}; topic: {record.topic}; "
          f"send at {record.send_at.astimezone(local):%Y-%m-%d %H:%M}")
    print(f"recipients {record.recipients}: sent {p.sent}, blocked {p.blocked}, "
          f"failed {p.failed}, remaining {p.remaining}, cancelled {p.cancelled}")
    if record.finished_at is not None:
        print(f"finished at {record.finished_at.astimezone(local):%Y-%m-%d %H:%M:%S}")
    return 0


async def _cancel(services: Services, audit: CommandLineAudit, announcement_id: int) -> int:
    try:
        await services.announcements.stop(audit.actor, announcement_id)
    except Refused as refusal:
        # The bot's words for the same refusal, in English as the command line speaks.
        return _fail(f"announcement {announcement_id}: "
                     f"{services.texts.refusal('en', refusal.refusal)}")
    print(f"announcement {announcement_id} stopped; what was sent stays sent")
    return 0


def _send_time(raw: str | None, zone: ZoneInfo) -> datetime | None:
    if raw is None:
        return None
    moment = datetime.fromisoformat(raw)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    if moment <= utcnow() or moment - utcnow() > MAX_SCHEDULE_AHEAD:
        raise ComposeInputError(f"--at must be in the next {MAX_SCHEDULE_AHEAD.days} days")
    return moment


async def _upload_photo(settings: Settings, services: Services, path: Path) -> str:
    """Sends the photo to the first admin (their preview) and returns Telegram's file_id."""
    from telegram.error import NetworkError, TelegramError

    if settings.bot_token is None or not settings.admin_ids:
        raise ValueError("uploading a file needs HOTLINE_BOT_TOKEN and HOTLINE_ADMIN_IDS "
                         "(the first admin receives it as a preview)")
    data = await asyncio.to_thread(path.read_bytes)
    try:
        # The root's bot for this process (its sender's), on the one send path.
        async with services.delivery.messenger.bot as bot:
            sent = await bot.send_photo(settings.admin_ids[0], data, filename=path.name)
    except NetworkError as error:
        # The message names the URL called, token included: the CLI's output masks it.
        raise ValueError(f"the Bot API at HOTLINE_API_BASE_URL cannot be reached "
                         f"({error.message}); nothing was sent") from None
    except TelegramError as error:
        raise ValueError(f"Telegram refused the photo: {error.message}") from None
    return sent.photo[-1].file_id


async def _compose(services: Services, audit: CommandLineAudit, settings: Settings,
                   args: argparse.Namespace) -> int:
    if not (args.topic and args.title and args.body_file):
        return _fail("announce needs --topic, --title and --body-file")
    topics = {t.key: t for t in await services.subscriptions.topics()}
    if args.topic not in topics:
        return _fail(f"unknown topic {args.topic!r}; topics: {', '.join(topics)}")
    texts: Texts = services.texts
    try:
        source = await asyncio.to_thread(read_utf8, args.body_file)
        title = clean_text("title", args.title)
        clean_text("body", source)
        body = body_html(source, args.format)
        send_at = _send_time(args.at, ZoneInfo(settings.timezone))
    except InputFileError as error:
        return _fail(f"{args.body_file}: {error}")
    except BodyFormatError as error:
        return _fail(f"{args.body_file}, {error}; nothing was sent")
    except ValueError as error:
        reason = error.reason if isinstance(error, ComposeInputError) else str(error)
        return _fail(f"{texts.text('en', reason, limit=getattr(error, 'limit', 0))}"
                     if reason.startswith("announce.") else reason)
    photo = args.photo
    if photo is not None and await asyncio.to_thread(Path(photo).is_file):
        try:
            photo = await _upload_photo(settings, services, Path(photo))
        except (ValueError, OSError) as error:
            return _fail(f"--photo: {error}")
    draft = Draft(author_id=None, topic=args.topic, title=title, body_html=body,
                  photo=photo, send_at=send_at)
    preview = await services.announcements.render_draft(draft, settings.default_locale)
    if (limit := fits_telegram(preview.html, with_file=bool(args.photo))) is not None:
        return _fail(f"the announcement is longer than Telegram's {limit} characters")
    count = await services.announcements.count_recipients(draft)
    print(preview.html)
    print(f"--\n{count} recipients; "
          f"{'sending at ' + send_at.isoformat() if send_at else 'sending now'}")
    answer = "yes" if args.yes else await asyncio.to_thread(input, "send it? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        print("nothing was sent")
        return 1
    try:
        record = await services.announcements.announce(audit.actor, draft)
    except Refused as refusal:
        return _fail(services.texts.refusal("en", refusal.refusal))
    print(f"announcement {record.id} queued for {record.recipients} recipients; the running "
          f"bot sends it (hotline announce status {record.id})")
    return 0
