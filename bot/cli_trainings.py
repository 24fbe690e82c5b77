"""`hotline trainings ...`: add a course from a TOML file, list courses, export registrants."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.app import command_services
from bot.cli_args import record_id
from bot.cli_audit import CommandLineAudit
from bot.cli_files import InputFileError, read_utf8
from bot.settings import SUPPORTED_LOCALES, Settings
from services.texts import Texts
from services.trainings.courses import CourseInputError, field_refusal, plan_from_toml
from services.trainings.exports import registrants_table

# A course file is a page of text; anything bigger is not one.
COURSE_FILE_MAX_BYTES = 64_000


def add_trainings_parser(commands: argparse._SubParsersAction) -> None:
    trainings = commands.add_parser("trainings", help="training courses").add_subparsers(
        dest="action", required=True)
    add = trainings.add_parser("add", help="publish a course from a TOML file")
    add.add_argument("--file", type=Path, required=True)
    trainings.add_parser("list", help="print the open courses")
    export = trainings.add_parser("export", help="write a course's registrant list")
    export.add_argument("course_id", type=record_id)
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    export.add_argument("--output", type=Path, help="default: training-ID.FORMAT")
    export.add_argument("--locale", choices=SUPPORTED_LOCALES,
                        help="language of the headers (default: the bot's)")


def describe_error(error: CourseInputError) -> str:
    """The refusal in English, as the bot would word it, naming the field."""
    return field_refusal(Texts(SUPPORTED_LOCALES, "en"), "en", error)


def trainings_command(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "add":
        try:
            text = read_utf8(args.file, COURSE_FILE_MAX_BYTES)
        except InputFileError as error:
            print(f"hotline: {args.file}: {error}; nothing was saved", file=sys.stderr)
            return 2
    async with command_services(settings) as services:
        audit = CommandLineAudit(services.audit)
        trainings = services.trainings
        if args.action == "add":
            try:
                plan = plan_from_toml(text, settings.zone, trainings.clock.now())
            except CourseInputError as error:
                print(f"hotline: {args.file}: {describe_error(error)} Nothing was saved.",
                      file=sys.stderr)
                return 2
            course_id = await trainings.create_course(audit.actor, plan, file=args.file.name)
            print(f"course {course_id} published: {plan.title} "
                  f"({len(plan.sessions)} sessions, {plan.capacity} places)")
            return 0
        if args.action == "list":
            courses = await trainings.open_courses()
            for course in courses:
                start = course.starts_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
                print(f"{course.id}\t{course.title}\t{course.kind}\t{start}\t"
                      f"{course.registered}/{course.capacity} (+{course.waitlisted} waiting)")
            print(f"{len(courses)} open courses")
            return 0
        course = await trainings.course(args.course_id)
        if course is None:
            print(f"hotline: there is no course {args.course_id}", file=sys.stderr)
            return 2
        people = await trainings.registrants(course.id, with_history=True)
        locale = args.locale or settings.default_locale
        texts = services.texts
        output = args.output or Path(f"training-{course.id}.{args.format}")
        try:
            output.write_bytes(registrants_table(args.format, course, people, settings.zone,
                                                 lambda key: texts.text(locale, key)))
        except OSError as error:
            print(f"hotline: {output}: {error.strerror or error}", file=sys.stderr)
            return 2
        await audit.record("trainings.export", target=f"course {course.id}",
                           detail={"format": args.format, "rows": len(people),
                                   "file": output.name})
        print(f"wrote {len(people)} registrants to {output}")
        return 0
