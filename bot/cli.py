"""The `hotline` command line: run the bot, the sandbox, migrations, people and the log."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import command_services, open_database
from bot.cli_announce import COMMANDS as ANNOUNCE_COMMANDS
from bot.cli_announce import add_announce_parsers, announce_command
from bot.cli_args import Parser, bounded_int, telegram_id
from bot.cli_audit import CommandLineAudit
from bot.cli_database import use_database
from bot.cli_files import InputFileError, read_utf8
from bot.cli_hotline import COMMANDS as HOTLINE_COMMANDS
from bot.cli_hotline import add_hotline_parsers, hotline_command
from bot.cli_ideas import add_ideas_parser, ideas_command
from bot.cli_kb import add_kb_parser, kb_command
from bot.cli_trainings import add_trainings_parser, trainings_command
from bot.logging_setup import configure_logging, masked_output
from bot.settings import Settings, SettingsError, load_settings
from services.container import Services
from services.places import PlacesFileError
from storage.migrate import current_revision, head_revision
from storage.models import Role

log = logging.getLogger("hotline")
# Set (to anything) by the test suite and by developers: an unexpected error is raised with
# its traceback instead of being turned into one sentence, so no real bug hides behind it.
TRACEBACKS_VARIABLE = "HOTLINE_CLI_TRACEBACKS"

def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="hotline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (the local sandbox when no token is set)")
    commands.add_parser("sandbox", help="run the local Bot API sandbox, the bot and demo data")

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="action",
                                                                          required=True)
    db.add_parser("upgrade", help="apply all migrations")
    db.add_parser("current", help="print the applied and the newest revision")

    users = commands.add_parser("users", help="people and roles").add_subparsers(
        dest="action", required=True)
    for action in ("grant", "revoke"):
        sub = users.add_parser(action, help=f"{action} a role")
        sub.add_argument("telegram_id", type=telegram_id)
        sub.add_argument("role", choices=[r.value for r in Role])
    listing = users.add_parser("list", help="list people")
    listing.add_argument("--role", choices=[r.value for r in Role])

    places = commands.add_parser("places", help="streets and communities").add_subparsers(
        dest="action", required=True)
    places.add_parser("list", help="print the places list")
    importing = places.add_parser("import", help="replace the places list with a CSV file")
    importing.add_argument("file", type=Path)

    log = commands.add_parser("log", help="conversation log").add_subparsers(dest="action",
                                                                             required=True)
    show = log.add_parser("show", help="print a person's conversation")
    show.add_argument("telegram_id", type=telegram_id)
    show.add_argument("--limit", type=bounded_int("--limit", 1, 100_000), default=200)
    add_ideas_parser(commands)
    add_kb_parser(commands)
    add_hotline_parsers(commands)
    add_trainings_parser(commands)
    add_announce_parsers(commands)
    return parser


async def _with_database(settings: Settings, work: Callable[..., Awaitable[int]]) -> int:
    database = await open_database(settings)
    try:
        return await work(database)
    finally:
        await database.close()


async def _with_services(settings: Settings, work: Callable[..., Awaitable[int]]) -> int:
    async with command_services(settings) as services:
        return await work(services)


def _db_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(database) -> int:  # type: ignore[no-untyped-def]
        revision = await current_revision(database)
        if args.action == "upgrade":
            print(f"database is at revision {revision} (newest {head_revision()})")
        else:
            print(f"applied: {revision}; newest: {head_revision()}")
        return 0

    return asyncio.run(_with_database(settings, work))


def _users_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(services: Services) -> int:
        users = services.people
        if args.action == "list":
            people = await users.list_people(Role(args.role) if args.role else None)
            for person in people:
                print(f"{person.telegram_id}\t{person.display_name}\t{person.locale}\t"
                      f"{','.join(sorted(person.roles))}")
            print(f"{len(people)} people")
            return 0
        role = Role(args.role)
        if args.action == "grant":
            changed = await users.grant(args.telegram_id, role)
            print(f"{args.telegram_id} {'is now' if changed else 'already was'} {role.value}")
        else:
            changed = await users.revoke(args.telegram_id, role)
            print(f"{args.telegram_id} {'is no longer' if changed else 'was not'} {role.value}")
        if changed:  # a grant of a role already held changes nothing worth a row
            await CommandLineAudit(services.audit).record(
                f"users.{args.action}", target=str(args.telegram_id), detail={"role": role.value})
        return 0

    return asyncio.run(_with_services(settings, work))


def _log_command(settings: Settings, args: argparse.Namespace) -> int:
    zone = ZoneInfo(settings.timezone)

    async def work(services: Services) -> int:
        entries = await services.conversation_log.history(args.telegram_id, args.limit)
        for e in entries:
            arrow = "→ bot" if e.direction == "in" else "bot →"
            when = e.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
            extra = f" [{e.media_ref}]" if e.media_ref else ""
            edited = " (edited)" if e.version else ""
            text = (e.text or "").replace("\n", " ⏎ ")  # one line per message
            print(f"{when} chat {e.chat_id} #{e.message_id} {arrow} {e.kind}{edited}: "
                  f"{text}{extra}")
        print(f"{len(entries)} messages")
        return 0

    return asyncio.run(_with_services(settings, work))


def _places_command(settings: Settings, args: argparse.Namespace) -> int:
    async def work(services: Services) -> int:
        places = services.places
        if args.action == "import":
            try:
                text = await asyncio.to_thread(read_utf8, args.file)
                count = await places.import_text(text)
            except (PlacesFileError, InputFileError) as error:
                print(f"hotline: {args.file}: {error}; the list is unchanged", file=sys.stderr)
                return 2
            await CommandLineAudit(services.audit).record(
                "places.import", target=args.file.name, detail={"places": count})
            print(f"imported {count} places")
            return 0
        for street in await places.streets():
            names = "、".join(name for name, _ in street.communities)
            print(f"{street.name} ({street.name_en}): {names}")
        return 0

    return asyncio.run(_with_services(settings, work))


def _secrets(settings: Settings) -> list[str]:
    values = [settings.bot_token, settings.webhook_secret]
    return [v.get_secret_value() for v in values if v is not None]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    secrets: list[str] = []
    with masked_output(secrets):
        try:
            settings = load_settings()
            secrets.extend(_secrets(settings))
            if not logging.getLogger().handlers:  # called in-process, the caller's stay
                # A command's output is its answer: library chatter (INFO) stays out of it
                # unless someone asks for DEBUG; `run` sets the configured level itself.
                debugging = settings.log_level.upper() == "DEBUG"
                configure_logging("DEBUG" if debugging else "WARNING", secrets)
            return _dispatch(settings, args)
        except SettingsError as error:
            print(f"hotline: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130
        except OSError as error:
            if error.filename is None:
                return _unexpected(args, error)
            # A file named on the command line: a wrong path is the user's to fix.
            print(f"hotline: {error.filename}: {error.strerror or error}", file=sys.stderr)
            return 2
        except Exception as error:
            return _unexpected(args, error)


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    if args.command in ("run", "sandbox"):
        from bot.run import run  # imports the sandbox and PTB only when they are needed

        asyncio.run(run(settings, force_sandbox=args.command == "sandbox"))
        return 0
    settings = use_database(settings, args)
    handlers = {"db": _db_command, "users": _users_command, "log": _log_command,
                "places": _places_command, "ideas": ideas_command,
                "trainings": trainings_command, "kb": kb_command}
    handlers.update(dict.fromkeys(HOTLINE_COMMANDS, hotline_command))
    handlers.update(dict.fromkeys(ANNOUNCE_COMMANDS, announce_command))
    return handlers[args.command](settings, args)


def _unexpected(args: argparse.Namespace, error: BaseException) -> int:
    """A bug or an outside failure nobody foresaw: one sentence, the traceback at debug."""
    if os.environ.get(TRACEBACKS_VARIABLE):
        raise error
    log.debug("hotline %s failed", args.command, exc_info=error)
    detail = (str(error).strip().splitlines() or [""])[0][:200]
    print(f"hotline: {args.command} failed unexpectedly ({type(error).__name__}"
          f"{': ' + detail if detail else ''}); HOTLINE_LOG_LEVEL=DEBUG shows where.",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
